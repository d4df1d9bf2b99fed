package dev.avsal.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.audio.KaldiFbank.Features;
import dev.avsal.audio.KaldiFbank.Options;
import dev.avsal.audio.KaldiFbank.WindowType;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** KaldiFbank against independent definitions (the torchaudio fixtures are in KaldiFbankFixtureTest). */
class KaldiFbankTest {
    private static final KaldiFbank IB = KaldiFbank.imageBind();

    @Test
    void imageBindOptionsResolveToKaldiSizes() {
        Options o = Options.imageBind();
        assertEquals(400, o.windowSize());
        assertEquals(160, o.windowShift());
        assertEquals(512, o.paddedWindowSize());
        assertEquals(128, o.numMelBins());
        assertEquals(WindowType.HANNING, o.windowType());
        assertTrue(o.htkCompat() && !o.useEnergy() && o.snipEdges() && o.removeDcOffset() && o.usePower());
        assertEquals(0.97, o.preemphasisCoefficient());
        assertEquals(20.0, o.lowFreq());
        assertEquals(0.0, o.highFreq());
        assertEquals(0.0, o.dither());
        assertEquals(128, IB.columns());
    }

    @Test
    void frameCountsFollowSnipEdges() {
        assertEquals(0, IB.numFrames(399));
        assertEquals(1, IB.numFrames(400));
        assertEquals(1, IB.numFrames(401));
        assertEquals(1, IB.numFrames(559));
        assertEquals(2, IB.numFrames(560));
        assertEquals(198, IB.numFrames(32000));
        assertEquals(1, IB.compute(new float[400]).frames());
        assertEquals(1, IB.compute(new float[401]).frames());
        assertEquals(198, IB.compute(new float[32000]).frames());
        // torchaudio asserts window_size <= len(waveform); so do we, naming the sizes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IB.compute(new float[399]));
        assertTrue(e.getMessage().contains("399") && e.getMessage().contains("400"), e.getMessage());

        KaldiFbank centred = new KaldiFbank(Options.imageBind().toBuilder().snipEdges(false).build());
        assertEquals(200, centred.numFrames(32000)); // (n + shift/2) / shift
        assertEquals(3, centred.numFrames(400));
        assertEquals(3, centred.compute(new float[400]).frames());
    }

    @Test
    void silenceGivesTheLogFloorEverywhere() {
        Features f = IB.compute(new float[4000]);
        float floor = (float) Math.log(0x1p-23);
        for (float v : f.values()) assertEquals(floor, v);
        assertEquals(-15.942385f, floor, 1e-6f);
    }

