package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VideoReaderTest {
    static final int SR = 16_000;

    static List<VideoFrame> readAll(VideoReader r) throws Exception {
        List<VideoFrame> out = new ArrayList<>();
        for (VideoFrame f; (f = r.read()) != null; ) out.add(f);
        return out;
    }

    static List<VideoFrame> readAll(VideoReader.Builder b) throws Exception {
        try (VideoReader r = b.build()) {
            return readAll(r);
        }
    }

    static void assertColours(VideoFrame f, int tol) {
        for (int q = 0; q < 4; q++) {
            int[] c = block(f, q);
            for (int k = 0; k < 3; k++) {
                int want = BLOCK_RGB[q][k];
                assertTrue(Math.abs(c[k] - want) <= tol, "frame " + f.index() + " block " + q + " channel " + k
                        + " = " + c[k] + ", want " + want);
            }
        }
    }

    /** The SYNC clip's gate: on during [k, k + 0.5) s for k = 0, 1, 2 (audio lasts 3 s). */
    static List<Integer> expectedSwitches(double windowStart, double seconds) {
        List<Integer> out = new ArrayList<>();
        for (double tau = 0; tau <= 2.5; tau += 0.5) {
            if (tau > windowStart + 0.01 && tau < windowStart + seconds - 0.01) {
                out.add((int) Math.round((tau - windowStart) * SR));
            }
        }
        return out;
    }

    static void assertSwitches(List<Integer> want, List<Integer> got, String what) {
        assertEquals(want.size(), got.size(), what + ": switches " + got + ", want " + want);
        for (int i = 0; i < want.size(); i++) {
            // 48 samples = 3 ms: the detector works on 2.5 ms blocks, AAC smears edges by a few samples
            assertEquals(want.get(i), got.get(i), 48, what + ": switch " + i + " in " + got + ", want " + want);
        }
    }

    @Test void mp4AtSourceRate() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).build()) {
            VideoInfo i = r.info();
            assertEquals(160, i.width());
            assertEquals(96, i.height());
            assertEquals("h264", i.videoCodec());
            assertEquals("yuv420p", i.pixelFormat());
            assertEquals(25.0, i.frameRate(), 1e-9);
            assertEquals(75, i.frameCount());
            assertEquals(3.0, i.durationSeconds(), 0.05);
            assertTrue(i.hasAudio());
            assertEquals("aac", i.audioCodec());
            assertEquals(44100, i.audioSampleRate());
            assertEquals(2, i.audioChannels());
            assertEquals(0, i.rotation());
            assertEquals(25.0, r.frameRate(), 1e-9);
            List<VideoFrame> frames = readAll(r);
            assertEquals(75, frames.size());
            for (int n = 0; n < 75; n++) {
                VideoFrame f = frames.get(n);
                assertEquals(n, f.index());
                assertEquals(n * 40_000L, f.ptsMicros(), "pts of frame " + n);
                assertEquals(f.ptsMicros(), f.sourcePtsMicros());
                assertEquals(n, frameNumber(f), "frame number in the pixels of frame " + n);
                assertEquals(160 * 96 * 3, f.rgb().length);
                assertColours(f, 6); // RGB order: block 0 is red, block 2 blue (BGR would swap them)
                assertEquals(32_000, f.audio().length);
            }
            assertTrue(r.warnings().isEmpty(), r.warnings().toString());
            assertNull(r.read(), "stays at the end");
        }
    }

    @Test void audioWindowsEndAtTheFrame() throws Exception {
        List<VideoFrame> frames = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)));
        float[] first = frames.get(0).audio(); // [-2 s, 0): all padding
        for (float v : first) assertEquals(0f, v);
        for (int n : new int[] {5, 12, 25, 38, 50, 62, 74}) {
            VideoFrame f = frames.get(n);
            double start = f.seconds() - 2.0;
            assertSwitches(expectedSwitches(start, 2.0), switches(f.audio(), SR, 0.25), "frame " + n);
            int before = (int) Math.round(-start * SR);
            for (int i = 0; i < Math.min(before, 32_000); i++) assertEquals(0f, f.audio()[i], "padding before 0 s");
        }
        // frame 50 (t = 2 s): window [0, 2) s; [1.1, 1.4) s lies in a gated-on stretch: L 440 Hz + R 1000 Hz, mean
        float[] a = frames.get(50).audio();
        assertEquals(0.25, amplitude(a, 17_600, 22_400, 440, SR), 0.01);
        assertEquals(0.25, amplitude(a, 17_600, 22_400, 1000, SR), 0.01);
        assertEquals(0.0, amplitude(a, 17_600, 22_400, 700, SR), 0.005);
        assertEquals(0.0, rms(a, 8_800, 15_200), 0.005); // gated off [0.55, 0.95) s
    }

    @Test void centredAndStartingWindowsWithEndPadding() throws Exception {
        List<VideoFrame> c = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC))
                .optAudioWindow(AudioAlignment.CENTERED, 2.0));
        for (int n : new int[] {0, 25, 40, 74}) {
            VideoFrame f = c.get(n);
            assertSwitches(expectedSwitches(f.seconds() - 1.0, 2.0), switches(f.audio(), SR, 0.25), "centred " + n);
        }
        List<VideoFrame> s = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC))
                .optAudioWindow(AudioAlignment.STARTING_AT_FRAME, 1.0));
        assertEquals(16_000, s.get(0).audio().length);
        for (int n : new int[] {0, 13, 25, 60}) {
            VideoFrame f = s.get(n);
            assertSwitches(expectedSwitches(f.seconds(), 1.0), switches(f.audio(), SR, 0.25), "starting " + n);
        }
        // continuous tone until 2 s (Opus): a centred window on the last frame is zero-padded after the end
        List<VideoFrame> o = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ODD)).optAudioWindow(AudioAlignment.CENTERED, 2.0));
        VideoFrame last = o.get(o.size() - 1);
        int end = (int) Math.round((2.0 - (last.seconds() - 1.0)) * SR); // index of t = 2 s
        assertEquals(0.5 / Math.sqrt(2), rms(last.audio(), 0, end - 400), 0.02);
        for (int i = end + 800; i < 32_000; i++) assertEquals(0f, last.audio()[i], "padding after the end at " + i);
    }

    @Test void channelMixes() throws Exception {
        float[] first = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optAudioMix(AudioMix.FIRST_CHANNEL)).get(50).audio();
        assertEquals(0.5, amplitude(first, 17_600, 22_400, 440, SR), 0.02);
        assertEquals(0.0, amplitude(first, 17_600, 22_400, 1000, SR), 0.005);
        // 5.1 at 48 kHz: FL 300, FR 500, FC 700, LFE 100, BL 900, BR 1100 Hz, each 0.3
        float[] mean = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT))).get(49).audio(); // t = 1.96 s: [-0.04, 1.96)
        int from = (int) Math.round(1.1 * SR) - (int) Math.round(-0.04 * SR), to = from + 4_800; // [1.1, 1.4) s
        for (double hz : new double[] {300, 500, 700, 100, 900, 1100}) { // AAC at 32 kb/s a channel: +-20 %
            assertEquals(0.05, amplitude(mean, from, to, hz, SR), 0.01, "mean mix at " + hz + " Hz");
        }
        float[] fl = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).optAudioMix(AudioMix.FIRST_CHANNEL)).get(49).audio();
        assertEquals(0.3, amplitude(fl, from, to, 300, SR), 0.02);
        // same decoded samples: the mean holds exactly a sixth of the first channel's 300 Hz
        assertEquals(amplitude(fl, from, to, 300, SR) / 6, amplitude(mean, from, to, 300, SR), 2e-4);
        assertEquals(0.0, amplitude(fl, from, to, 500, SR), 0.005);
        float[] dm = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).optAudioMix(AudioMix.FFMPEG_DOWNMIX)).get(49).audio();
        assertTrue(amplitude(dm, from, to, 700, SR) > 0.1, "FFmpeg's downmix keeps the centre louder than 1/6");
    }

    @Test void variableFrameRateKeepsTimestamps() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(VFR)).build()) {
            assertFalse(r.info().hasAudio());
            assertTrue(r.warnings().stream().anyMatch(w -> w.contains("no audio")), r.warnings().toString());
            List<VideoFrame> frames = readAll(r);
            assertEquals(60, frames.size());
            for (int n = 0; n < 60; n++) {
                VideoFrame f = frames.get(n);
                assertEquals(vfrPtsMicros(n), f.ptsMicros(), "pts of frame " + n);
                assertEquals(n, frameNumber(f));
                assertEquals(32_000, f.audio().length);
                for (float v : f.audio()) assertEquals(0f, v, "silence without audio");
            }
        }
    }

    /** Output slot k at time t shows the last frame with pts <= t + half a period (as FFmpeg's fps filter). */
    static int expectedSource(long t, double rate, int frames, java.util.function.IntToLongFunction pts) {
        int j = 0;
        while (j + 1 < frames && pts.applyAsLong(j + 1) <= t + Math.round(5e5 / rate)) j++;
        return j;
    }

    @Test void variableFrameRateResampledByTimestamps() throws Exception {
        List<VideoFrame> frames = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(VFR)).optFrameRate(10));
        assertEquals(29, frames.size(), "slots 0, 0.1, ..., 2.8 s before the end at 2.9 s");
        for (int k = 0; k < frames.size(); k++) {
            VideoFrame f = frames.get(k);
            assertEquals(k * 100_000L, f.ptsMicros());
            int j = expectedSource(f.ptsMicros(), 10, 60, TestVideos::vfrPtsMicros);
            assertEquals(j, frameNumber(f), "slot " + k);
            assertEquals(vfrPtsMicros(j), f.sourcePtsMicros(), "slot " + k);
        }
    }

    @Test void upsampledByRepeatingFrames() throws Exception {
        List<VideoFrame> frames = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optFrameRate(50));
        assertEquals(150, frames.size());
        for (int k = 0; k < 150; k++) {
            assertEquals(k * 20_000L, frames.get(k).ptsMicros());
            assertEquals(expectedSource(k * 20_000L, 50, 75, n -> n * 40_000L), frameNumber(frames.get(k)), "slot " + k);
        }
        assertNotSame(frames.get(0).rgb(), frames.get(1).rgb(), "repeated frames do not share arrays");
    }

    @Test void startAndDurationLimits() throws Exception {
        List<VideoFrame> a = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optStart(Duration.ofSeconds(1))
                .optDuration(Duration.ofSeconds(1)));
        assertEquals(25, a.size());
        for (int i = 0; i < 25; i++) {
            assertEquals(i, a.get(i).index());
            assertEquals(1_000_000L + i * 40_000L, a.get(i).ptsMicros());
            assertEquals(25 + i, frameNumber(a.get(i)));
        }
        List<VideoFrame> b = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optFrameRate(5)
                .optStart(Duration.ofMillis(500)).optDuration(Duration.ofSeconds(1)));
        assertEquals(5, b.size());
        int[] want = {15, 20, 25, 30, 35}; // last frame with pts <= t + 0.1 s
        for (int k = 0; k < 5; k++) {
            assertEquals(500_000L + k * 200_000L, b.get(k).ptsMicros());
            assertEquals(want[k], frameNumber(b.get(k)));
        }
        // audio after a seek: the frame at 2.52 s has the window [2.02, 2.52) s, gated on until 2.5 s
        List<VideoFrame> c = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optStart(Duration.ofMillis(2500))
                .optAudioWindow(AudioAlignment.ENDING_AT_FRAME, 0.5));
        assertEquals(12, c.size(), "frames 63..74");
        assertEquals(2_520_000L, c.get(0).ptsMicros());
        assertEquals(63, frameNumber(c.get(0)));
        assertSwitches(List.of(7_680), switches(c.get(0).audio(), SR, 0.25), "after seek");
        assertEquals(0.25, amplitude(c.get(0).audio(), 800, 7_200, 440, SR), 0.01);
    }

    @Test void rotationIsApplied() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).build()) {
            VideoInfo i = r.info();
            assertEquals(90, i.rotation());
            assertEquals(160, i.codedWidth());
            assertEquals(96, i.width());
            assertEquals(160, i.height());
            List<VideoFrame> frames = readAll(r);
            assertEquals(50, frames.size());
            for (VideoFrame f : frames) {
                assertEquals(96, f.width());
                assertEquals(160, f.height());
                // turned clockwise: the coded bottom row (colour blocks) is the left column, coded left is top
                for (int q = 0; q < 4; q++) {
                    for (int k = 0; k < 3; k++) assertEquals(BLOCK_RGB[q][k], f.get(24, 20 + 40 * q, k), 6);
                }
                int n = 0;
                for (int b = 0; b < 8; b++) if (luma(f, 72, 20 * b + 10) > 128) n |= 1 << b;
                assertEquals(f.index(), n);
            }
        }
        List<VideoFrame> small = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).optTargetSize(48, 80));
        for (int q = 0; q < 4; q++) {
            for (int k = 0; k < 3; k++) assertEquals(BLOCK_RGB[q][k], small.get(7).get(12, 10 + 20 * q, k), 8);
        }
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).optApplyRotation(false).build()) {
            assertEquals(90, r.info().rotation(), "the file's rotation is still reported");
            assertEquals(160, r.width());
        }
        List<VideoFrame> raw = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ROT)).optApplyRotation(false));
        assertEquals(160, raw.get(0).width());
        assertEquals(7, frameNumber(raw.get(7)));
        assertColours(raw.get(7), 6);
    }

    @Test void webmVp9OddSizeWithOpus() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ODD)).build()) {
            assertEquals("vp9", r.info().videoCodec());
            assertEquals("opus", r.info().audioCodec());
            List<VideoFrame> frames = readAll(r);
            assertEquals(50, frames.size());
            for (int n = 0; n < 50; n++) {
                VideoFrame f = frames.get(n);
                assertEquals(161, f.width());
                assertEquals(119, f.height());
                assertEquals(161 * 119 * 3, f.rgb().length);
                // the webm muxer shifted the video by Opus' 6.5 ms pre-skip, rounded to 7 ms
                assertEquals(7_000L + n * 40_000L, f.ptsMicros());
                assertEquals(n, frameNumber(f));
                assertColours(f, 10);
            }
            float[] a = frames.get(49).audio(); // [-0.033, 1.967) s: Opus decodes from t = 0
            assertEquals(0.5, amplitude(a, 8_000, 24_000, 440, SR), 0.02);
            assertSwitches(List.of((int) Math.round(0.033 * SR)), switches(a, SR, 0.35), "Opus start");
        }
    }

    @Test void resizeIsAntialiased() throws Exception {
        List<VideoFrame> half = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optTargetSize(80, 48));
        assertEquals(75, half.size());
        for (VideoFrame f : half) {
            assertEquals(80 * 48 * 3, f.rgb().length);
            assertEquals(f.index(), frameNumber(f));
            assertColours(f, 8);
        }
        // 160 -> 4 columns: each output pixel covers two 20-pixel bars. In frame 1 only bar 0 is white, so an
        // antialiased filter gives gray in column 0 where point sampling would give 0 or 255.
        VideoFrame area = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optTargetSize(4, 2)
                .optResizeFilter(ResizeFilter.AREA)).get(1);
        assertEquals(127.5, luma(area, 0, 0), 4);
        assertEquals(0, luma(area, 1, 0), 4);
        VideoFrame cubic = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optTargetSize(4, 2)).get(1);
        assertTrue(luma(cubic, 0, 0) > 64 && luma(cubic, 0, 0) < 192, "bicubic gray " + luma(cubic, 0, 0));
    }

    @Test void defaultAudioStreamOrChosenOne() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(TWO_AUDIO)).build()) {
            assertEquals(2, r.info().audioStreams());
            List<VideoFrame> f = readAll(r);
            assertEquals(25, f.size());
            float[] a = f.get(24).audio(); // [-1.04, 0.96) s: audio in the second half
            assertEquals(0.125, amplitude(a, 20_000, 30_000, 1000, SR), 0.01, "the stream marked default");
            assertEquals(0.0, amplitude(a, 20_000, 30_000, 440, SR), 0.003);
        }
        float[] first = readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(TWO_AUDIO)).optAudioStream(0)).get(24).audio();
        assertEquals(0.125, amplitude(first, 20_000, 30_000, 440, SR), 0.01, "audio stream 0 on request");
        assertEquals(0.0, amplitude(first, 20_000, 30_000, 1000, SR), 0.003);
    }

    @Test void probeAndAudioOff() throws Exception {
        VideoInfo p = VideoReader.probe(path(ROT));
        assertEquals(90, p.rotation());
        assertEquals(6, p.audioChannels());
        assertEquals(48_000, p.audioSampleRate());
        assertEquals(1, p.audioStreams());
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optAudio(false).build()) {
            VideoFrame f = r.read();
            assertEquals(0, f.audio().length);
            assertEquals(0, r.audioWindowSamples());
            assertTrue(r.warnings().isEmpty());
        }
        assertThrows(IllegalArgumentException.class,
                () -> VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optAudioStream(1).build());
        assertThrows(IllegalStateException.class, () -> VideoReader.builder().optAudioHop(java.time.Duration.ZERO).build());
        VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).build();
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, r::read);
    }
}
