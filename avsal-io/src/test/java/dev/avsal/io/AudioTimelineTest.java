package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AudioTimelineTest {
    static float[] ramp(int from, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = from + i;
        return a;
    }

    @Test void gapsOverlapsPaddingAndDiscard() {
        AudioTimeline t = new AudioTimeline();
        t.append(ramp(100, 10), 0, 10, 100);      // samples 100..109 hold their own index
        t.append(ramp(105, 10), 0, 10, 105);      // overlap 105..109 is dropped, 110..114 added
        t.append(ramp(120, 5), 0, 5, 120);        // gap 115..119 becomes zeros
        assertEquals(125, t.end());
        float[] w = new float[30];
        t.copy(95, w);                            // [95, 125)
        for (int i = 0; i < 30; i++) {
            long idx = 95 + i;
            float want = idx < 100 || (idx >= 115 && idx < 120) ? 0 : idx;
            assertEquals(want, w[i], "sample " + idx);
        }
        float[] beyond = new float[5];
        t.copy(123, beyond);
        assertArrayEquals(new float[] {123, 124, 0, 0, 0}, beyond, "zeros after the end");
        t.discardBefore(110);
        assertEquals(15, t.held());
        t.copy(108, beyond);
        assertArrayEquals(new float[] {0, 0, 110, 111, 112}, beyond, "discarded samples read as zeros");
        t.discardBefore(1000);
        assertEquals(0, t.held());
        t.append(ramp(990, 20), 0, 20, 990);      // before the discard point: only 1000..1009 kept
        assertEquals(10, t.held());
        t.copy(1000, beyond);
        assertArrayEquals(new float[] {1000, 1001, 1002, 1003, 1004}, beyond);
    }

    @Test void memoryIsBoundedByTheWindow() {
        AudioTimeline t = new AudioTimeline();
        float[] chunk = new float[1024];
        float[] w = new float[32_000];
        long at = 0;
        for (int k = 0; k < 20_000; k++) { // ~21 minutes at 16 kHz in 1024-sample chunks
            t.append(chunk, 0, 1024, at);
            at += 1024;
            if (at > w.length) {
                t.copy(at - w.length, w);
                t.discardBefore(at - w.length);
            }
            assertTrue(t.held() <= w.length + 1024, "held " + t.held());
        }
    }

    @Test void readerHoldsOnlyTheWindow() throws Exception {
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(SYNC)).optAudioWindow(AudioAlignment.ENDING_AT_FRAME, 0.25).build()) {
            int max = 0;
            while (r.read() != null) max = Math.max(max, r.audioSamplesHeld());
            assertTrue(max <= 4_000 + 2_048, "held up to " + max + " samples for a 4000-sample window");
            assertTrue(max >= 4_000);
        }
    }

    @Test void readersInParallelThreads() throws Exception {
        String[] clips = {SYNC, ROT, ODD, VFR, SYNC, ODD};
        List<Integer> sequential = new ArrayList<>();
        for (String c : clips) sequential.add(checksum(c));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (String c : clips) futures.add(pool.submit(() -> checksum(c)));
            for (int i = 0; i < clips.length; i++) assertEquals(sequential.get(i), futures.get(i).get(), clips[i]);
        } finally {
            pool.shutdown();
        }
    }

    /** A hash of every pixel and audio sample of a clip (one reader, used by one thread). */
    static int checksum(String clip) throws Exception {
        int h = 1;
        try (VideoReader r = VideoReader.builder().optAudioHop(java.time.Duration.ZERO).setFile(path(clip)).optTargetSize(48, 32).optDecoderThreads(2).build()) {
            for (VideoFrame f; (f = r.read()) != null; ) {
                h = 31 * h + java.util.Arrays.hashCode(f.rgb());
                h = 31 * h + java.util.Arrays.hashCode(f.audio());
            }
        }
        return h;
    }
}
