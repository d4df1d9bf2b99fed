package dev.avsal;

import static dev.avsal.PredictTesting.maxAbsDiff;
import static dev.avsal.PredictTesting.video;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Use after close, close while calls run, and concurrent predictors and sessions on one model. */
class LifecycleTest {
    @Test
    void useAfterClose() throws AvSalException {
        List<Frame> v = video(2, 64, 64, 1, 1);
        AvSalModel m = AvSalModel.random("avsal-r-tiny", 1);
        AvSalPredictor p = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build();
        SaliencySession s = p.open();
        s.push(v.get(0));
        s.close();
        assertThrows(IllegalStateException.class, () -> s.push(v.get(1)));
        s.close(); // idempotent

        SaliencySession open = p.open();
        p.close();
        assertTrue(p.isClosed());
        assertThrows(IllegalStateException.class, () -> p.predict(v));
        assertThrows(IllegalStateException.class, p::open);
        assertThrows(IllegalStateException.class, () -> open.push(v.get(0)), "closing the predictor closed its sessions");
        assertFalse(m.isClosed(), "a shared model outlives the predictor");

        AvSalPredictor q = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.predict(v));
        assertTrue(e.getMessage().contains("AvSalModel avsal-r-tiny is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, m::parameterCounts);
        assertThrows(IllegalStateException.class, () -> AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build()
                .predict(v));
        q.close();
        m.close(); // idempotent
    }

    @Test
    void anOwnedModelClosesWithThePredictor() throws AvSalException {
        AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 1).optDevice(Device.CPU).build();
        AvSalModel m = p.model();
        p.close();
        assertTrue(m.isClosed());
    }

    @Test
    void closingFromInsideACallIsRefused() throws AvSalException {
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 1).optDevice(Device.CPU).build()) {
            AtomicReference<RuntimeException> seen = new AtomicReference<>();
            p.predict(video(2, 64, 64, 1, 1), map -> {
                try {
                    p.close();
                } catch (IllegalStateException e) {
                    seen.set(e);
                }
            });
            assertTrue(seen.get().getMessage().contains("inside a prediction call"), String.valueOf(seen.get()));
            assertFalse(p.isClosed());
        }
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        AvSalModel m = AvSalModel.random("avsal-r-tiny", 2);
        AvSalPredictor p = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build();
        List<Frame> v = video(400, 96, 96, 4, 2);
        CountDownLatch started = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Integer> stream = () -> {
                int done = 0;
                try (SaliencySession s = p.open()) {
                    for (Frame f : v) {
                        s.push(f);
                        done++;
                        started.countDown();
                    }
                } catch (IllegalStateException expected) {
                    return done;
                }
                return done;
            };
            Future<Integer> a = pool.submit(stream), b = pool.submit(() -> {
                int done = 0;
                try {
                    for (int i = 0; i < 100; i++) {
                        p.predict(v.subList(0, 4));
                        done++;
                    }
                } catch (IllegalStateException expected) {
                    return done;
                }
                return done;
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));
            m.close(); // waits for the push / predict in flight, then frees the weights
            int streamed = a.get(60, TimeUnit.SECONDS), clips = b.get(60, TimeUnit.SECONDS);
            assertTrue(streamed >= 1 && streamed < v.size(), "stream stopped cleanly after " + streamed + " frames");
            assertTrue(clips < 100, "clip loop stopped cleanly after " + clips);
        } finally {
            pool.shutdownNow();
            p.close();
        }
    }

    @Test
    void concurrentPredictorsAndSessionsOnOneModel() throws Exception {
        try (AvSalModel m = AvSalModel.random("avsal-r-tiny", 4);
             AvSalPredictor shared = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build()) {
            int threads = 4;
            List<List<Frame>> videos = new ArrayList<>();
            List<List<SaliencyMap>> reference = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                videos.add(video(10, 128, 96, 3, 40 + i));
                reference.add(shared.predict(videos.get(i)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Double>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int k = i;
                    // even threads: own predictor on the shared model, whole clips; odd: sessions of the shared predictor
                    results.add(pool.submit(() -> {
                        double worst = 0;
                        for (int round = 0; round < 3; round++) {
                            List<SaliencyMap> got;
                            if (k % 2 == 0) {
                                try (AvSalPredictor own = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build()) {
                                    got = own.predict(videos.get(k));
                                }
                            } else {
                                got = Collections.synchronizedList(new ArrayList<>());
                                try (SaliencySession s = shared.open()) {
                                    for (Frame f : videos.get(k)) got.add(s.push(f));
                                }
                            }
                            worst = Math.max(worst, maxAbsDiff(reference.get(k), got));
                        }
                        return worst;
                    }));
                }
                for (Future<Double> f : results) {
                    double d = f.get(120, TimeUnit.SECONDS);
                    assertTrue(d <= 1e-5, "concurrent result differs from the sequential one by " + d);
                }
            } finally {
                pool.shutdownNow();
            }
            // the shared predictor counted the reference runs and the sessions' frames, from all threads
            assertEquals(threads * 10L + (threads / 2) * 3 * 10L, shared.timings().frames());
        }
    }
}