    @Test
    void sineAtABinCentrePeaksInThatBin() {
        double melLow = KaldiFbank.melScale(20), melHigh = KaldiFbank.melScale(8000);
        double delta = (melHigh - melLow) / 129;
        for (int bin : new int[] {20, 50, 80, 110, 125}) {
            double hz = KaldiFbank.inverseMelScale(melLow + (bin + 1) * delta);
            float[] x = new float[16000];
            for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 16000));
            Features f = IB.compute(x);
            int frame = f.frames() / 2, best = 0;
            for (int b = 1; b < 128; b++) if (f.get(frame, b) > f.get(frame, best)) best = b;
            assertEquals(bin, best, "sine at " + hz + " Hz");
            assertTrue(f.get(frame, bin) > f.get(frame, bin - 1) && f.get(frame, bin) > f.get(frame, bin + 1));
        }
    }

    @Test
    void melBanksAreKaldiTriangles() {
        float[][] banks = IB.melBanks();
        assertEquals(128, banks.length);
        assertEquals(256, banks[0].length); // FFT bins 0..255: the Nyquist bin gets no weight
        double melLow = KaldiFbank.melScale(20), delta = (KaldiFbank.melScale(8000) - melLow) / 129;
        double worst = 0;
        for (int b = 0; b < 128; b++) {
            double left = melLow + b * delta, centre = left + delta, right = centre + delta;
            for (int k = 0; k < 256; k++) {
                double mel = KaldiFbank.melScale(k * 16000.0 / 512);
                double w = Math.max(0, Math.min((mel - left) / (centre - left), (right - mel) / (right - centre)));
                worst = Math.max(worst, Math.abs(w - banks[b][k]));
                assertTrue(banks[b][k] >= 0 && banks[b][k] <= 1);
                if (mel <= left || mel >= right) assertEquals(0f, banks[b][k], "bin " + b + " fft " + k);
            }
        }
        // torch builds the banks in float32: mel differences of ~2000-mel numbers lose ~1e-4 mel of 21.8
        assertTrue(worst < 2e-5, "worst weight difference " + worst);
    }

    @Test
    void spectrumMatchesADirectDft() {
        Random rnd = new Random(5);
        for (int n : new int[] {2, 4, 8, 64, 512, 400, 6}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextGaussian();
            Spectrum s = new Spectrum(n);
            double[] out = new double[n / 2 + 1];
            s.power(x, new double[s.scratchLength()], new double[s.scratchLength()], out);
            double[] ref = directPower(x);
            for (int k = 0; k <= n / 2; k++) assertEquals(ref[k], out[k], 1e-9 * (1 + ref[k]), "n=" + n + " k=" + k);
        }
        assertThrows(IllegalArgumentException.class, () -> new Spectrum(7));
    }

    @Test
    void matchesAPlainStatementOfTheAlgorithmForManyOptions() {
        Random rnd = new Random(11);
        float[] x = new float[16000 * 3 / 4 + 37];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * 0.9) + 0.05 * rnd.nextGaussian() + 0.1);
        }
        check(x, Options.imageBind(), b -> {});
        check(x, Options.torchaudioDefaults(), b -> b.useEnergy(true).htkCompat(false));
        check(x, Options.torchaudioDefaults(), b -> b.windowType(WindowType.HAMMING).useEnergy(true).htkCompat(true)
                .rawEnergy(false).energyFloor(0).usePower(false).useLogFbank(false).numMelBins(30));
        check(x, Options.imageBind(), b -> b.windowType(WindowType.RECTANGULAR).snipEdges(false).removeDcOffset(false)
                .preemphasisCoefficient(0).roundToPowerOfTwo(false).subtractMean(true).numMelBins(64));
        check(x, Options.torchaudioDefaults(), b -> b.windowType(WindowType.BLACKMAN).sampleFrequency(8000)
                .lowFreq(100).highFreq(-400).numMelBins(40).frameLengthMs(32).frameShiftMs(12.5)
                .energyFloor(5).useEnergy(true));
    }

    @Test
    void channelSelection() {
        Random rnd = new Random(2);
        float[] a = new float[2000], b = new float[2000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
            b[i] = (float) rnd.nextGaussian();
        }
        assertArrayEquals(IB.compute(a).values(), IB.compute(new float[][] {a, b}).values());
        KaldiFbank second = new KaldiFbank(Options.imageBind().toBuilder().channel(1).build());
        assertArrayEquals(IB.compute(b).values(), second.compute(new float[][] {a, b}).values());
        assertThrows(IllegalArgumentException.class, () -> second.compute(new float[][] {a}));
    }

    @Test
    void offsetAndDoubleInputAgreeWithPlainInput() {
        Random rnd = new Random(3);
        float[] x = new float[5000];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] slice = java.util.Arrays.copyOfRange(x, 123, 123 + 4000);
        assertArrayEquals(IB.compute(slice).values(), IB.compute(x, 123, 4000).values());
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        assertArrayEquals(IB.compute(x).values(), IB.compute(d, 0, d.length).values());
    }

    @Test
    void aConstantOffsetIsRemovedPerFrame() {
        Random rnd = new Random(4);
        float[] x = new float[8000], y = new float[8000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.2 * rnd.nextGaussian());
            y[i] = x[i] + 0.25f;
        }
        float[] fx = IB.compute(x).values(), fy = IB.compute(y).values();
        for (int i = 0; i < fx.length; i++) assertEquals(fx[i], fy[i], 1e-4);
    }

    @Test
    void badOptionsAreRejectedByName() {
        Options ib = Options.imageBind();
        assertMessage("dither", () -> ib.toBuilder().dither(1.0).build());
        assertMessage("numMelBins", () -> ib.toBuilder().numMelBins(3).build());
        assertMessage("mel range", () -> ib.toBuilder().lowFreq(8000).build());
        assertMessage("mel range", () -> ib.toBuilder().highFreq(9000).build());
        assertMessage("mel range", () -> ib.toBuilder().lowFreq(7000).highFreq(-1500).build());
        assertMessage("window size", () -> ib.toBuilder().frameLengthMs(0.1).build());
        assertMessage("frameShiftMs", () -> ib.toBuilder().frameShiftMs(-1).build());
        assertMessage("sampleFrequency", () -> ib.toBuilder().sampleFrequency(Double.NaN).build());
        assertMessage("preemphasisCoefficient", () -> ib.toBuilder().preemphasisCoefficient(1.5).build());
        assertMessage("must be even", () -> ib.toBuilder().roundToPowerOfTwo(false).frameLengthMs(25.0625).build());
        assertMessage("channel", () -> ib.toBuilder().channel(-2).build());
        assertThrows(NullPointerException.class, () -> ib.toBuilder().windowType(null).build());
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    private static void check(float[] x, Options base, Consumer<KaldiFbank.Builder> edit) {
        KaldiFbank.Builder b = base.toBuilder();
        edit.accept(b);
        Options o = b.build();
        Features got = new KaldiFbank(o).compute(x);
        double[][] ref = reference(x, o);
        assertEquals(ref.length, got.frames(), o.toString());
        assertEquals(ref[0].length, got.columns());
        for (int f = 0; f < ref.length; f++) {
            for (int c = 0; c < ref[f].length; c++) {
                double tol = o.useLogFbank() ? 2e-4 : 2e-4 * Math.abs(ref[f][c]) + 1e-6;
                assertEquals(ref[f][c], got.get(f, c), tol, "frame " + f + " column " + c + " of " + o);
            }
        }
    }

    /**
     * Kaldi's fbank written out plainly from its definition (doubles, naive DFT, triangles from the mel formula),
     * deliberately sharing no code with KaldiFbank.
     */
    private static double[][] reference(float[] x, Options o) {
        int n = x.length, ws = (int) (o.sampleFrequency() * o.frameLengthMs() * 0.001);
        int sh = (int) (o.sampleFrequency() * o.frameShiftMs() * 0.001);
        int fft = ws;
        if (o.roundToPowerOfTwo()) for (fft = 1; fft < ws; fft *= 2) { }
        int frames = o.snipEdges() ? 1 + (n - ws) / sh : (n + sh / 2) / sh;
        int bins = o.numMelBins(), cols = bins + (o.useEnergy() ? 1 : 0);
        double nyq = o.sampleFrequency() / 2, hi = o.highFreq() <= 0 ? nyq + o.highFreq() : o.highFreq();
        double mlo = 1127 * Math.log(1 + o.lowFreq() / 700), mhi = 1127 * Math.log(1 + hi / 700);
        double dm = (mhi - mlo) / (bins + 1);
        double[][] out = new double[frames][cols];
        for (int f = 0; f < frames; f++) {
            double[] v = new double[fft];
            for (int j = 0; j < ws; j++) {
                int i = o.snipEdges() ? f * sh + j : f * sh + j - (ws / 2 - sh / 2);
                if (i < 0) i = -i - 1;
                if (i >= n) i = 2 * n - 1 - i;
                v[j] = x[i];
            }
            if (o.removeDcOffset()) {
                double m = 0;
                for (int j = 0; j < ws; j++) m += v[j] / ws;
                for (int j = 0; j < ws; j++) v[j] -= m;
            }
            double raw = 0;
            for (int j = 0; j < ws; j++) raw += v[j] * v[j];
            double[] pre = v.clone();
            for (int j = 0; j < ws; j++) pre[j] = v[j] - o.preemphasisCoefficient() * v[Math.max(j - 1, 0)];
            for (int j = 0; j < ws; j++) {
                double a = 2 * Math.PI * j / (ws - 1), h = 0.5 - 0.5 * Math.cos(a);
                pre[j] *= switch (o.windowType()) {
                    case HANNING -> h;
                    case POVEY -> Math.pow(h, 0.85);
                    case HAMMING -> 0.54 - 0.46 * Math.cos(a);
                    case RECTANGULAR -> 1;
                    case BLACKMAN -> o.blackmanCoeff() - 0.5 * Math.cos(a) + (0.5 - o.blackmanCoeff()) * Math.cos(2 * a);
                };
            }
            double windowed = 0;
            for (double p : pre) windowed += p * p;
            double[] spec = directPower(pre);
            if (!o.usePower()) for (int k = 0; k < spec.length; k++) spec[k] = Math.sqrt(spec[k]);
            int off = o.useEnergy() && !o.htkCompat() ? 1 : 0;
            for (int b = 0; b < bins; b++) {
                double e = 0;
                for (int k = 0; k < fft / 2; k++) {
                    double mel = 1127 * Math.log(1 + k * o.sampleFrequency() / fft / 700);
                    double up = (mel - (mlo + b * dm)) / dm, down = (mlo + (b + 2) * dm - mel) / dm;
                    e += Math.max(0, Math.min(up, down)) * spec[k];
                }
                out[f][off + b] = o.useLogFbank() ? Math.log(Math.max(e, 0x1p-23)) : e;
            }
            if (o.useEnergy()) {
                double le = Math.log(Math.max(o.rawEnergy() ? raw : windowed, 0x1p-23));
                if (o.energyFloor() > 0) le = Math.max(le, Math.log(o.energyFloor()));
                out[f][o.htkCompat() ? bins : 0] = le;
            }
        }
        if (o.subtractMean()) {
            for (int c = 0; c < cols; c++) {
                double m = 0;
                for (double[] row : out) m += row[c] / frames;
                for (double[] row : out) row[c] -= m;
            }
        }
        return out;
    }

    private static double[] directPower(double[] x) {
        int n = x.length;
        double[] p = new double[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++) {
            double re = 0, im = 0;
            for (int j = 0; j < n; j++) {
                re += x[j] * Math.cos(2 * Math.PI * j * k / n);
                im -= x[j] * Math.sin(2 * Math.PI * j * k / n);
            }
            p[k] = re * re + im * im;
        }
        return p;
    }
}
