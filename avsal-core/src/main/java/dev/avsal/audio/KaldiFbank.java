package dev.avsal.audio;

import java.util.Objects;

/**
 * Kaldi-style (log) mel filterbank features, computed the way {@code torchaudio.compliance.kaldi.fbank} computes
 * them (torchaudio 2.x, {@code src/torchaudio/compliance/kaldi.py}).
 *
 * <p>Per frame: take {@code window_size} samples of one channel (snip_edges: frames that fit entirely; otherwise
 * frames centred every shift with the signal mirrored at both ends), subtract the frame mean, apply preemphasis
 * {@code y[j] = x[j] - p*x[max(j-1,0)]}, multiply by the window, zero-pad to the FFT size, take the power (or
 * magnitude) spectrum, sum it through triangular mel filters (mel = 1127 ln(1 + f/700), bins equally spaced in mel
 * between low and high frequency, the Nyquist bin excluded) and take {@code log(max(energy, FLT_EPSILON))}.
 *
 * <p>Numerics: everything runs in double except the mel filterbank, which torchaudio always builds in float32
 * (whatever the waveform's dtype) and which is reproduced here with torch's float32 operation order. The result
 * is therefore torchaudio's float64 computation (measured: within 2e-6 of it). torchaudio's float32 computation
 * differs from its own float64 one by FFT rounding: typically 1e-5 to 1e-4 in log-mel, and up to ~1e-2 in bins
 * whose energy is within a few percent of the floor (FLT_EPSILON), where no float32 rounding can be matched.
 *
 * <p>Differences from torchaudio: dither must be 0 (dither draws random noise, so it cannot be reproduced), VTLN
 * warping and {@code min_duration} are not supported. A waveform shorter than one window is rejected with
 * IllegalArgumentException, as torchaudio rejects it (it asserts {@code window_size <= len(waveform)}).
 *
 * <p>Immutable and thread-safe: the window, the filterbank and the FFT tables are built once in the constructor;
 * each {@code compute} call allocates only its own small scratch arrays and the result.
 */
public final class KaldiFbank {
    /** {@code numeric_limits<float>::epsilon()} = 2^-23, the floor applied before every log. */
    public static final float FLOAT_EPSILON = 0x1p-23f;

    /** Window function names as torchaudio spells them in {@code window_type}. */
    public enum WindowType {
        /** 0.54 - 0.46 cos(2 pi n / (N-1)) (symmetric). */
        HAMMING,
        /** Symmetric Hann, {@code torch.hann_window(N, periodic=False)}: 0.5 - 0.5 cos(2 pi n / (N-1)). */
        HANNING,
        /** Symmetric Hann raised to 0.85 (Kaldi's default). */
        POVEY,
        /** All ones. */
        RECTANGULAR,
        /** Generalised Blackman with {@code blackmanCoeff} (Kaldi's coefficients, not torch.blackman_window). */
        BLACKMAN
    }

