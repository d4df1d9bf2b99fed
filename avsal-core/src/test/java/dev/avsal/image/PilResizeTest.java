package dev.avsal.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PilResize against independent definitions (Pillow's own outputs are checked in PreprocessFixtureTest). */
class PilResizeTest {
    static RgbImage random(int w, int h, long seed) {
        byte[] a = new byte[w * h * 3];
        new Random(seed).nextBytes(a);
        return new RgbImage(w, h, a);
    }

    /** A smooth image with some hard edges, closer to photographs than noise. */
    static RgbImage scene(int w, int h, long seed) {
        Random r = new Random(seed);
        byte[] a = new byte[w * h * 3];
        double fx = 0.02 + 0.1 * r.nextDouble(), fy = 0.02 + 0.1 * r.nextDouble();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 128 + 100 * Math.sin(x * fx * (c + 1) + y * fy) + (x > w / 2 && y < h / 3 ? 60 : 0);
                    a[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) v));
                }
            }
        }
        return new RgbImage(w, h, a);
    }

    @Test
    void aConstantImageStaysConstant() {
        int[][] sizes = {{37, 23, 100, 51}, {640, 480, 64, 48}, {5, 5, 1, 1}, {1, 1, 7, 3}, {300, 2, 10, 2},
            {2, 300, 2, 11}, {97, 131, 384, 224}};
        for (int[] s : sizes) {
            for (int v : new int[] {0, 17, 128, 255}) {
                RgbImage out = PilResize.resize(RgbImage.filled(s[0], s[1], v, 255 - v, v / 2), s[2], s[3]);
                assertEquals(s[2], out.width());
                assertEquals(s[3], out.height());
                for (int i = 0; i < out.rgb().length; i += 3) {
                    assertEquals(v, out.rgb()[i] & 0xFF);
                    assertEquals(255 - v, out.rgb()[i + 1] & 0xFF);
                    assertEquals(v / 2, out.rgb()[i + 2] & 0xFF);
                }
            }
        }
    }

    @Test
    void theSameSizeIsACopy() {
        RgbImage img = random(31, 17, 1);
        RgbImage out = PilResize.resize(img, 31, 17);
        assertArrayEquals(img.rgb(), out.rgb());
        assertNotSame(img.rgb(), out.rgb());
    }

    @Test
    void aHandComputedDownscale() {
        // 4x1 -> 2x1: scale 2, support 4; output 0 is centred at 1.0 and reads inputs 0..3 at kernel positions
        // (x + 0.5 - 1) / 2 = -0.25, 0.25, 0.75, 1.25 -> weights 0.8671875, 0.8671875, 0.2265625, -0.0703125
        byte[] px = new byte[12];
        int[] values = {0, 100, 200, 255};
        for (int i = 0; i < 4; i++) px[i * 3] = px[i * 3 + 1] = px[i * 3 + 2] = (byte) values[i];
        RgbImage out = PilResize.resize(new RgbImage(4, 1, px), 2, 1);
        double[] w = {0.8671875, 0.8671875, 0.2265625, -0.0703125};
        double sum = 0, ww = 0;
        for (int i = 0; i < 4; i++) { sum += w[i] * values[i]; ww += w[i]; }
        assertEquals((int) Math.round(sum / ww), out.get(0, 0, 0)); // 60
        assertEquals(60, out.get(0, 0, 1));
        assertEquals(0.8671875, PilResize.bicubic(0.25));
        assertEquals(-0.0703125, PilResize.bicubic(-1.25));
        assertEquals(1.0, PilResize.bicubic(0));
        assertEquals(0.0, PilResize.bicubic(2.0));
    }

    @Test
    void agreesWithAFloatingPointSeparableResizeWithinOneLevel() {
        int[][] sizes = {{320, 240, 298, 224}, {97, 131, 224, 302}, {500, 281, 384, 224}, {64, 64, 17, 9}};
        for (int[] s : sizes) {
            RgbImage img = scene(s[0], s[1], s[0]);
            RgbImage got = PilResize.resize(img, s[2], s[3]);
            int[] ref = floatResize(img, s[2], s[3]);
            int off = 0;
            for (int i = 0; i < ref.length; i++) {
                int d = Math.abs(ref[i] - (got.rgb()[i] & 0xFF));
                assertTrue(d <= 1, "difference " + d + " at " + i);
                if (d != 0) off++;
            }
            assertTrue(off < ref.length / 50, off + " of " + ref.length + " differ by one");
        }
    }

    @Test
    void aCropPlanEqualsResizeThenCrop() {
        RgbImage img = random(300, 200, 2);
        RgbImage full = PilResize.resize(img, 170, 113);
        RgbImage crop = PilResize.of(300, 200, 170, 113, 23, 11, 100, 90).apply(img);
        assertEquals(100, crop.width());
        assertEquals(90, crop.height());
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 100; x++) {
                for (int c = 0; c < 3; c++) assertEquals(full.get(23 + x, 11 + y, c), crop.get(x, y, c));
            }
        }
        // one axis unchanged, and no change at all
        RgbImage wOnly = PilResize.of(300, 200, 150, 200, 5, 7, 100, 100).apply(img);
        RgbImage wFull = PilResize.resize(img, 150, 200);
        assertEquals(wFull.get(5 + 99, 7 + 99, 2), wOnly.get(99, 99, 2));
        RgbImage none = PilResize.of(300, 200, 300, 200, 5, 7, 10, 10).apply(img);
        assertEquals(img.get(5, 7, 0), none.get(0, 0, 0));
        assertEquals(img.get(14, 16, 1), none.get(9, 9, 1));
    }

    @Test
    void veryTallImagesResizeVerticallyFirstLikePillow122() {
        RgbImage tall = random(3, 400, 3);
        RgbImage got = PilResize.resize(tall, 2, 50);
        // Pillow >= 12.2: height > 100 * width and shrinking height -> resize (3, 50) first, then (2, 50)
        RgbImage want = PilResize.resize(PilResize.resize(tall, 3, 50), 2, 50);
        assertArrayEquals(want.rgb(), got.rgb());
        RgbImage horizontalFirst = PilResize.resize(PilResize.resize(tall, 2, 400), 2, 50);
        assertTrue(!java.util.Arrays.equals(horizontalFirst.rgb(), got.rgb()), "the pass order should matter here");
        // a crop of the vertical-first plan is still a crop
        RgbImage crop = PilResize.of(3, 400, 2, 50, 1, 10, 1, 20).apply(tall);
        assertEquals(got.get(1, 10, 0), crop.get(0, 0, 0));
        assertEquals(got.get(1, 29, 2), crop.get(0, 19, 2));
    }

    @Test
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PilResize.of(0, 5, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> PilResize.of(5, 5, -1, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PilResize.of(5, 5, 40000, 5));
        assertTrue(e.getMessage().contains("output"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PilResize.of(10, 10, 8, 8, 1, 0, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> PilResize.of(10, 10, 20, 20).apply(random(11, 10, 1)));
    }

    /** Separable bicubic in doubles (Pillow's kernel and support), rounded and clamped after each pass. */
    private static int[] floatResize(RgbImage img, int ow, int oh) {
        int w = img.width(), h = img.height();
        double[][] kx = weights(w, ow), ky = weights(h, oh);
        int[] xmin = firsts(w, ow), ymin = firsts(h, oh);
        int[] tmp = new int[ow * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int t = 0; t < kx[x].length; t++) s += kx[x][t] * img.get(xmin[x] + t, y, c);
                    tmp[(y * ow + x) * 3 + c] = clamp(s);
                }
            }
        }
        int[] out = new int[ow * oh * 3];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int t = 0; t < ky[y].length; t++) s += ky[y][t] * tmp[((ymin[y] + t) * ow + x) * 3 + c];
                    out[(y * ow + x) * 3 + c] = clamp(s);
                }
            }
        }
        return out;
    }

    private static int clamp(double v) { return (int) Math.max(0, Math.min(255, Math.round(v))); }

    private static int[] firsts(int in, int out) {
        double scale = (double) in / out, support = 2 * Math.max(scale, 1);
        int[] f = new int[out];
        for (int i = 0; i < out; i++) f[i] = Math.max(0, (int) Math.floor((i + 0.5) * scale - support + 0.5));
        return f;
    }

    private static double[][] weights(int in, int out) {
        double scale = (double) in / out, fs = Math.max(scale, 1), support = 2 * fs;
        int[] first = firsts(in, out);
        double[][] k = new double[out][];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            int last = Math.min(in, (int) Math.floor(centre + support + 0.5));
            k[i] = new double[last - first[i]];
            double sum = 0;
            for (int t = 0; t < k[i].length; t++) {
                double d = Math.abs((first[i] + t + 0.5 - centre) / fs);
                k[i][t] = d < 1 ? 1.5 * d * d * d - 2.5 * d * d + 1 : d < 2 ? -0.5 * d * d * d + 2.5 * d * d - 4 * d + 2 : 0;
                sum += k[i][t];
            }
            for (int t = 0; t < k[i].length; t++) k[i][t] /= sum;
        }
        return k;
    }
}
