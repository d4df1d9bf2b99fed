package dev.avsal.audio;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * ImageBind's audio preprocessing ({@code imagebind/data.py}, facebookresearch/ImageBind commit 53680b0): a clip of
 * 16 kHz audio becomes one normalised log-mel spectrogram {@code [1][128 mel][204 frames]}, flattened mel-major
 * (index {@code mel * 204 + frame}), ready for the audio encoder.
 *
 * <p>Steps, as {@code waveform2melspec} followed by {@code transforms.Normalize}:
 * <ol>
 *   <li>subtract the mean of the whole clip (all channels together; {@code waveform -= waveform.mean()});</li>
 *   <li>{@link KaldiFbank} with {@link KaldiFbank.Options#imageBind()} on the first channel
 *       ({@code [frames][128]}, 198 frames for 2 s);</li>
 *   <li>transpose to {@code [128][frames]}, right-pad with zeros or keep only the first 204 frames;</li>
 *   <li>{@code (x - MEAN) / STD} in float32, padding included (padded cells become (0 + 4.268) / 9.138).</li>
 * </ol>
 * ImageBind logs a warning when the frame count differs from 204 by more than 20 %; this class does not log.
 * Resampling to 16 kHz (ImageBind uses torchaudio's {@code resample}) is the caller's job.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageBindAudioPreprocessor {
    /** Sample rate the model expects ({@code sample_rate=16000}). */
    public static final int SAMPLE_RATE = 16000;
    /** Mel bins ({@code num_mel_bins=128}). */
    public static final int NUM_MEL_BINS = 128;
    /** Frames per clip after padding or cropping ({@code target_length=204}). */
    public static final int TARGET_LENGTH = 204;
    /** Normalisation mean ({@code mean=-4.268} in {@code load_and_transform_audio_data}). */
    public static final float MEAN = -4.268f;
    /** Normalisation std ({@code std=9.138} in {@code load_and_transform_audio_data}). */
    public static final float STD = 9.138f;
    /** Clip length in seconds ({@code clip_duration=2}). */
    public static final double CLIP_DURATION_S = 2.0;
    /** Clips per audio file ({@code clips_per_video=3}). */
    public static final int CLIPS_PER_VIDEO = 3;

    private final KaldiFbank fbank;
    private final int targetLength;

    /** ImageBind's configuration: 128 mel bins, 204 frames. */
    public ImageBindAudioPreprocessor() { this(TARGET_LENGTH); }

    /** ImageBind's fbank with another target length (frames per clip). */
    public ImageBindAudioPreprocessor(int targetLength) {
        if (targetLength <= 0 || targetLength > 1_000_000) {
            throw new IllegalArgumentException("targetLength must be in [1, 1000000], got " + targetLength);
        }
        this.fbank = KaldiFbank.imageBind();
        this.targetLength = targetLength;
    }

    /** Frames per output clip. */
    public int targetLength() { return targetLength; }

    /** Floats per output clip: {@code 128 * targetLength}. */
    public int outputLength() { return NUM_MEL_BINS * targetLength; }

    /** The melspec of a mono clip (16 kHz); the input is not modified. */
    public float[] melspec(float[] mono) {
        Objects.requireNonNull(mono, "waveform");
        return melspec(new float[][] {mono}, 0, mono.length);
    }

    /** The melspec of a multi-channel clip {@code [channel][sample]} (16 kHz); the input is not modified. */
    public float[] melspec(float[][] channels) {
        int n = checkChannels(channels);
        return melspec(channels, 0, n);
    }

    /**
     * The melspec of samples {@code [from, to)} of a multi-channel recording, without copying the rest. The mean
     * is taken over this range of all channels, as ImageBind takes it over its clip.
     *
     * @throws IllegalArgumentException if the range is shorter than one 25 ms window (400 samples), which
     *     ImageBind cannot process either
     */
    public float[] melspec(float[][] channels, int from, int to) {
        float[] out = new float[outputLength()];
        melspec(channels, from, to, out, 0);
        return out;
    }

    /** As {@link #melspec(float[][], int, int)}, writing {@link #outputLength()} floats into {@code out}. */
    public void melspec(float[][] channels, int from, int to, float[] out, int outOffset) {
        int n = checkChannels(channels);
        Objects.checkFromToIndex(from, to, n);
        Objects.checkFromIndexSize(outOffset, outputLength(), out.length);
        // only the first channel is transformed, but the mean is over every channel (the tensor's mean)
        float mean = mean(channels, from, to);
        float[] clip = new float[to - from];
        float[] first = channels[0];
        for (int i = 0; i < clip.length; i++) clip[i] = first[from + i] - mean;
        normalise(fbank.compute(clip), out, outOffset);
    }

    /**
     * The whole of ImageBind's {@code load_and_transform_audio_data} for one recording already at 16 kHz: 3 clips
     * of 2 s at the starts given by {@link #clipBounds}, each turned into a melspec, concatenated
     * ({@code [3][1][128][204]} flattened). ImageBind subtracts each clip's mean in place on a view of the shared
     * waveform, so when clips overlap (recordings shorter than 8 s) a later clip sees the earlier clips'
     * subtraction: a DC step where the earlier clip ended, which changes the frames across it. This is
     * reproduced on a copy; the input is not modified.
     */
    public float[] clips(float[][] channels) {
        int n = checkChannels(channels);
        int[][] bounds = clipBounds(n, SAMPLE_RATE, CLIP_DURATION_S, CLIPS_PER_VIDEO);
        float[][] work = new float[channels.length][];
        for (int c = 0; c < channels.length; c++) work[c] = channels[c].clone();
        float[] out = new float[bounds.length * outputLength()];
        for (int k = 0; k < bounds.length; k++) {
            int from = bounds[k][0], to = bounds[k][1];
            float mean = mean(work, from, to);
            for (float[] ch : work) for (int i = from; i < to; i++) ch[i] -= mean;
            float[] clip = java.util.Arrays.copyOfRange(work[0], from, to);
            normalise(fbank.compute(clip), out, k * outputLength());
        }
        return out;
    }

    /**
     * Sample ranges {@code [start, end)} of pytorchvideo's {@code ConstantClipsPerVideoSampler} as ImageBind uses it:
     * with duration D = numSamples / sampleRate (a double), clip k starts at {@code k * max(D - clip, 0) / clips}
     * seconds (exact rational arithmetic, as pytorchvideo's Fraction), and the sample range is
     * {@code [int(start * sr), int((start + clip) * sr))} clamped to the recording (Python slicing). Always
     * {@code clipsPerVideo} ranges; when D < clip, every range is the whole recording.
     */
    public static int[][] clipBounds(int numSamples, int sampleRate, double clipDurationS, int clipsPerVideo) {
        if (numSamples < 0) throw new IllegalArgumentException("numSamples must be >= 0, got " + numSamples);
        if (sampleRate <= 0) throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
        if (!(clipDurationS > 0) || Double.isInfinite(clipDurationS)) {
            throw new IllegalArgumentException("clipDurationS must be > 0 and finite, got " + clipDurationS);
        }
        if (clipsPerVideo <= 0 || clipsPerVideo > 10_000) {
            throw new IllegalArgumentException("clipsPerVideo must be in [1, 10000], got " + clipsPerVideo);
        }
        double duration = (double) numSamples / sampleRate;
        // float - Fraction is float arithmetic in Python; Fraction(max(..., 0)) is then exact
        BigDecimal maxStart = new BigDecimal(Math.max(duration - clipDurationS, 0.0));
        BigDecimal sr = BigDecimal.valueOf(sampleRate), clips = BigDecimal.valueOf(clipsPerVideo);
        BigDecimal clipSamples = new BigDecimal(clipDurationS).multiply(sr).multiply(clips);
        int[][] out = new int[clipsPerVideo][];
        for (int k = 0; k < clipsPerVideo; k++) {
            BigDecimal startTimesClips = maxStart.multiply(BigDecimal.valueOf(k)).multiply(sr);
            long start = startTimesClips.divide(clips, 0, RoundingMode.FLOOR).longValueExact();
            long end = startTimesClips.add(clipSamples).divide(clips, 0, RoundingMode.FLOOR).longValueExact();
            out[k] = new int[] {(int) Math.min(start, numSamples), (int) Math.min(end, numSamples)};
        }
        return out;
    }

    private void normalise(KaldiFbank.Features fb, float[] out, int off) {
        int frames = Math.min(fb.frames(), targetLength);
        int cols = fb.columns();
        float[] v = fb.values();
        float padded = (0.0f - MEAN) / STD;
        for (int m = 0; m < NUM_MEL_BINS; m++) {
            int row = off + m * targetLength;
            for (int t = 0; t < frames; t++) out[row + t] = (v[t * cols + m] - MEAN) / STD;
            for (int t = frames; t < targetLength; t++) out[row + t] = padded;
        }
    }

    /** float32 mean of a tensor, here computed in double and rounded (its exact value hardly matters, see above). */
    private static float mean(float[][] channels, int from, int to) {
        double sum = 0;
        for (float[] ch : channels) for (int i = from; i < to; i++) sum += ch[i];
        long count = (long) channels.length * (to - from);
        return count == 0 ? 0f : (float) (sum / count);
    }

    private static int checkChannels(float[][] channels) {
        Objects.requireNonNull(channels, "channels");
        if (channels.length == 0) throw new IllegalArgumentException("waveform has no channels");
        int n = Objects.requireNonNull(channels[0], "channel 0").length;
        for (int c = 1; c < channels.length; c++) {
            if (Objects.requireNonNull(channels[c], "channel " + c).length != n) {
                throw new IllegalArgumentException("channel " + c + " has " + channels[c].length
                        + " samples, channel 0 has " + n);
            }
        }
        return n;
    }
}