    /**
     * The fbank options, with torchaudio's names and defaults (see {@link #torchaudioDefaults()}). Validated on
     * construction with the checks torchaudio asserts, plus sanity limits; violations throw
     * IllegalArgumentException naming the option.
     *
     * @param sampleFrequency        Hz, > 0
     * @param frameLengthMs          window length in ms ({@code frame_length})
     * @param frameShiftMs           hop in ms ({@code frame_shift})
     * @param windowType             window function
     * @param blackmanCoeff          coefficient of the BLACKMAN window (0.42)
     * @param numMelBins             number of triangular filters, > 3
     * @param lowFreq                lowest filter edge in Hz, in [0, Nyquist)
     * @param highFreq               highest filter edge in Hz; {@code <= 0} means Nyquist + highFreq
     * @param preemphasisCoefficient p in [0, 1] (0.97)
     * @param removeDcOffset         subtract each frame's mean
     * @param roundToPowerOfTwo      zero-pad each frame to the next power of two for the FFT
     * @param snipEdges              true: only frames that fit; false: reflect the signal at the ends
     * @param htkCompat              with useEnergy: put the energy column last instead of first
     * @param useEnergy              add a log-energy column
     * @param rawEnergy              energy before preemphasis and window (true) or after (false)
     * @param energyFloor            floor on the energy column (0 = none)
     * @param useLogFbank            log of the mel energies (else linear)
     * @param usePower               power spectrum (else magnitude)
     * @param subtractMean           subtract each column's mean over all frames
     * @param dither                 must be 0
     * @param channel                channel to use; -1 (mono expected) and 0 both take the first channel
     */
    public record Options(double sampleFrequency, double frameLengthMs, double frameShiftMs, WindowType windowType,
                          double blackmanCoeff, int numMelBins, double lowFreq, double highFreq,
                          double preemphasisCoefficient, boolean removeDcOffset, boolean roundToPowerOfTwo,
                          boolean snipEdges, boolean htkCompat, boolean useEnergy, boolean rawEnergy,
                          double energyFloor, boolean useLogFbank, boolean usePower, boolean subtractMean,
                          double dither, int channel) {
        /** Sanity limit on the (padded) window length in samples. */
        public static final int MAX_WINDOW = 1 << 16;
        /** Sanity limit on the number of mel bins. */
        public static final int MAX_MEL_BINS = 4096;

        public Options {
            Objects.requireNonNull(windowType, "windowType");
            if (!(sampleFrequency > 0) || Double.isInfinite(sampleFrequency)) {
                throw new IllegalArgumentException("sampleFrequency must be > 0 and finite, got " + sampleFrequency);
            }
            if (!(frameShiftMs > 0) || Double.isInfinite(frameShiftMs)) {
                throw new IllegalArgumentException("frameShiftMs must be > 0 and finite, got " + frameShiftMs);
            }
            if (!(frameLengthMs > 0) || Double.isInfinite(frameLengthMs)) {
                throw new IllegalArgumentException("frameLengthMs must be > 0 and finite, got " + frameLengthMs);
            }
            double ws = samples(sampleFrequency, frameLengthMs), sh = samples(sampleFrequency, frameShiftMs);
            if (ws < 2 || ws > MAX_WINDOW) {
                throw new IllegalArgumentException("window size " + (long) ws + " samples (frameLengthMs "
                        + frameLengthMs + " at " + sampleFrequency + " Hz) must be in [2, " + MAX_WINDOW + "]");
            }
            if (sh < 1 || sh > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("window shift " + (long) sh + " samples (frameShiftMs "
                        + frameShiftMs + ") must be >= 1");
            }
            int padded = roundToPowerOfTwo ? nextPowerOfTwo((int) ws) : (int) ws;
            if (padded % 2 != 0) {
                throw new IllegalArgumentException("the FFT size " + padded + " must be even: set roundToPowerOfTwo "
                        + "or change frameLengthMs");
            }
            if (!(preemphasisCoefficient >= 0 && preemphasisCoefficient <= 1)) {
                throw new IllegalArgumentException("preemphasisCoefficient must be in [0, 1], got "
                        + preemphasisCoefficient);
            }
            if (numMelBins <= 3 || numMelBins > MAX_MEL_BINS) {
                throw new IllegalArgumentException("numMelBins must be in [4, " + MAX_MEL_BINS + "], got " + numMelBins);
            }
            double nyquist = 0.5 * sampleFrequency;
            double high = highFreq <= 0 ? highFreq + nyquist : highFreq;
            if (!(lowFreq >= 0 && lowFreq < nyquist && high > 0 && high <= nyquist && lowFreq < high)) {
                throw new IllegalArgumentException("bad mel range: lowFreq " + lowFreq + " and highFreq " + highFreq
                        + " (effective " + high + ") vs. Nyquist " + nyquist);
            }
            if (dither != 0) {
                throw new IllegalArgumentException("dither " + dither + " is not supported: only 0 (dither adds random"
                        + " noise, which cannot match a reference)");
            }
            if (!(energyFloor >= 0) || Double.isInfinite(energyFloor)) {
                throw new IllegalArgumentException("energyFloor must be >= 0 and finite, got " + energyFloor);
            }
            if (!Double.isFinite(blackmanCoeff)) {
                throw new IllegalArgumentException("blackmanCoeff must be finite, got " + blackmanCoeff);
            }
            if (channel < -1) throw new IllegalArgumentException("channel must be >= -1, got " + channel);
        }

        /** torchaudio's defaults: 16 kHz, 25/10 ms, povey window, 23 mel bins, 20 Hz..Nyquist, preemphasis 0.97. */
        public static Options torchaudioDefaults() {
            return new Options(16000, 25, 10, WindowType.POVEY, 0.42, 23, 20, 0, 0.97, true, true, true, false,
                    false, true, 1.0, true, true, false, 0.0, -1);
        }

        /**
         * ImageBind's settings ({@code imagebind/data.py::waveform2melspec}): 16 kHz, 128 mel bins, 25 ms
         * frames every 10 ms, {@code window_type="hanning"}, {@code htk_compat=True}, {@code use_energy=False},
         * {@code dither=0}; everything else at torchaudio's defaults (20 Hz..Nyquist, preemphasis 0.97, per-frame DC
         * removal, FFT size 512, snip_edges, power spectrum, log).
         */
        public static Options imageBind() {
            return torchaudioDefaults().toBuilder().numMelBins(128).windowType(WindowType.HANNING).htkCompat(true)
                    .build();
        }

        /** A builder holding these values. */
        public Builder toBuilder() { return new Builder(this); }

        /** The analysis window length in samples ({@code int(sample_frequency * frame_length * 0.001)}). */
        public int windowSize() { return (int) samples(sampleFrequency, frameLengthMs); }

        /** The hop in samples. */
        public int windowShift() { return (int) samples(sampleFrequency, frameShiftMs); }

        /** The FFT size: the window size, or the next power of two when {@link #roundToPowerOfTwo()}. */
        public int paddedWindowSize() { return roundToPowerOfTwo ? nextPowerOfTwo(windowSize()) : windowSize(); }

        /** Same expression and order as torchaudio, so that e.g. 16000*25*0.001 truncates identically. */
        private static double samples(double sampleFrequency, double ms) {
            return Math.floor(sampleFrequency * ms * 0.001);
        }

        private static int nextPowerOfTwo(int x) { return x <= 1 ? 1 : Integer.highestOneBit(x - 1) << 1; }
    }

