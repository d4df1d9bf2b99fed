package dev.avsal.train;

import dev.avsal.AudioWindow;
import dev.avsal.AvSalException;
import dev.avsal.AvSalModel;
import dev.avsal.Frame;
import dev.avsal.audio.ImageBindAudioPreprocessor;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.FrameStream;
import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.predict.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Encoder features computed per use, for end-to-end training ({@link TrainConfig#trainEncoders()}): the decoded frames
 * of each video are kept in memory, and every request runs preprocessing and both encoders, with autograd
 * ({@code trainable}) or without. The same features as {@link FeatureCache} stores (CLS dropped, the head's taps,
 * audio tokens per frame), in float32.
 *
 * <p>Tensors are returned into the caller's {@link org.bytedeco.javacpp.PointerScope}. Not thread-safe.
 */
final class EncoderFeatures {
    private final AvSalModel model;
    private final boolean silence;
    private final EncoderInput in;
    private final ClipImagePreprocessor pre;
    private final ImageBindAudioPreprocessor mel;
    private final Map<String, List<Frame>> frames = new HashMap<>();
    private long encodedFrames;

    /** Visual taps ({@code [n, L, C]} each) and audio tokens ({@code [n, La, Ca]}) of n frames. */
    record Features(List<Tensor> taps, Tensor audio) {}

    EncoderFeatures(AvSalModel model, boolean silenceAudio) {
        this.model = model;
        this.silence = silenceAudio;
        var c = model.config();
        in = EncoderInput.of(c);
        pre = ClipImagePreprocessor.exactSize(in.height(), in.width());
        mel = new ImageBindAudioPreprocessor(c.audio().targetLength());
    }

    /** Frames run through the encoders so far (counting repeats). */
    long encodedFrames() { return encodedFrames; }

    /** The video's frames (decoded on first use, then kept). */
    List<Frame> frames(AnnotatedVideo v) throws AvSalException {
        List<Frame> out = frames.get(v.id());
        if (out == null) frames.put(v.id(), out = readFrames(v, in));
        return out;
    }

    /** All of a video's annotated frames at the encoders' input size, as RGB images (the trainer preprocesses them itself). */
    static List<Frame> readFrames(AnnotatedVideo v, EncoderInput in) throws AvSalException {
        List<Frame> out = new ArrayList<>(v.frameCount());
        try (FrameStream stream = v.open(in.height(), in.width())) {
            Frame f;
            while (out.size() < v.frameCount() && (f = stream.next()) != null) {
                if (f.image() == null)
                    throw new TrainException(v.id() + ", frame " + out.size() + ": the trainer needs RGB frames, got a preprocessed frame");
                out.add(f);
            }
        }
        if (out.size() < v.frameCount())
            throw new TrainException(v.id() + ": the video has " + out.size() + " frames but ground truth for " + v.frameCount());
        return out;
    }

    private static final float[] SILENCE = new float[AudioWindow.SAMPLES_2S];

    /** The frame's audio samples, or 2 s of silence when audio is silenced or the frame has none (read-only). */
    static float[] samples(Frame f, boolean silence) {
        AudioWindow a = f.audio();
        return silence || a == null ? SILENCE : a.samples();
    }

    /** One window of a video; see {@link #encode(List)}. */
    record Window(AnnotatedVideo video, int from, int count, boolean flip) {}

    /**
     * Features of the windows' frames, concatenated in order (one batch through each encoder), under the caller's
     * grad mode when {@code trainable}, otherwise under InferenceMode; on the encoders' device, under the caller's
     * autocast, and float32 (the head's inputs must have its weights' type; the cast is differentiable).
     */
    Features encode(List<Window> windows, boolean trainable) throws AvSalException {
        int n = 0;
        for (Window w : windows) n += w.count();
        int plane = 3 * in.height() * in.width(), len = mel.outputLength();
        float[] chw = new float[n * plane], m = new float[n * len];
        int i = 0;
        for (Window w : windows) {
            List<Frame> fs = frames(w.video());
            for (int f = w.from(); f < w.from() + w.count(); f++, i++) {
                RgbImage img = fs.get(f).image();
                pre.preprocess(w.flip() ? FeatureCache.mirror(img) : img, chw, i * plane);
                System.arraycopy(mel.melspec(samples(fs.get(f), silence)), 0, m, i * len, len);
            }
        }
        Tensor images = Devices.toDeviceOf(Tensors.fromFloats(chw, n, 3, in.height(), in.width()),
                model.clipEncoder().module());
        Tensor mt = Devices.toDeviceOf(Tensors.fromFloats(m, n, 1, ImageBindAudioPreprocessor.NUM_MEL_BINS,
                mel.targetLength()), model.audioEncoder().module());
        ClipVisionEncoder.Output v = trainable ? model.clipEncoder().forwardTrainable(images, in.taps())
                : model.clipEncoder().forward(images, in.taps());
        Tensor audio = Tensors.float32(trainable ? model.audioEncoder().forwardTrainable(mt).tokens() : model.audioEncoder().forward(mt).tokens());
        List<Tensor> taps = new ArrayList<>(in.taps().length);
        for (Tensor h : v.hiddenStates()) taps.add(Tensors.float32(h.narrow(1, 1, in.patches())).contiguous());
        encodedFrames += n;
        return new Features(taps, audio);
    }
}
