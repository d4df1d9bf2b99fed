package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.AvSalPredictor;
import dev.avsal.Device;
import dev.avsal.Frame;
import dev.avsal.SaliencyMap;
import dev.avsal.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VideoSaliency end to end on the test clips with the tiny random preset. */
class VideoSaliencyTest {
    static AvSalPredictor predictor;

    @BeforeAll static void open() throws Exception {
        predictor = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 11).optDevice(Device.CPU).build();
    }

    @AfterAll static void close() { predictor.close(); }

    static VideoSaliency.Builder all(Path in, Path out) {
        return VideoSaliency.builder().setInput(in).setPredictor(predictor).setOutputDir(out).optPng(true)
                .optPng16(true).optNpy(true).optSaliencyVideo(true).optOverlay(true);
    }

    /** The maps the predictor gives for the same frames, computed separately through the whole-clip API. */
    static List<SaliencyMap> reference(Path in) throws Exception {
        List<Frame> frames = new ArrayList<>();
        try (VideoReader r = VideoReader.builder().setFile(in).optTargetSize(112, 112).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) frames.add(f.toFrame());
        }
        return predictor.predict(frames);
    }

    static int countFrames(Path video) throws Exception {
        int n = 0;
        try (VideoReader r = VideoReader.builder().setFile(video).optAudio(false).build()) {
            while (r.read() != null) n++;
        }
        return n;
    }

    @Test @SuppressWarnings("unchecked")
    void everyOutputOfAClipWithAudio(@TempDir Path out) throws Exception {
        List<long[]> progress = new ArrayList<>();
        VideoSaliency.Result r = all(path(SYNC), out).optProgress((d, e, s) -> progress.add(new long[] {d, e}))
                .build().run();
        assertEquals(75, r.frames());
        assertFalse(r.silentAudio());
        assertEquals(112, r.mapWidth());
        assertEquals(75, progress.size());
        assertArrayEquals(new long[] {75, 75}, progress.get(74));

        List<SaliencyMap> ref = reference(path(SYNC));
        Npy.Array npy = Npy.read(out.resolve("sync_h264_aac44k_stereo_maps.npy"));
        assertArrayEquals(new int[] {75, 112, 112}, npy.shape());
        for (int t = 0; t < 75; t += 7) {
            assertTrue(ref.get(t).max() > ref.get(t).min() + 1e-4, "a map with structure, frame " + t);
            float[] want = ref.get(t).values();
            float[] got = Arrays.copyOfRange(npy.data(), t * 112 * 112, (t + 1) * 112 * 112);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, "npy frame " + t + " at " + i);
            // PNG 8-bit: the map min-max stretched, rounded
            BufferedImage png = ImageIO.read(SaliencyMaps.frameFile(out.resolve("sync_h264_aac44k_stereo_maps"), t, "png").toFile());
            BufferedImage png16 = ImageIO.read(SaliencyMaps.frameFile(out.resolve("sync_h264_aac44k_stereo_maps16"), t, "png").toFile());
            float[] n = ref.get(t).normalized();
            for (int i = 0; i < n.length; i += 97) {
                int x = i % 112, y = i / 112;
                assertEquals(n[i] * 255, png.getRaster().getSample(x, y, 0), 1.01, "png frame " + t);
                assertEquals(n[i] * 65535, png16.getRaster().getSample(x, y, 0), 2.0, "png16 frame " + t);
            }
        }
        assertEquals(16, png16Depth(out));
        try (var s = Files.list(out.resolve("sync_h264_aac44k_stereo_maps"))) { assertEquals(75, s.count()); }
        assertEquals(75, countFrames(out.resolve("sync_h264_aac44k_stereo_saliency.mp4")));
        Path overlay = out.resolve("sync_h264_aac44k_stereo_overlay.mp4");
        assertEquals(75, countFrames(overlay));
        VideoInfo oi = VideoReader.probe(overlay);
        assertTrue(oi.hasAudio(), "overlay carries the audio");
        assertEquals(160, oi.width());

        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("sync_h264_aac44k_stereo.json")));
        for (String k : List.of("input", "frames", "fps", "audio_window", "outputs", "timings_s", "warnings", "model",
                "complete", "io_share")) assertTrue(json.containsKey(k), k + " in " + json.keySet());
        assertEquals(75, ((Number) json.get("frames")).intValue());
        assertEquals(true, json.get("complete"));
        assertEquals(false, ((Map<String, Object>) json.get("audio_window")).get("silent"));
        assertEquals(1.0, ((Number) ((Map<String, Object>) json.get("audio_window")).get("hop_s")).doubleValue());
        assertEquals(5, ((Map<String, Object>) json.get("outputs")).size());
        Map<String, Object> timings = (Map<String, Object>) json.get("timings_s");
        for (String k : List.of("decode", "model", "write", "total")) assertTrue(((Number) timings.get(k)).doubleValue() >= 0, k);
        assertEquals("avsal-r-tiny", ((Map<String, Object>) json.get("model")).get("preset"));
    }

    static int png16Depth(Path out) throws Exception {
        BufferedImage png16 = ImageIO.read(SaliencyMaps.frameFile(out.resolve("sync_h264_aac44k_stereo_maps16"), 0, "png").toFile());
        return png16.getColorModel().getPixelSize();
    }

    @Test @SuppressWarnings("unchecked")
    void videoWithoutAudioIsFlagged(@TempDir Path out) throws Exception {
        VideoSaliency.Result r = VideoSaliency.builder().setInput(path(VFR)).setPredictor(predictor).setOutputDir(out)
                .optNpy(true).optOverlay(true).build().run();
        assertTrue(r.silentAudio());
        assertEquals(60, r.frames());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("no audio")), r.warnings().toString());
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("vfr_h264_noaudio.json")));
        assertEquals(true, ((Map<String, Object>) json.get("audio_window")).get("silent"));
        assertTrue(((List<String>) json.get("warnings")).stream().anyMatch(w -> w.contains("no audio")));
        assertEquals(60, countFrames(out.resolve("vfr_h264_noaudio_overlay.mp4")));
        assertFalse(VideoReader.probe(out.resolve("vfr_h264_noaudio_overlay.mp4")).hasAudio());
    }

    @Test void existingOutputsAreRefusedUnlessOverwriteIsAsked(@TempDir Path out) throws Exception {
        VideoSaliency.Builder b = all(path(SYNC), out).optDuration(Duration.ofMillis(400)).optFrameRate(10);
        assertEquals(4, b.build().run().frames());
        Path npy = out.resolve("sync_h264_aac44k_stereo_maps.npy");
        byte[] before = Files.readAllBytes(npy);
        long stamp = Files.getLastModifiedTime(npy).toMillis();
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> all(path(SYNC), out).optDuration(Duration.ofMillis(200)).optFrameRate(10).build().run());
        assertTrue(e.getMessage().contains("refusing"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(npy));
        assertEquals(stamp, Files.getLastModifiedTime(npy).toMillis());
        // only the PNG folder left from before: still refused (not empty)
        for (String f : List.of("_maps.npy", "_maps16", "_saliency.mp4", "_overlay.mp4", ".json")) {
            Path p = out.resolve("sync_h264_aac44k_stereo" + f);
            if (Files.isDirectory(p)) try (var s = Files.list(p)) { for (Path q : s.toList()) Files.delete(q); }
            Files.delete(p);
        }
        assertThrows(FileAlreadyExistsException.class, () -> all(path(SYNC), out).optFrameRate(10).build().run());
        VideoSaliency.Result r = all(path(SYNC), out).optDuration(Duration.ofMillis(200)).optFrameRate(10)
                .optOverwrite(true).build().run();
        assertEquals(2, r.frames());
        assertArrayEquals(new int[] {2, 112, 112}, Npy.read(npy).shape());
    }

    @Test @SuppressWarnings("unchecked")
    void truncatedInputKeepsTheMapsDecodedBeforeTheCut(@TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(path(SYNC));
        Path cut = tmp.resolve("cut.mp4");
        Files.write(cut, Arrays.copyOf(all, all.length * 6 / 10));
        Path out = tmp.resolve("out");
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> VideoSaliency.builder().setInput(cut)
                .setPredictor(predictor).setOutputDir(out).optNpy(true).build().run());
        assertEquals(VideoDecodeException.Problem.TRUNCATED, e.problem());
        int n = (int) e.framesDecoded();
        assertTrue(n > 10 && n < 75, n + " frames");
        assertEquals(n, Npy.read(out.resolve("cut_maps.npy")).shape()[0]);
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("cut.json")));
        assertEquals(false, json.get("complete"));
        assertTrue(json.get("error").toString().contains("stopped at"), json.get("error").toString());
    }

    @Test void badInputsAreTyped(@TempDir Path out) throws Exception {
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> VideoSaliency.builder()
                .setInput(out.resolve("missing.mp4")).setPredictor(predictor).setOutputDir(out).build().run());
        assertEquals(VideoDecodeException.Problem.NOT_FOUND, e.problem());
        assertThrows(dev.avsal.InvalidInputException.class, () -> VideoSaliency.builder().setInput(path(SYNC))
                .setPredictor(predictor).setOutputDir(out.resolve("late")).optStart(Duration.ofSeconds(10)).build().run());
        assertThrows(IllegalStateException.class, () -> VideoSaliency.builder().setInput(path(SYNC)).build());
        assertFalse(Files.exists(out.resolve("late").resolve("sync_h264_aac44k_stereo.json")));
    }
}
