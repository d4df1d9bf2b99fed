package dev.avsal.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageBindAudioPreprocessorTest {
    private static final ImageBindAudioPreprocessor PRE = new ImageBindAudioPreprocessor();
    private static final float PAD = (0f + 4.268f) / 9.138f;

    private static float[] noise(int n, long seed, float dc) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.2 * r.nextGaussian() + 0.1 * Math.sin(i * 0.3)) + dc;
        return x;
    }

    @Test
    void twoSecondsGive198FramesThenPadding() {
        float[] x = noise(32000, 1, 0);
        float[] out = PRE.melspec(x);
        assertEquals(128 * 204, out.length);
        // columns 0..197: the normalised fbank of the mean-removed clip, transposed; 198..203: normalised zeros
        float mean = 0;
        double s = 0;
        for (float v : x) s += v;
        mean = (float) (s / x.length);
        float[] c = new float[x.length];
        for (int i = 0; i < x.length; i++) c[i] = x[i] - mean;
        KaldiFbank.Features fb = KaldiFbank.imageBind().compute(c);
        assertEquals(198, fb.frames());
        for (int m = 0; m < 128; m++) {
            for (int t = 0; t < 204; t++) {
                float want = t < 198 ? (fb.get(t, m) - (-4.268f)) / 9.138f : PAD;
                assertEquals(want, out[m * 204 + t], 0f, "mel " + m + " frame " + t);
            }
        }
        assertEquals(0.46706062f, PAD, 1e-7f);
    }

    @Test
    void longClipsKeepTheFirst204Frames() {
        float[] x = noise(16000 * 3, 2, 0);
        float[] head = PRE.melspec(x);
        KaldiFbank.Features fb = KaldiFbank.imageBind().compute(x); // x's mean is ~0; per-frame DC removal anyway
        assertEquals(298, fb.frames());
        for (int m = 0; m < 128; m++) {
            for (int t = 0; t < 204; t++) assertEquals((fb.get(t, m) + 4.268f) / 9.138f, head[m * 204 + t], 2e-5f);
        }
    }

    @Test
    void meanIsTakenOverAllChannelsButOnlyTheFirstIsTransformed() {
        float[] a = noise(20000, 3, 0.3f), b = noise(20000, 4, -0.7f);
        float[] stereo = PRE.melspec(new float[][] {a, b});
        float[] mono = PRE.melspec(a);
        // a constant offset only moves float rounding (each frame has its mean removed)
        for (int i = 0; i < mono.length; i++) assertEquals(mono[i], stereo[i], 2e-5f);
        float[] swapped = PRE.melspec(new float[][] {b, a});
        double diff = 0;
        for (int i = 0; i < mono.length; i++) diff = Math.max(diff, Math.abs(swapped[i] - mono[i]));
        assertTrue(diff > 0.1, "the first channel must be the one transformed");
    }

    @Test
    void rangeAndOutputOffsetVariants() {
        float[] a = noise(40000, 5, 0);
        float[] direct = PRE.melspec(java.util.Arrays.copyOfRange(a, 1000, 33000));
        float[] ranged = PRE.melspec(new float[][] {a}, 1000, 33000);
        assertArrayEquals(direct, ranged);
        float[] buf = new float[PRE.outputLength() + 7];
        PRE.melspec(new float[][] {a}, 1000, 33000, buf, 7);
        assertArrayEquals(direct, java.util.Arrays.copyOfRange(buf, 7, buf.length));
        ImageBindAudioPreprocessor shorter = new ImageBindAudioPreprocessor(100);
        assertEquals(128 * 100, shorter.melspec(a).length);
    }

    @Test
    void clipBoundsFollowConstantClipsPerVideoSampler() {
        // 10 s: max start 8 s, starts k * 8/3 s -> floor(k * 128000 / 3) samples; ends 2 s later
        assertArrayEquals(new int[][] {{0, 32000}, {42666, 74666}, {85333, 117333}},
                ImageBindAudioPreprocessor.clipBounds(160000, 16000, 2, 3));
        // shorter than a clip: every clip is the whole recording (Python slicing clamps the end)
        assertArrayEquals(new int[][] {{0, 16000}, {0, 16000}, {0, 16000}},
                ImageBindAudioPreprocessor.clipBounds(16000, 16000, 2, 3));
        // exactly 2 s: three identical clips
        assertArrayEquals(new int[][] {{0, 32000}, {0, 32000}, {0, 32000}},
                ImageBindAudioPreprocessor.clipBounds(32000, 16000, 2, 3));
        // 3 s: starts 0, 1/3 s, 2/3 s -> 5333.33 and 10666.67 truncate
        assertArrayEquals(new int[][] {{0, 32000}, {5333, 37333}, {10666, 42666}},
                ImageBindAudioPreprocessor.clipBounds(48000, 16000, 2, 3));
        // D = 3.7 s is not exact in binary: D - 2 = 1.7000000000000002 (a double), so k=... uses that exact value
        int[][] b = ImageBindAudioPreprocessor.clipBounds(59200, 16000, 2, 3);
        assertEquals(9066, b[1][0]); // floor(1.7000000000000002 * 16000 / 3) = floor(9066.67)
        assertEquals(18133, b[2][0]);
        assertThrows(IllegalArgumentException.class, () -> ImageBindAudioPreprocessor.clipBounds(100, 0, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ImageBindAudioPreprocessor.clipBounds(100, 16000, 2, 0));
    }

    @Test
    void clipsReplayImageBindsInPlaceMeanRemoval() {
        float[] a = noise(16000 * 5, 6, 0.2f), b = noise(16000 * 5, 7, 0);
        float[] a0 = a.clone(), b0 = b.clone();
        float[] all = PRE.clips(new float[][] {a, b});
        assertArrayEquals(a0, a); // input untouched
        assertArrayEquals(b0, b);
        assertEquals(3 * PRE.outputLength(), all.length);
        // 5 s: clips [0, 2), [1, 3), [2, 4) s overlap. ImageBind's waveform -= mean acts on a view of the shared
        // tensor, so clip k sees the earlier clips' subtraction: replay that on a copy.
        int[][] bounds = ImageBindAudioPreprocessor.clipBounds(a.length, 16000, 2, 3);
        assertArrayEquals(new int[][] {{0, 32000}, {16000, 48000}, {32000, 64000}}, bounds);
        float[][] work = {a.clone(), b.clone()};
        double maxStep = 0;
        for (int k = 0; k < 3; k++) {
            float[] want = PRE.melspec(work, bounds[k][0], bounds[k][1]);
            double s = 0;
            for (float[] ch : work) for (int i = bounds[k][0]; i < bounds[k][1]; i++) s += ch[i];
            float mean = (float) (s / (2.0 * (bounds[k][1] - bounds[k][0])));
            for (float[] ch : work) for (int i = bounds[k][0]; i < bounds[k][1]; i++) ch[i] -= mean;
            for (int i = 0; i < want.length; i++) assertEquals(want[i], all[k * want.length + i], 2e-5f);
            // and it matters: frames across the end of the previous clip see a DC step
            float[] pristine = PRE.melspec(new float[][] {a, b}, bounds[k][0], bounds[k][1]);
            for (int i = 0; i < want.length; i++) maxStep = Math.max(maxStep, Math.abs(pristine[i] - want[i]));
        }
        assertTrue(maxStep > 1e-3, "overlapping clips should differ from independent ones: " + maxStep);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PRE.melspec(new float[399]));
        assertTrue(e.getMessage().contains("399"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PRE.melspec(new float[][] {}));
        assertThrows(IllegalArgumentException.class, () -> PRE.melspec(new float[][] {new float[800], new float[801]}));
        assertThrows(IndexOutOfBoundsException.class, () -> PRE.melspec(new float[][] {new float[800]}, 0, 900));
        assertThrows(IllegalArgumentException.class, () -> new ImageBindAudioPreprocessor(0));
    }
}