    /** Mutable builder for {@link Options}; not thread-safe. */
    public static final class Builder {
        private double sampleFrequency, frameLengthMs, frameShiftMs, blackmanCoeff, lowFreq, highFreq,
                preemphasisCoefficient, energyFloor, dither;
        private WindowType windowType;
        private int numMelBins, channel;
        private boolean removeDcOffset, roundToPowerOfTwo, snipEdges, htkCompat, useEnergy, rawEnergy, useLogFbank,
                usePower, subtractMean;

        private Builder(Options o) {
            sampleFrequency = o.sampleFrequency; frameLengthMs = o.frameLengthMs; frameShiftMs = o.frameShiftMs;
            windowType = o.windowType; blackmanCoeff = o.blackmanCoeff; numMelBins = o.numMelBins;
            lowFreq = o.lowFreq; highFreq = o.highFreq; preemphasisCoefficient = o.preemphasisCoefficient;
            removeDcOffset = o.removeDcOffset; roundToPowerOfTwo = o.roundToPowerOfTwo; snipEdges = o.snipEdges;
            htkCompat = o.htkCompat; useEnergy = o.useEnergy; rawEnergy = o.rawEnergy; energyFloor = o.energyFloor;
            useLogFbank = o.useLogFbank; usePower = o.usePower; subtractMean = o.subtractMean; dither = o.dither;
            channel = o.channel;
        }

        public Builder sampleFrequency(double v) { sampleFrequency = v; return this; }
        public Builder frameLengthMs(double v) { frameLengthMs = v; return this; }
        public Builder frameShiftMs(double v) { frameShiftMs = v; return this; }
        public Builder windowType(WindowType v) { windowType = v; return this; }
        public Builder blackmanCoeff(double v) { blackmanCoeff = v; return this; }
        public Builder numMelBins(int v) { numMelBins = v; return this; }
        public Builder lowFreq(double v) { lowFreq = v; return this; }
        public Builder highFreq(double v) { highFreq = v; return this; }
        public Builder preemphasisCoefficient(double v) { preemphasisCoefficient = v; return this; }
        public Builder removeDcOffset(boolean v) { removeDcOffset = v; return this; }
        public Builder roundToPowerOfTwo(boolean v) { roundToPowerOfTwo = v; return this; }
        public Builder snipEdges(boolean v) { snipEdges = v; return this; }
        public Builder htkCompat(boolean v) { htkCompat = v; return this; }
        public Builder useEnergy(boolean v) { useEnergy = v; return this; }
        public Builder rawEnergy(boolean v) { rawEnergy = v; return this; }
        public Builder energyFloor(double v) { energyFloor = v; return this; }
        public Builder useLogFbank(boolean v) { useLogFbank = v; return this; }
        public Builder usePower(boolean v) { usePower = v; return this; }
        public Builder subtractMean(boolean v) { subtractMean = v; return this; }
        public Builder dither(double v) { dither = v; return this; }
        public Builder channel(int v) { channel = v; return this; }

