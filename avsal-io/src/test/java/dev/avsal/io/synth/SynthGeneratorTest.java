package dev.avsal.io.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.io.VideoFrame;
import dev.avsal.io.VideoReader;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthGeneratorTest {
    @TempDir
    Path tmp;

    /** Power of a pure frequency in the signal (one DFT bin, Goertzel-style direct sum). */
    static double power(float[] x, int from, int to, double hz) {
        double re = 0, im = 0;
        for (int i = from; i < to; i++) {
            double a = 2 * Math.PI * hz * i / SynthConfig.SAMPLE_RATE;
            re += x[i] * Math.cos(a);
            im += x[i] * Math.sin(a);
        }
        return (re * re + im * im) / ((double) (to - from) * (to - from));
    }

    @Test
    void clipsAreDeterministicAndTheTruthFollowsTheSoundingDisc() {
        SynthGenerator g = new SynthGenerator(SynthConfig.builder().setClips(12).optFrames(10).optSeed(5).build());
        for (int i = 0; i < 12; i++) {
            SynthClip c = g.clip(i), again = g.clip(i);
            assertArrayEquals(c.audio(), again.audio());
            assertArrayEquals(c.frames().get(3).rgb(), again.frames().get(3).rgb());
            assertTrue(c.colours().length >= 2 && c.colours().length <= 3);
            assertEquals(10, c.frameCount());
            assertEquals(16_000 * 10 / 8, c.audio().length);
            // the sounding disc's tone dominates every other colour's tone by far
            double own = power(c.audio(), 0, c.audio().length, SynthConfig.tone(c.colours()[c.sounding()]));
            for (int col = 0; col < SynthConfig.colours(); col++)
                if (col != c.colours()[c.sounding()])
                    assertTrue(own > 100 * power(c.audio(), 0, c.audio().length, SynthConfig.tone(col)), "clip " + i);
            for (int f = 0; f < c.frameCount(); f++) {
                double[] s = c.centres().get(f)[c.sounding()];
                Map2D d = c.density().get(f);
                int best = 0;
                for (int j = 1; j < d.size(); j++) if (d.data()[j] > d.data()[best]) best = j;
                assertEquals(s[0], best % d.width(), 0.51);
                assertEquals(s[1], best / d.width(), 0.51);
                Fixations fx = c.fixations().get(f);
                double mx = 0, my = 0;
                for (int j = 0; j < fx.count(); j++) {
                    mx += fx.x(j) / (double) fx.count();
                    my += fx.y(j) / (double) fx.count();
                }
                assertTrue(Math.hypot(mx - s[0], my - s[1]) < 8, "fixations centre on the sounding disc");
                // every disc is drawn in its colour at its centre
                for (int o = 0; o < c.colours().length; o++) {
                    double[] p = c.centres().get(f)[o];
                    int x = (int) Math.round(p[0]), y = (int) Math.round(p[1]);
                    assertTrue(x >= 0 && y >= 0 && x < 112 && y < 112, "disc inside the frame");
                }
            }
        }
        // the sounding disc is not always the same colour, nor always in the centre
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int i = 0; i < 12; i++) colours.add(g.clip(i).colours()[g.clip(i).sounding()]);
        assertTrue(colours.size() >= 3, colours.toString());
        assertEquals("train", g.split(0));
        assertEquals("val", g.split(8));
        assertEquals("test", g.split(11));
    }

    @Test
    void windowEndsAtTheFrameWithZerosBeforeTheClip() {
        SynthGenerator g = new SynthGenerator(SynthConfig.builder().setClips(1).optFrames(16).build());
        SynthClip c = g.clip(0);
        float[] w0 = SynthGenerator.window(c, 0, 2.0), w8 = SynthGenerator.window(c, 8, 2.0);
        assertEquals(32_000, w0.length);
        for (float v : w0) assertEquals(0f, v);
        // frame 8 is at 1 s: the last 16000 samples of its window are the clip's first second
        for (int j = 0; j < 16_000; j++) assertEquals(0f, w8[j]);
        for (int j = 0; j < 16_000; j++) assertEquals(c.audio()[j], w8[16_000 + j]);
    }

    @Test
    void writesTheAvimosLayoutThatDecodesBack() throws Exception {
        SynthGenerator g = new SynthGenerator(SynthConfig.builder().setClips(6).optFrames(8).build());
        Path root = tmp.resolve("ds");
        Map<String, List<String>> splits = g.write(root, false);
        assertEquals(List.of("synth_0000", "synth_0001", "synth_0002", "synth_0003"), splits.get("train"));
        assertEquals(List.of("synth_0004"), splits.get("val"));
        assertEquals(List.of("synth_0005"), Files.readAllLines(root.resolve("splits/test.txt")));
        SynthClip c = g.clip(2);
        try (VideoReader r = VideoReader.builder().setFile(root.resolve("videos/synth_0002.mp4")).build()) {
            int n = 0;
            VideoFrame f, last = null;
            while ((f = r.read()) != null) {
                if (n == 3) { // H.264 is lossy: compare the frame's mean colour at the sounding disc
                    double[] s = c.centres().get(3)[c.sounding()];
                    int[] want = SynthConfig.COLOURS[c.colours()[c.sounding()]];
                    for (int ch = 0; ch < 3; ch++)
                        assertEquals(want[ch], f.get((int) Math.round(s[0]), (int) Math.round(s[1]), ch), 30);
                }
                last = f;
                n++;
            }
            assertEquals(8, n);
            // the decoded audio of the last frame holds the sounding tone (AAC-coded)
            float[] a = last.audio();
            double own = power(a, a.length - 12_000, a.length, SynthConfig.tone(c.colours()[c.sounding()]));
            for (int col = 0; col < SynthConfig.colours(); col++)
                if (col != c.colours()[c.sounding()])
                    assertTrue(own > 20 * power(a, a.length - 12_000, a.length, SynthConfig.tone(col)));
        }
        try (VideoReader r = VideoReader.builder().setFile(root.resolve("saliency/synth_0002.mp4")).optAudio(false).build()) {
            VideoFrame f = r.read();
            double[] s = c.centres().get(0)[c.sounding()];
            assertTrue(f.get((int) Math.round(s[0]), (int) Math.round(s[1]), 0) > 200, "density peak is white");
            assertTrue(f.get(((int) Math.round(s[0]) + 56) % 112, ((int) Math.round(s[1]) + 56) % 112, 0) < 30);
        }
        List<?> fix = (List<?>) Json.parse(root.resolve("fixations/synth_0002/fixations.json"));
        assertEquals(8, fix.size());
        List<?> p0 = (List<?>) fix.get(0);
        assertEquals(c.fixations().get(0).count(), p0.size());
        assertEquals((long) c.fixations().get(0).y(0), ((List<?>) p0.get(0)).get(0)); // [row, column]
        assertEquals((long) c.fixations().get(0).x(0), ((List<?>) p0.get(0)).get(1));
        // and the dataset reader reads the layout back: same fixations, density peak on the sounding disc
        dev.avsal.data.SaliencyDataset ds = dev.avsal.io.datasets.Datasets.open(root);
        assertEquals(List.of("synth_0005"), ds.videos("test").stream().map(dev.avsal.data.AnnotatedVideo::id).toList());
        dev.avsal.data.AnnotatedVideo v = ds.videos("train").get(2);
        assertEquals("synth_0002", v.id());
        assertEquals(8, v.frameCount());
        assertEquals(c.fixations().get(5).x(3), v.fixations(5).x(3));
        assertEquals(c.fixations().get(5).y(3), v.fixations(5).y(3));
        Map2D d5 = v.density(5);
        int best = 0;
        for (int j = 1; j < d5.size(); j++) if (d5.data()[j] > d5.data()[best]) best = j;
        double[] s5 = c.centres().get(5)[c.sounding()];
        assertEquals(s5[0], best % 112, 2.0);
        assertEquals(s5[1], best / 112, 2.0);
        assertThrows(IOException.class, () -> g.write(root, false));
    }
}
