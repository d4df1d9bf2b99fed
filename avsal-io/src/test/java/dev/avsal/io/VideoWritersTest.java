package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoWritersTest {
    @TempDir Path tmp;

    @Test void bundledEncoders() {
        // the LGPL build has no libx264: these are what we write with
        assertEquals(java.util.EnumSet.allOf(VideoCodec.class), VideoCodec.availableCodecs());
    }

    /** Map k of a 64x48 clip: horizontal ramp 0..1, with a bright 16x16 square whose x position moves with k. */
    static float[] testMap(int k) {
        float[] m = new float[64 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) m[y * 64 + x] = x / 63f * 0.6f;
        }
        int x0 = (k * 4) % 48;
        for (int y = 16; y < 32; y++) for (int x = x0; x < x0 + 16; x++) m[y * 64 + x] = 1f;
        return m;
    }

    static List<VideoFrame> decode(Path p) throws Exception {
        return VideoReaderTest.readAll(VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(p));
    }

    void grayRoundTrip(String name, VideoCodec codec, int tol) throws Exception {
        Path out = tmp.resolve(name);
        try (SaliencyVideoWriter w = SaliencyVideoWriter.builder().setOutput(out).setFrameRate(10).optCodec(codec).build()) {
            for (int k = 0; k < 30; k++) w.write(testMap(k), 64, 48);
            assertFalse(Files.exists(out), "the name appears only when complete");
        }
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(out).build()) {
            assertEquals(64, r.info().width());
            assertEquals(48, r.info().height());
            assertEquals(10.0, r.info().frameRate(), 1e-6);
            assertFalse(r.info().hasAudio());
            List<VideoFrame> frames = VideoReaderTest.readAll(r);
            assertEquals(30, frames.size());
            double err = 0;
            int n = 0;
            for (int k = 0; k < 30; k++) {
                VideoFrame f = frames.get(k);
                assertEquals(k * 100_000L, f.ptsMicros(), name + " frame " + k);
                float[] m = testMap(k);
                for (int y = 2; y < 46; y += 3) {
                    for (int x = 2; x < 62; x += 3) {
                        int want = Math.round(m[y * 64 + x] * 255);
                        int got = f.get(x, y, 1);
                        assertTrue(Math.abs(f.get(x, y, 0) - got) <= 3 && Math.abs(f.get(x, y, 2) - got) <= 3, "gray");
                        err += Math.abs(got - want);
                        n++;
                    }
                }
                // the square is where map k put it
                int x0 = (k * 4) % 48;
                assertTrue(f.get(x0 + 8, 24, 1) > 240, name + " square of frame " + k);
            }
            assertTrue(err / n < tol, name + ": mean abs error " + err / n);
        }
    }

    @Test void grayVideoMp4H264() throws Exception {
        grayRoundTrip("sal.mp4", null, 3);
        byte[] b = Files.readAllBytes(tmp.resolve("sal.mp4"));
        int moov = VideoErrorsTest.indexOf(b, "moov".getBytes(StandardCharsets.US_ASCII));
        int mdat = VideoErrorsTest.indexOf(b, "mdat".getBytes(StandardCharsets.US_ASCII));
        assertTrue(moov > 0 && moov < mdat, "index before the data (+faststart): browsers can start playing at once");
        int avcc = VideoErrorsTest.indexOf(b, "avcC".getBytes(StandardCharsets.US_ASCII));
        assertEquals(66, b[avcc + 5], "H.264 (Constrained) Baseline profile: every browser decodes it");
        assertEquals("h264", VideoReader.probe(tmp.resolve("sal.mp4")).videoCodec());
    }

    @Test void grayVideoWebmVp9AndMpeg4() throws Exception {
        grayRoundTrip("sal.webm", null, 4);
        assertEquals("vp9", VideoReader.probe(tmp.resolve("sal.webm")).videoCodec());
        grayRoundTrip("sal_mpeg4.mp4", VideoCodec.MPEG4, 4);
        assertEquals("mpeg4", VideoReader.probe(tmp.resolve("sal_mpeg4.mp4")).videoCodec());
    }

    @Test void overlayCarriesFramesAndAudio() throws Exception {
        Path out = tmp.resolve("overlay.mp4");
        float[] map = new float[80 * 48]; // left half 0, right half 1
        for (int y = 0; y < 48; y++) for (int x = 40; x < 80; x++) map[y * 80 + x] = 1f;
        List<VideoFrame> src;
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optTargetSize(80, 48).build();
             OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(out).matching(r).optAlpha(0.5).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) w.write(map, 80, 48);
            assertEquals(75, w.frames());
            assertTrue(w.warnings().isEmpty(), w.warnings().toString());
        }
        src = decode(path(SYNC));
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(out).build()) {
            VideoInfo i = r.info();
            assertEquals(160, i.width());
            assertEquals(96, i.height());
            assertEquals("h264", i.videoCodec());
            assertTrue(i.hasAudio());
            assertEquals("aac", i.audioCodec());
            assertEquals(44_100, i.audioSampleRate());
            assertEquals(2, i.audioChannels());
            List<VideoFrame> got = VideoReaderTest.readAll(r);
            assertEquals(75, got.size());
            int black = Colormap.INFERNO.rgb(0), yellow = Colormap.INFERNO.rgb(1);
            double err = 0;
            int n = 0;
            for (int k = 0; k < 75; k++) {
                assertEquals(k * 40_000L, got.get(k).ptsMicros());
                for (int y = 4; y < 92; y += 8) {
                    for (int x = 4; x < 156; x += 8) {
                        if (Math.abs(x - 80) < 6) continue; // the map's edge is blurred by the bilinear upscale
                        int cm = x < 80 ? black : yellow;
                        for (int c = 0; c < 3; c++) {
                            double want = 0.5 * src.get(k).get(x, y, c) + 0.5 * (cm >> (16 - 8 * c) & 0xFF);
                            err += Math.abs(got.get(k).get(x, y, c) - want);
                            n++;
                        }
                    }
                }
            }
            assertTrue(err / n < 4, "mean abs error vs the expected blend " + err / n);
            // the source's gated tones, in sync: frame 50 (2 s) has [0, 2) s
            float[] a = got.get(50).audio();
            VideoReaderTest.assertSwitches(VideoReaderTest.expectedSwitches(0, 2), switches(a, 16_000, 0.25), "overlay audio");
            assertEquals(0.25, amplitude(a, 17_600, 22_400, 440, 16_000), 0.02);
            assertEquals(0.25, amplitude(a, 17_600, 22_400, 1000, 16_000), 0.02);
        }
    }

    @Test void overlayWithRateStartAndDuration() throws Exception {
        Path out = tmp.resolve("part.mp4");
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optFrameRate(10).optStart(Duration.ofSeconds(1))
                .optDuration(Duration.ofSeconds(1)).optTargetSize(32, 32).build();
             OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(out).matching(r).optAlpha(0).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) w.write(new float[32 * 32], 32, 32);
        }
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(out).optAudioWindow(AudioAlignment.ENDING_AT_FRAME, 1.0).build()) {
            List<VideoFrame> got = VideoReaderTest.readAll(r);
            assertEquals(10, got.size());
            for (int k = 0; k < 10; k++) {
                assertEquals(k * 100_000L, got.get(k).ptsMicros());
                int want = VideoReaderTest.expectedSource(1_000_000L + k * 100_000L, 10, 75, j -> j * 40_000L);
                assertEquals(want, frameNumber(got.get(k)), "alpha 0 shows the source frame of slot " + k);
            }
            assertEquals(1.0, r.info().durationSeconds(), 0.05);
            // output time 0 is source time 1 s: tone on [0, 0.5) s; frame 9 (0.9 s) holds [-0.1, 0.9) s
            VideoReaderTest.assertSwitches(List.of(1_600, 9_600), switches(got.get(9).audio(), 16_000, 0.25), "trimmed audio");
        }
    }

    @Test void webmOverlayFromOddSizedVp9() throws Exception {
        Path out = tmp.resolve("odd.webm");
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(ODD)).optTargetSize(64, 64).build();
             OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(out).matching(r)
                     .optColormap(Colormap.VIRIDIS).optAlphaBySaliency(true).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) w.write(new float[64 * 64], 64, 64); // alpha 0 everywhere
        }
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(out).build()) {
            assertEquals(160, r.info().width(), "161 rounded down to even");
            assertEquals(118, r.info().height());
            assertEquals("opus", r.info().audioCodec());
            List<VideoFrame> got = VideoReaderTest.readAll(r);
            assertEquals(50, got.size());
            for (VideoFrame f : got) assertEquals(f.index(), frameNumber(f));
            assertEquals(0.5, amplitude(got.get(49).audio(), 8_000, 24_000, 440, 16_000), 0.03);
        }
    }

    @Test void mkvOverlayWithMonoAudio() throws Exception {
        Path out = tmp.resolve("mono.mkv");
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(TWO_AUDIO)).optTargetSize(16, 16).build();
             OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(out).matching(r).optAlpha(0).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) w.write(new float[256], 16, 16);
        }
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(out).build()) {
            assertEquals("matroska,webm", r.info().container());
            assertEquals("h264", r.info().videoCodec());
            assertEquals(1, r.info().audioChannels());
            assertEquals(44_100, r.info().audioSampleRate());
            List<VideoFrame> got = VideoReaderTest.readAll(r);
            assertEquals(25, got.size());
            for (VideoFrame f : got) assertEquals(f.index(), frameNumber(f));
            float[] a = got.get(24).audio();
            assertEquals(0.125, amplitude(a, 20_000, 30_000, 1000, 16_000), 0.01, "the default stream's tone");
        }
    }

    @Test void refusesToOverwriteAndCleansUp() throws Exception {
        Path out = tmp.resolve("keep.mp4");
        Files.writeString(out, "precious");
        assertThrows(VideoEncodeException.class, () -> SaliencyVideoWriter.builder().setOutput(out).setFrameRate(10).build());
        assertThrows(VideoEncodeException.class, () -> OverlayVideoWriter.builder().setSource(path(SYNC)).setOutput(out).build());
        assertEquals("precious", Files.readString(out));
        try (SaliencyVideoWriter w = SaliencyVideoWriter.builder().setOutput(out).setFrameRate(10).optOverwrite(true).build()) {
            w.write(testMap(0), 64, 48);
        }
        assertEquals(1, decode(out).size());
        Path partial = tmp.resolve("partial.mp4");
        SaliencyVideoWriter w = SaliencyVideoWriter.builder().setOutput(partial).setFrameRate(10).build();
        w.write(testMap(0), 64, 48);
        w.abort();
        assertFalse(Files.exists(partial));
        OverlayVideoWriter o = OverlayVideoWriter.builder().setSource(path(VFR)).setOutput(tmp.resolve("o.mp4")).build();
        for (int k = 0; k < 60; k++) o.write(new float[4], 2, 2);
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> o.write(new float[4], 2, 2));
        assertTrue(e.getMessage().contains("more maps than source frames"), e.getMessage());
        o.close(); // a failed writer leaves nothing
        assertThrows(VideoEncodeException.class, () -> SaliencyVideoWriter.builder().setOutput(tmp.resolve("x.avi"))
                .setFrameRate(10).build().write(testMap(0), 64, 48));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("keep.mp4"), s.map(p -> p.getFileName().toString()).toList(), "no temporary files");
        }
    }
}