        /** Validates and returns the options. */
        public Options build() {
            return new Options(sampleFrequency, frameLengthMs, frameShiftMs, windowType, blackmanCoeff, numMelBins,
                    lowFreq, highFreq, preemphasisCoefficient, removeDcOffset, roundToPowerOfTwo, snipEdges, htkCompat,
                    useEnergy, rawEnergy, energyFloor, useLogFbank, usePower, subtractMean, dither, channel);
        }
    }

    /**
     * A feature matrix, row-major {@code [frames][columns]} (columns = mel bins, plus one energy column if
     * requested). The array is not copied.
     */
    public record Features(int frames, int columns, float[] values) {
        public Features {
            Objects.requireNonNull(values, "values");
            if (frames < 0 || columns <= 0 || (long) frames * columns != values.length) {
                throw new IllegalArgumentException("features " + frames + "x" + columns + " do not match "
                        + values.length + " values");
            }
        }

        /** The value at one frame and column. */
        public float get(int frame, int column) {
            Objects.checkIndex(frame, frames);
            Objects.checkIndex(column, columns);
            return values[frame * columns + column];
        }
    }

    private final Options options;
    private final int windowSize, windowShift, padded, numBins, columns;
    private final double[] window;
    private final Spectrum spectrum;
    private final double logEnergyFloor;
    // sparse mel filters: filter b covers spectrum bins [melStart[b], melStart[b] + melWeights[b].length)
    private final int[] melStart;
    private final double[][] melWeights;

    /** Precomputes the window, the FFT tables and the mel filterbank for these options. */
    public KaldiFbank(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        windowSize = options.windowSize();
        windowShift = options.windowShift();
        padded = options.paddedWindowSize();
        numBins = options.numMelBins();
        columns = numBins + (options.useEnergy() ? 1 : 0);
        window = window(options.windowType(), windowSize, options.blackmanCoeff());
        spectrum = new Spectrum(padded);
        logEnergyFloor = options.energyFloor() == 0 ? Double.NEGATIVE_INFINITY : Math.log(options.energyFloor());
        float[][] banks = melBanks(numBins, padded, options.sampleFrequency(), options.lowFreq(), options.highFreq());
        melStart = new int[numBins];
        melWeights = new double[numBins][];
        for (int b = 0; b < numBins; b++) {
            float[] row = banks[b];
            int lo = 0, hi = row.length;
            while (lo < hi && row[lo] == 0) lo++;
            while (hi > lo && row[hi - 1] == 0) hi--;
            melStart[b] = lo;
            melWeights[b] = new double[hi - lo];
            for (int i = lo; i < hi; i++) melWeights[b][i - lo] = row[i];
        }
    }

    /** A KaldiFbank with {@link Options#imageBind()}. */
    public static KaldiFbank imageBind() { return new KaldiFbank(Options.imageBind()); }

    public Options options() { return options; }

    /** Columns per frame: mel bins, plus one if {@code useEnergy}. */
    public int columns() { return columns; }

    /**
     * Frames produced for this many samples: snip_edges {@code 1 + (n - window) / shift} (0 when n < window),
     * otherwise {@code (n + shift/2) / shift}. Note that {@link #compute} rejects n < window, as torchaudio does.
     */
    public int numFrames(int numSamples) {
        if (numSamples < 0) throw new IllegalArgumentException("numSamples must be >= 0, got " + numSamples);
        if (options.snipEdges()) return numSamples < windowSize ? 0 : 1 + (numSamples - windowSize) / windowShift;
        return (int) ((numSamples + (long) (windowShift / 2)) / windowShift);
    }

