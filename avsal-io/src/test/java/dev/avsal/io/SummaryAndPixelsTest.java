package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.util.Json;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryAndPixelsTest {
    @TempDir Path tmp;

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) { return (Map<String, Object>) o; }

    @Test void jsonSummary() throws Exception {
        Path overlay = tmp.resolve("o.mp4"), json = tmp.resolve("o.json");
        VideoSummary s;
        try (VideoReader r = VideoReader.builder().setFile(path(SYNC)).optFrameRate(10).optTargetSize(32, 16).build();
             OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(overlay).matching(r).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) w.write(new float[32 * 16], 32, 16);
            s = VideoSummary.of(r).output("overlay", overlay).timing("model", 1.25).warnings(w.warnings());
        }
        s.write(json, false);
        Map<String, Object> m = obj(Json.parse(json));
        Map<String, Object> in = obj(m.get("input"));
        assertEquals(path(SYNC).toString(), in.get("file"));
        assertEquals(160L, in.get("width"));
        assertEquals(25.0, in.get("fps"));
        assertEquals("aac", in.get("audio_codec"));
        assertEquals(true, in.get("has_audio"));
        assertEquals(30L, m.get("frames"));
        assertEquals(10.0, m.get("fps"));
        assertEquals(32L, m.get("frame_width"));
        assertEquals("ENDING_AT_FRAME", obj(m.get("audio_window")).get("alignment"));
        assertEquals(16_000L, obj(m.get("audio_window")).get("sample_rate"));
        assertEquals(overlay.toString(), obj(m.get("outputs")).get("overlay"));
        assertEquals(1.25, obj(m.get("timings_s")).get("model"));
        assertTrue((Double) obj(m.get("timings_s")).get("decode") > 0);
        assertEquals(List.of(), m.get("warnings"));
        assertTrue(m.containsKey("created"));
        assertThrows(FileAlreadyExistsException.class, () -> s.write(json, false));

        VideoSummary silent;
        try (VideoReader r = VideoReader.builder().setFile(path(VFR)).build()) {
            while (r.read() != null) { /* all */ }
            silent = VideoSummary.of(r);
        }
        Map<String, Object> v = obj(Json.parse(silent.toJson()));
        assertEquals(60L, v.get("frames"));
        assertEquals(true, obj(v.get("audio_window")).get("silent"));
        assertTrue(((List<?>) v.get("warnings")).get(0).toString().contains("no audio"));
    }

    /** CIE L* of an sRGB colour. */
    static double lightness(int rgb) {
        double y = 0;
        double[] w = {0.2126, 0.7152, 0.0722};
        for (int c = 0; c < 3; c++) {
            double v = (rgb >> (16 - 8 * c) & 0xFF) / 255.0;
            v = v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
            y += w[c] * v;
        }
        return y > 216.0 / 24389 ? 116 * Math.cbrt(y) - 16 : y * 24389 / 27;
    }

    @Test void colormapsArePerceptuallyOrdered() {
        assertEquals(0x000004, Colormap.INFERNO.rgb(0));
        assertEquals(0xFCFFA4, Colormap.INFERNO.rgb(1));
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0));
        assertEquals(0xFDE725, Colormap.VIRIDIS.rgb(1));
        assertEquals(0x808080, Colormap.GRAY.rgb(128 / 255.0));
        assertEquals(0x000004, Colormap.INFERNO.rgb(Double.NaN));
        assertEquals(0xFCFFA4, Colormap.INFERNO.rgb(7));
        for (Colormap cm : Colormap.values()) {
            double prev = -1;
            for (int i = 0; i < 256; i++) {
                double l = lightness(cm.rgb(i / 255.0));
                assertTrue(l > prev - 0.3, cm + ": lightness must not fall, level " + i); // 8-bit rounding
                if (i % 32 == 31) assertTrue(l > prev, cm + " rises");
                prev = l;
            }
            assertTrue(lightness(cm.rgb(1)) - lightness(cm.rgb(0)) > 65, cm + " spans a wide lightness range");
        }
    }

    @Test void bilinearMapResizeAndBlend() {
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, MapImages.resize(new float[] {0, 1}, 2, 1, 4, 1), 1e-6f);
        float[] up = MapImages.resize(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
        assertEquals(0.75f, up[1 * 4 + 1], 1e-6f); // (0.25, 0.25) between 0,1,2,3: 0.25 + 2 * 0.25
        assertArrayEquals(new float[] {0.5f}, MapImages.resize(new float[] {0, 1, 0, 1}, 2, 2, 1, 1), 1e-6f);
        byte[] frame = {(byte) 200, (byte) 100, 0, (byte) 200, (byte) 100, 0};
        MapImages.overlay(frame, new float[] {0f, 1f}, Colormap.GRAY, 0.5f, true);
        assertArrayEquals(new int[] {200, 100, 0, 228, 178, 128}, unsigned(frame)); // v=0 untouched; v=1 half white
        byte[] f2 = {(byte) 200, (byte) 100, 0};
        MapImages.overlay(f2, new float[] {0f}, Colormap.GRAY, 0.25f, false);
        assertArrayEquals(new int[] {150, 75, 0}, unsigned(f2));
    }

    static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }

    @Test void ffmpegLogGoesToSlf4j() throws Exception {
        FFmpeg.init();
        List<String> seen = new ArrayList<>();
        FFmpeg.tap = seen::add;
        try {
            avutil.av_log(null, avutil.AV_LOG_WARNING, "avsal log routing probe\n");
            byte[] all = Files.readAllBytes(path(SYNC));
            Path cut = tmp.resolve("cut.mp4");
            Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
            assertNotNull(VideoErrorsTest.decode(VideoReader.builder().setFile(cut)).error());
        } finally {
            FFmpeg.tap = null;
        }
        assertTrue(seen.contains("avsal log routing probe"), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.contains("partial file")), "demuxer warnings are routed: " + seen);
    }
}
