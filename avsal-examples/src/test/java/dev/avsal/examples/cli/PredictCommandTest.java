package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.io.Npy;
import dev.avsal.io.VideoReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code avsal predict} end to end on avsal-io's test clips with the tiny random preset. */
class PredictCommandTest {
    static final Path VIDEOS = Path.of("../avsal-io/src/test/resources/video");
    static final String SYNC = VIDEOS.resolve("sync_h264_aac44k_stereo.mp4").toString();
    static final String VFR = VIDEOS.resolve("vfr_h264_noaudio.mkv").toString();

    static int frames(Path video) throws Exception {
        int n = 0;
        try (VideoReader r = VideoReader.builder().setFile(video).optAudio(false).build()) {
            while (r.read() != null) n++;
        }
        return n;
    }

    static String[] args(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("predict", "--preset", "avsal-r-tiny", "--random-seed", "3",
                "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test @SuppressWarnings("unchecked")
    void twoVideosEveryOutputAndJson(@TempDir Path out) throws Exception {
        CliTest.Result r = CliTest.run(args(out, SYNC, VFR, "--png", "--png16", "--npy", "--saliency-video",
                "--overlay", "--alpha", "0.7", "--json"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("75/75"), "progress bar on stderr: " + r.err());
        Map<String, Object> doc = CliJsonSchemaTest.check("predict", r);
        List<Map<String, Object>> videos = (List<Map<String, Object>>) doc.get("videos");
        assertEquals(2, videos.size());
        assertEquals(0, ((Number) doc.get("failed")).intValue());
        Map<String, Object> sync = videos.get(0), vfr = videos.get(1);
        for (String k : List.of("input", "frames", "fps", "audio_window", "outputs", "timings_s", "warnings", "model",
                "complete", "io_share", "status")) assertTrue(sync.containsKey(k), k);
        assertEquals(75, ((Number) sync.get("frames")).intValue());
        assertEquals(false, ((Map<String, Object>) sync.get("audio_window")).get("silent"));
        assertEquals(true, ((Map<String, Object>) vfr.get("audio_window")).get("silent"));
        assertTrue(((List<String>) vfr.get("warnings")).stream().anyMatch(w -> w.contains("no audio")));
        assertEquals(5, ((Map<String, Object>) sync.get("outputs")).size());

        String s = "sync_h264_aac44k_stereo";
        try (var l = Files.list(out.resolve(s + "_maps"))) { assertEquals(75, l.count()); }
        try (var l = Files.list(out.resolve(s + "_maps16"))) { assertEquals(75, l.count()); }
        assertArrayEquals(new int[] {75, 112, 112}, Npy.read(out.resolve(s + "_maps.npy")).shape());
        assertEquals(75, frames(out.resolve(s + "_saliency.mp4")));
        assertEquals(75, frames(out.resolve(s + "_overlay.mp4")));
        assertTrue(VideoReader.probe(out.resolve(s + "_overlay.mp4")).hasAudio());
        assertEquals(60, frames(out.resolve("vfr_h264_noaudio_overlay.mp4")));
        assertTrue(Files.isRegularFile(out.resolve(s + ".json")));
        assertTrue(Files.isRegularFile(out.resolve("vfr_h264_noaudio.json")));
    }

    @Test void defaultsArePngAndOverlayAndExistingOutputsNeedForce(@TempDir Path out) throws Exception {
        CliTest.Result r = CliTest.run(args(out, SYNC, "--fps", "5", "--duration", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("5 frames"), r.out());
        String s = "sync_h264_aac44k_stereo";
        try (var l = Files.list(out.resolve(s + "_maps"))) { assertEquals(5, l.count()); }
        assertEquals(5, frames(out.resolve(s + "_overlay.mp4")));
        assertFalse(Files.exists(out.resolve(s + "_maps.npy")));
        byte[] before = Files.readAllBytes(out.resolve(s + "_overlay.mp4"));

        CliTest.Result again = CliTest.run(args(out, SYNC, "--fps", "5", "--duration", "0.4"));
        assertEquals(1, again.code(), again.out());
        assertTrue(again.err().contains("refusing") && again.err().contains("--force"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve(s + "_overlay.mp4")));

        CliTest.Result forced = CliTest.run(args(out, SYNC, "--fps", "5", "--duration", "0.4", "--force"));
        assertEquals(0, forced.code(), forced.err());
        assertEquals(2, frames(out.resolve(s + "_overlay.mp4")));
    }

    @Test void usageAndInputErrorsHaveTheDocumentedExitCodes(@TempDir Path out) throws Exception {
        assertEquals(2, CliTest.run("predict", SYNC, "--out", out.toString()).code(), "no weights");
        assertEquals(2, CliTest.run("predict", SYNC, "--random-seed", "1").code(), "seed without preset");
        assertEquals(2, CliTest.run(args(out, SYNC, "--alpha", "2")).code());
        CliTest.Result missing = CliTest.run(args(out, out.resolve("nope.mp4").toString(), SYNC, "--npy", "--fps", "5",
                "--duration", "0.4"));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.mp4"), missing.err());
        assertTrue(Files.exists(out.resolve("sync_h264_aac44k_stereo_maps.npy")), "the other video still ran");
        CliTest.Result badWeights = CliTest.run("predict", SYNC, "--weights", out.resolve("none.safetensors").toString(),
                "--out", out.toString());
        assertEquals(1, badWeights.code(), badWeights.err());
    }

    @Test @SuppressWarnings("unchecked")
    void precisionDeviceAndThreadsReachThePredictor(@TempDir Path out) throws Exception {
        CliTest.Result fp32 = CliTest.run(args(out.resolve("fp32"), SYNC, "--npy", "--fps", "5", "--duration", "1", "--json"));
        CliTest.Result bf16 = CliTest.run(args(out.resolve("bf16"), SYNC, "--npy", "--fps", "5", "--duration", "1", "--json",
                "--precision", "bf16", "--device", "cpu", "--threads", "1"));
        assertEquals(0, fp32.code(), fp32.err());
        assertEquals(0, bf16.code(), bf16.err());
        Map<String, Object> v = ((List<Map<String, Object>>) CliJsonSchemaTest.check("predict", bf16).get("videos")).get(0);
        assertEquals("BF16", ((Map<String, Object>) v.get("model")).get("precision"));
        assertEquals("CPU", ((Map<String, Object>) v.get("model")).get("device"));
        // the same random model: bfloat16 maps are close to the float32 ones, not equal
        String npy = "sync_h264_aac44k_stereo_maps.npy";
        float[] a = Npy.read(out.resolve("fp32").resolve(npy)).data(), b = Npy.read(out.resolve("bf16").resolve(npy)).data();
        double diff = 0, peak = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            peak = Math.max(peak, Math.abs(a[i]));
        }
        assertTrue(diff > 0 && diff < 0.02 * peak, "bf16 vs fp32 max |diff| " + diff + " of peak " + peak);

        assertEquals(2, CliTest.run(args(out, SYNC, "--device", "cuda:1")).code(), "only the first CUDA device");
        assertEquals(2, CliTest.run(args(out, SYNC, "--precision", "fp64")).code());
        assertEquals(2, CliTest.run(args(out, SYNC, "--threads", "-1")).code());
        CliTest.Result fp16 = CliTest.run(args(out.resolve("fp16"), SYNC, "--precision", "fp16", "--device", "cpu"));
        assertEquals(1, fp16.code(), fp16.err());
        assertTrue(fp16.err().contains("FP16 needs CUDA"), fp16.err());
    }

    @Test void benchIoSectionNeedsItsClip(@TempDir Path dir) {
        CliTest.Result r = CliTest.run("bench", "--section", "io", "--video", dir.resolve("none.mp4").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.mp4") && r.err().contains("make_test_videos.sh bench"), r.err());
    }
}
