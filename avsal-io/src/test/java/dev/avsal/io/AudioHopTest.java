package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.AvSalPredictor;
import dev.avsal.Device;
import dev.avsal.SaliencySession;
import dev.avsal.StageTimings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Audio hop: frames of one hop slot share one window (same samples, same key), and the predictor encodes it once. */
class AudioHopTest {
    static final int SR = 16_000;

    static List<VideoFrame> read(VideoReader.Builder b) throws Exception {
        List<VideoFrame> out = new ArrayList<>();
        try (VideoReader r = b.build()) {
            for (VideoFrame f; (f = r.read()) != null; ) out.add(f);
        }
        return out;
    }

    @Test void defaultHopOfOneSecondGroupsFramesByWholeSeconds() throws Exception {
        List<VideoFrame> hop = read(VideoReader.builder().setFile(path(SYNC)));
        List<VideoFrame> each = read(VideoReader.builder().setFile(path(SYNC)).optAudioHop(Duration.ZERO));
        assertEquals(75, hop.size());
        for (VideoFrame f : hop) {
            int slot = (int) f.index() / 25; // 25 fps: frames 0-24 in [0, 1) s, 25-49 in [1, 2) s, ...
            // ENDING_AT_FRAME with a hop: the 2 s window ends at the slot's end
            assertEquals((slot + 1) * SR - 2 * SR, f.audioStartSample(), "key of frame " + f.index());
            // identical to the per-frame window of the frame that sits at the slot's end (t = slot + 1 s)
            int ref = (slot + 1) * 25;
            if (ref <= 74) assertArrayEquals(each.get(ref).audio(), f.audio(), "frame " + f.index() + " vs per-frame " + ref);
            if (f.index() > 0) assertNotSame(hop.get(0).audio(), f.audio(), "fresh arrays per frame");
        }
        // the frame's own moment is inside its window; the gated tone switches where the file says
        VideoFrame f10 = hop.get(10); // t = 0.4 s, window [-1, 1) s
        VideoReaderTest.assertSwitches(VideoReaderTest.expectedSwitches(-1.0, 2.0),
                switches(f10.audio(), SR, 0.25), "frame 10");
        // per-frame windows all differ in their keys
        assertEquals(75, each.stream().mapToLong(VideoFrame::audioStartSample).distinct().count());
        assertEquals(-2 * SR + 12 * SR / 25, each.get(12).audioStartSample());
    }

    @Test void centredAndStartingWindowsFollowTheSlot() throws Exception {
        List<VideoFrame> c = read(VideoReader.builder().setFile(path(SYNC)).optAudioHop(Duration.ofMillis(500))
                .optAudioWindow(AudioAlignment.CENTERED, 2.0));
        VideoFrame f30 = c.get(30); // t = 1.2 s: slot [1.0, 1.5), centre 1.25 s, window [0.25, 2.25) s
        assertEquals(4_000, f30.audioStartSample());
        assertEquals(4_000, c.get(25).audioStartSample());
        assertEquals(12_000, c.get(38).audioStartSample()); // t = 1.52 s: next slot, centre 1.75 s
        VideoReaderTest.assertSwitches(VideoReaderTest.expectedSwitches(0.25, 2.0), switches(f30.audio(), SR, 0.25),
                "centred frame 30");
        List<VideoFrame> s = read(VideoReader.builder().setFile(path(SYNC)).optAudioWindow(AudioAlignment.STARTING_AT_FRAME, 1.0));
        VideoFrame f60 = s.get(60); // t = 2.4 s: slot [2, 3), window [2, 3) s
        assertEquals(2 * SR, f60.audioStartSample());
        VideoReaderTest.assertSwitches(VideoReaderTest.expectedSwitches(2.0, 1.0), switches(f60.audio(), SR, 0.25),
                "starting frame 60");
    }

    @Test void slotsCountFromTimeZeroNotFromTheStartLimit() throws Exception {
        List<VideoFrame> all = read(VideoReader.builder().setFile(path(SYNC)));
        List<VideoFrame> cut = read(VideoReader.builder().setFile(path(SYNC)).optStart(Duration.ofMillis(600)));
        assertEquals(60, cut.size());
        for (VideoFrame f : cut) {
            VideoFrame same = all.get((int) f.index() + 15);
            assertEquals(same.ptsMicros(), f.ptsMicros());
            assertEquals(same.audioStartSample(), f.audioStartSample());
            assertArrayEquals(same.audio(), f.audio(), "frame at " + f.seconds() + " s");
        }
    }

    @Test void summaryAndAccessorsReportTheHop() throws Exception {
        try (VideoReader r = VideoReader.builder().setFile(path(SYNC)).optAudioHop(Duration.ofMillis(250)).build()) {
            assertEquals(0.25, r.audioHopSeconds());
            assertEquals(AudioAlignment.ENDING_AT_FRAME, r.audioAlignment());
            @SuppressWarnings("unchecked")
            var aw = (java.util.Map<String, Object>) VideoSummary.of(r).toMap().get("audio_window");
            assertEquals(0.25, ((Number) aw.get("hop_s")).doubleValue());
        }
        assertEquals(1.0, VideoReader.DEFAULT_AUDIO_HOP_SECONDS);
        assertThrows(IllegalArgumentException.class, () -> VideoReader.builder().optAudioHop(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> VideoReader.builder().optAudioHop(Duration.ofSeconds(61)));
    }

    @Test void predictorEncodesEachSharedWindowOnce() throws Exception {
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 7).optDevice(Device.CPU).build()) {
            // session: 75 frames over 3 s with a 1 s hop -> 3 windows
            try (VideoReader r = VideoReader.builder().setFile(path(SYNC)).build(); SaliencySession s = p.open()) {
                for (VideoFrame f; (f = r.read()) != null; ) s.push(f.toFrame());
                StageTimings t = s.timings();
                assertEquals(75, t.frames());
                assertEquals(3, t.audioWindows());
            }
            // whole-video call: 0.5 s hop -> 6 windows
            p.resetTimings();
            List<dev.avsal.Frame> frames = new ArrayList<>();
            for (VideoFrame f : read(VideoReader.builder().setFile(path(SYNC)).optAudioHop(Duration.ofMillis(500))))
                frames.add(f.toFrame());
            p.predict(frames, m -> { });
            assertEquals(6, p.timings().audioWindows());
            // per-frame windows: one encoding per frame
            p.resetTimings();
            frames.clear();
            for (VideoFrame f : read(VideoReader.builder().setFile(path(SYNC)).optDuration(Duration.ofMillis(400))
                    .optAudioHop(Duration.ZERO))) frames.add(f.toFrame());
            p.predict(frames, m -> { });
            assertEquals(10, p.timings().audioWindows());
        }
        assertThrows(IllegalStateException.class, () -> read(VideoReader.builder().setFile(path(SYNC)).optAudio(false)
                .optDuration(Duration.ofMillis(40))).get(0).toFrame());
    }

    @Test void sameKeyMeansSameSamples() throws Exception {
        List<VideoFrame> f = read(VideoReader.builder().setFile(path(ODD)).optAudioHop(Duration.ofMillis(700)));
        for (int i = 1; i < f.size(); i++) {
            boolean sameKey = f.get(i).audioStartSample() == f.get(i - 1).audioStartSample();
            assertEquals(sameKey, Arrays.equals(f.get(i).audio(), f.get(i - 1).audio()), "frames " + (i - 1) + ", " + i);
        }
        assertEquals(3, f.stream().mapToLong(VideoFrame::audioStartSample).distinct().count()); // 2 s of video
    }
}