    /**
     * The mel filterbank as torchaudio's {@code get_mel_banks} builds it (float32), {@code [numMelBins][fft/2]}
     * (the Nyquist bin has no filter weight). A fresh copy.
     */
    public float[][] melBanks() {
        return melBanks(numBins, padded, options.sampleFrequency(), options.lowFreq(), options.highFreq());
    }

    /** The analysis window, length {@link Options#windowSize()}. A fresh copy. */
    public double[] window() { return window.clone(); }

    /** Features of a mono waveform (float samples, any scale). */
    public Features compute(float[] waveform) {
        Objects.requireNonNull(waveform, "waveform");
        return compute(waveform, 0, waveform.length);
    }

    /** Features of {@code length} samples of a mono waveform starting at {@code offset}. */
    public Features compute(float[] waveform, int offset, int length) {
        Objects.requireNonNull(waveform, "waveform");
        Objects.checkFromIndexSize(offset, length, waveform.length);
        return compute(waveform, null, offset, length);
    }

    /** Features of {@code length} samples of a mono double-precision waveform starting at {@code offset}. */
    public Features compute(double[] waveform, int offset, int length) {
        Objects.requireNonNull(waveform, "waveform");
        Objects.checkFromIndexSize(offset, length, waveform.length);
        return compute(null, waveform, offset, length);
    }

    /** Exactly one of fw, dw is non-null. */
    private Features compute(float[] fw, double[] dw, int offset, int length) {
        if (length < windowSize) {
            throw new IllegalArgumentException("waveform of " + length + " samples is shorter than one window of "
                    + windowSize + " samples (torchaudio rejects this too)");
        }
        int frames = numFrames(length);
        float[] out = new float[frames * columns];
        double[] frame = new double[padded];
        double[] re = new double[spectrum.scratchLength()], im = new double[spectrum.scratchLength()];
        double[] power = new double[padded / 2 + 1];
        int melOffset = options.useEnergy() && !options.htkCompat() ? 1 : 0;
        int energyColumn = options.useEnergy() ? (options.htkCompat() ? numBins : 0) : -1;
        double p = options.preemphasisCoefficient();
        for (int f = 0; f < frames; f++) {
            readFrame(fw, dw, offset, length, f, frame);
            if (options.removeDcOffset()) {
                double sum = 0;
                for (int j = 0; j < windowSize; j++) sum += frame[j];
                double mean = sum / windowSize;
                for (int j = 0; j < windowSize; j++) frame[j] -= mean;
            }
            double energy = 0;
            if (energyColumn >= 0 && options.rawEnergy()) energy = sumSquares(frame, windowSize);
            if (p != 0) {
                // descending, so each x[j-1] is still the original; the first sample is its own predecessor
                for (int j = windowSize - 1; j > 0; j--) frame[j] -= p * frame[j - 1];
                frame[0] -= p * frame[0];
            }
            for (int j = 0; j < windowSize; j++) frame[j] *= window[j];
            for (int j = windowSize; j < padded; j++) frame[j] = 0;
            if (energyColumn >= 0 && !options.rawEnergy()) energy = sumSquares(frame, padded);
            spectrum.power(frame, re, im, power);
            if (!options.usePower()) for (int k = 0; k < power.length; k++) power[k] = Math.sqrt(power[k]);
            int row = f * columns;
            for (int b = 0; b < numBins; b++) {
                double[] w = melWeights[b];
                int s = melStart[b];
                double e = 0;
                for (int i = 0; i < w.length; i++) e += w[i] * power[s + i];
                out[row + melOffset + b] = (float) (options.useLogFbank() ? Math.log(Math.max(e, FLOAT_EPSILON)) : e);
            }
            if (energyColumn >= 0) {
                double le = Math.log(Math.max(energy, FLOAT_EPSILON));
                out[row + energyColumn] = (float) Math.max(le, logEnergyFloor);
            }
        }
        if (options.subtractMean() && frames > 0) {
            for (int c = 0; c < columns; c++) {
                double sum = 0;
                for (int f = 0; f < frames; f++) sum += out[f * columns + c];
                float mean = (float) (sum / frames);
                for (int f = 0; f < frames; f++) out[f * columns + c] -= mean;
            }
        }
        return new Features(frames, columns, out);
    }

