package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.AudioWindow;
import dev.avsal.AvSalPredictor;
import dev.avsal.Device;
import dev.avsal.Frame;
import dev.avsal.SaliencyMap;
import dev.avsal.examples.MultiThreaded;
import dev.avsal.examples.PredictVideo;
import dev.avsal.examples.StreamFrames;
import dev.avsal.io.VideoFrame;
import dev.avsal.io.VideoReader;
import dev.avsal.io.VideoSaliency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The video examples run on avsal-io's test clips with the tiny random preset, checked against direct API calls. */
class ExamplesVideoTest {
    static final Path VIDEOS = PredictCommandTest.VIDEOS;

    static void assertSameMaps(List<SaliencyMap> want, List<SaliencyMap> got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int t = 0; t < want.size(); t++) {
            float[] a = want.get(t).values(), b = got.get(t).values();
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, what + " frame " + t + " at " + i);
        }
    }

    @Test void predictVideoWritesMapsAndOverlay(@TempDir Path out) throws Exception {
        VideoSaliency.Result r = PredictVideo.predict(VIDEOS.resolve("sync_h264_aac44k_stereo.mp4"), out, "random:avsal-r-tiny");
        assertEquals(30, r.frames()); // 3 s at 10 frames/s
        try (var s = Files.list(out.resolve("sync_h264_aac44k_stereo_maps"))) { assertEquals(30, s.count()); }
        Path overlay = out.resolve("sync_h264_aac44k_stereo_overlay.mp4");
        assertTrue(VideoReader.probe(overlay).hasAudio());
        assertEquals(30, PredictCommandTest.frames(overlay));
        assertTrue(Files.isRegularFile(out.resolve("sync_h264_aac44k_stereo.json")));
    }

    @Test void streamFramesMatchesTheWholeClipAndEncodesEachWindowOnce() throws Exception {
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 5).optDevice(Device.CPU).build()) {
            StreamFrames.Run run = StreamFrames.stream(p, 25);
            assertEquals(25, run.timings().frames());
            assertEquals(3, run.timings().audioWindows()); // windows cut at 0, 1 and 2 s
            assertEquals(160, run.maps().get(0).width());
            // the same frames and windows in one whole-clip call (matched by content here, not by key)
            List<Frame> clip = new ArrayList<>();
            for (int k = 0; k < 25; k++) {
                int w = k / 10;
                clip.add(Frame.of(StreamFrames.frame(k), AudioWindow.of(window(w)), k * 100_000L));
            }
            assertSameMaps(p.predict(clip), run.maps(), "stream vs clip");
        }
    }

    /** Window w of StreamFrames computed independently: the 2 s of its tone ending at w seconds. */
    static float[] window(int w) {
        float[] out = new float[32_000];
        for (int i = 0; i < 32_000; i++) {
            long n = w * 16_000L - 32_000 + i; // absolute sample
            if (n < 0) continue;
            int k = (int) (n / 1600);
            out[i] = (float) (Math.min(1.0, k / 30.0) * 0.4 * Math.sin(2 * Math.PI * 440 * n / 16_000));
        }
        return out;
    }

    @Test void multiThreadedGivesWhatOneThreadGives() throws Exception {
        List<Path> videos = List.of(VIDEOS.resolve("sync_h264_aac44k_stereo.mp4"), VIDEOS.resolve("odd_vp9_opus.webm"),
                VIDEOS.resolve("vfr_h264_noaudio.mkv"));
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 9).optDevice(Device.CPU).build()) {
            List<List<SaliencyMap>> parallel = MultiThreaded.predictAll(p, videos, 5);
            for (int v = 0; v < videos.size(); v++) {
                List<Frame> frames = new ArrayList<>();
                try (VideoReader r = VideoReader.builder().setFile(videos.get(v)).optFrameRate(5).optTargetSize(112, 112).build()) {
                    for (VideoFrame f; (f = r.read()) != null; ) frames.add(f.toFrame());
                }
                assertTrue(frames.size() >= 10, videos.get(v) + ": " + frames.size());
                assertSameMaps(p.predict(frames), parallel.get(v), videos.get(v).toString());
            }
        }
    }
}
