package dev.avsal.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClipImagePreprocessorTest {
    private static final ClipImagePreprocessor CLIP = ClipImagePreprocessor.centerCrop(224);

    /** R = x, G = y (mod 256), B = 7: every pixel says where it came from. */
    private static RgbImage coordinates(int w, int h) {
        byte[] a = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                a[(y * w + x) * 3] = (byte) x;
                a[(y * w + x) * 3 + 1] = (byte) y;
                a[(y * w + x) * 3 + 2] = 7;
            }
        }
        return new RgbImage(w, h, a);
    }

    @Test
    void resizePlanFollowsTorchvision() {
        PilResize p = CLIP.plan(320, 240); // short 240 -> 224, long int(224 * 320 / 240) = 298, crop left 37
        assertEquals(224, p.outputWidth());
        assertEquals(224, p.outputHeight());
        RgbImage img = PilResizeTest.scene(320, 240, 9);
        RgbImage want = PilResize.of(320, 240, 298, 224, 37, 0, 224, 224).apply(img);
        assertArrayEquals(want.rgb(), CLIP.resize(img).rgb());
        // portrait: 97 x 131 -> 224 x int(224 * 131 / 97) = 302, top = round(39.0) = 39
        RgbImage img2 = PilResizeTest.scene(97, 131, 10);
        assertArrayEquals(PilResize.of(97, 131, 224, 302, 0, 39, 224, 224).apply(img2).rgb(), CLIP.resize(img2).rgb());
    }

    @Test
    void centreCropRoundsHalfToEvenLikePython() {
        // 225 x 224 needs no resize; (225 - 224) / 2 = 0.5 rounds to 0. 227: 1.5 rounds to 2. 229: 2.5 to 2.
        for (int[] c : new int[][] {{225, 0}, {227, 2}, {229, 2}, {226, 1}}) {
            RgbImage out = CLIP.resize(coordinates(c[0], 224));
            assertEquals(c[1], out.get(0, 0, 0), "width " + c[0]);
            assertEquals(c[1] + 223, out.get(223, 0, 0));
            assertEquals(100, out.get(5, 100, 1));
            RgbImage tall = CLIP.resize(coordinates(224, c[0]));
            assertEquals(c[1], tall.get(0, 0, 1), "height " + c[0]);
        }
    }

    @Test
    void normalisesWithClipMeanAndStdInChwOrder() {
        RgbImage img = coordinates(224, 224); // no resize, no crop
        float[] out = CLIP.preprocess(img);
        assertEquals(3 * 224 * 224, out.length);
        float[] mean = ClipImagePreprocessor.clipMean(), std = ClipImagePreprocessor.clipStd();
        assertArrayEquals(new float[] {0.48145466f, 0.4578275f, 0.40821073f}, mean);
        assertArrayEquals(new float[] {0.26862954f, 0.26130258f, 0.27577711f}, std);
        int plane = 224 * 224;
        for (int y = 0; y < 224; y += 17) {
            for (int x = 0; x < 224; x += 13) {
                assertEquals((x / 255f - mean[0]) / std[0], out[y * 224 + x], 0f);
                assertEquals((y / 255f - mean[1]) / std[1], out[plane + y * 224 + x], 0f);
                assertEquals((7 / 255f - mean[2]) / std[2], out[2 * plane + y * 224 + x], 0f);
            }
        }
        float[] batch = new float[2 * out.length];
        CLIP.preprocess(img, batch, out.length);
        assertArrayEquals(out, java.util.Arrays.copyOfRange(batch, out.length, batch.length));
        assertThrows(IndexOutOfBoundsException.class, () -> CLIP.preprocess(img, new float[out.length], 1));
    }

    @Test
    void exactSizeModeDoesNotCrop() {
        ClipImagePreprocessor wide = ClipImagePreprocessor.exactSize(224, 384);
        assertEquals(384, wide.outputWidth());
        assertEquals(224, wide.outputHeight());
        assertEquals(new ClipImagePreprocessor.ExactSize(224, 384), wide.mode());
        RgbImage img = PilResizeTest.scene(500, 281, 11);
        assertArrayEquals(PilResize.resize(img, 384, 224).rgb(), wide.resize(img).rgb());
        assertEquals(3 * 224 * 384, wide.preprocess(img).length);
    }

    @Test
    void thePlanIsReusedForEqualSizesAndRebuiltForOthers() {
        ClipImagePreprocessor p = ClipImagePreprocessor.centerCrop(32);
        PilResize a = p.plan(100, 80);
        assertTrue(a == p.plan(100, 80));
        PilResize b = p.plan(80, 100);
        assertEquals(80, b.sourceWidth());
        assertEquals(32, p.resize(PilResizeTest.random(80, 100, 1)).width());
    }

    @Test
    void absurdSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ClipImagePreprocessor.centerCrop(0));
        assertThrows(IllegalArgumentException.class, () -> ClipImagePreprocessor.centerCrop(-224));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipImagePreprocessor.centerCrop(ClipImagePreprocessor.MAX_OUTPUT_SIDE + 1));
        assertTrue(e.getMessage().contains("crop size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClipImagePreprocessor.exactSize(0, 384));
        assertThrows(IllegalArgumentException.class, () -> ClipImagePreprocessor.exactSize(224, 100_000));
        // 1 x 30000: the shorter side to 224 makes the other 6.7 million pixels long
        RgbImage needle = RgbImage.filled(1, 30000, 1, 2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> CLIP.preprocess(needle));
        assertTrue(e.getMessage().contains("elongated"), e.getMessage());
    }
}