    /**
     * Features of a multi-channel waveform {@code [channel][sample]}: only the configured channel is used (channel
     * -1 or 0: the first), as torchaudio does.
     */
    public Features compute(float[][] channels) {
        Objects.requireNonNull(channels, "channels");
        int c = Math.max(options.channel(), 0);
        if (c >= channels.length) {
            throw new IllegalArgumentException("channel " + c + " requested but the waveform has " + channels.length
                    + " channel(s)");
        }
        return compute(Objects.requireNonNull(channels[c], "channel " + c));
    }

    /** Copies frame f into buf[0..windowSize), mirroring at the ends when snip_edges is off (torchaudio's way). */
    private void readFrame(float[] fx, double[] dx, int offset, int n, int f, double[] buf) {
        if (options.snipEdges()) {
            int start = offset + f * windowShift;
            if (fx != null) for (int j = 0; j < windowSize; j++) buf[j] = fx[start + j];
            else System.arraycopy(dx, start, buf, 0, windowSize);
            return;
        }
        // torchaudio pads with reversed copies: [x[pad-1] .. x[0]] x [x[n-1] .. x[0]], pad = ws/2 - shift/2
        long start = (long) f * windowShift - (windowSize / 2 - windowShift / 2);
        for (int j = 0; j < windowSize; j++) {
            long i = start + j;
            if (i < 0) i = -i - 1;
            else if (i >= n) i = 2L * n - 1 - i;
            buf[j] = fx != null ? fx[offset + (int) i] : dx[offset + (int) i];
        }
    }

    private static double sumSquares(double[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i] * a[i];
        return s;
    }

    /**
     * The window in double precision (torchaudio builds it in the waveform's dtype; double is what its float64 path
     * uses and the float32 path approximates).
     */
    static double[] window(WindowType type, int n, double blackmanCoeff) {
        double[] w = new double[n];
        double a = 2 * Math.PI / (n - 1);
        for (int i = 0; i < n; i++) {
            w[i] = switch (type) {
                case HANNING -> 0.5 - 0.5 * Math.cos(a * i);
                case POVEY -> Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85);
                case HAMMING -> 0.54 - 0.46 * Math.cos(a * i);
                case RECTANGULAR -> 1.0;
                case BLACKMAN -> blackmanCoeff - 0.5 * Math.cos(a * i) + (0.5 - blackmanCoeff) * Math.cos(2 * a * i);
            };
        }
        return w;
    }

    /**
     * torchaudio's {@code get_mel_banks} (no VTLN), in float32 like torch: mel edges {@code melLow + b*delta} with
     * delta = (melHigh - melLow) / (bins + 1), FFT bin centres at {@code k * sr / fft} for k < fft/2, weights
     * {@code max(0, min(up, down))} of the triangle slopes in mel.
     */
    static float[][] melBanks(int numBins, int fftSize, double sampleFreq, double lowFreq, double highFreq) {
        int numFftBins = fftSize / 2;
        double nyquist = 0.5 * sampleFreq;
        if (highFreq <= 0) highFreq += nyquist;
        float fftBinWidth = (float) (sampleFreq / fftSize);
        double melLow = melScale(lowFreq), melHigh = melScale(highFreq);
        float delta = (float) ((melHigh - melLow) / (numBins + 1));
        float low = (float) melLow;
        float[] mel = new float[numFftBins];
        for (int k = 0; k < numFftBins; k++) {
            float freq = fftBinWidth * k;
            mel[k] = 1127.0f * (float) Math.log(1.0f + freq / 700.0f);
        }
        float[][] banks = new float[numBins][numFftBins];
        for (int b = 0; b < numBins; b++) {
            float left = low + (float) b * delta;
            float center = low + (b + 1.0f) * delta;
            float right = low + (b + 2.0f) * delta;
            for (int k = 0; k < numFftBins; k++) {
                float up = (mel[k] - left) / (center - left);
                float down = (right - mel[k]) / (right - center);
                banks[b][k] = Math.max(0.0f, Math.min(up, down));
            }
        }
        return banks;
    }

    /** Kaldi's mel scale, 1127 ln(1 + f / 700). */
    public static double melScale(double hz) { return 1127.0 * Math.log(1.0 + hz / 700.0); }

    /** The inverse of {@link #melScale}. */
    public static double inverseMelScale(double mel) { return 700.0 * (Math.exp(mel / 1127.0) - 1.0); }
}
