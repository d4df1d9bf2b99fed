package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import dev.avsal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    /** step -> loss of the last occurrence of each step in a train.jsonl. */
    static TreeMap<Long, Double> losses(Path log) throws Exception {
        TreeMap<Long, Double> m = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank()) continue;
            Map<?, ?> o = (Map<?, ?>) Json.parse(line);
            if ("step".equals(o.get("type"))) m.put(((Number) o.get("step")).longValue(), ((Number) o.get("loss")).doubleValue());
        }
        return m;
    }

    @Test
    void lossDecreasesAndTheCacheIsReused() throws Exception {
        List<dev.avsal.data.AnnotatedVideo> train = TinyVideos.make(6, 4, 112, 1), val = TinyVideos.make(2, 4, 112, 2);
        TinyVideos.opened.set(0);
        Trainer.Result r;
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 1)) {
            TrainConfig c = TrainConfig.builder().setOutput(tmp.resolve("a")).optCacheDir(tmp.resolve("cache")).optEpochs(6)
                    .optBatchClips(2).optClipFrames(3).optLearningRate(3e-3).optThreads(1).build();
            r = new Trainer(m, c).fit(train, val);
            // the encoders ran once per video (flips included in the same pass), never again in epochs 2..6
            assertEquals(8, TinyVideos.opened.get());
            assertEquals(8 * 4, r.encodedFrames());
            assertEquals(6, r.epochs().size());
            double first = r.epochs().get(0).trainLoss(), last = r.epochs().get(5).trainLoss();
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
            assertTrue(Files.exists(r.best()) && Files.exists(r.last()));
            assertTrue(r.bestValidationCc() > r.epochs().get(0).validation().cc() - 1e-12);
            // the output folder is not overwritten without resume
            assertThrows(TrainException.class, () -> new Trainer(m, c).fit(train, val));
        }
        // a second run with the same cache folder encodes nothing
        TinyVideos.opened.set(0);
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 1)) {
            TrainConfig c = TrainConfig.builder().setOutput(tmp.resolve("b")).optCacheDir(tmp.resolve("cache")).optEpochs(1)
                    .optBatchClips(2).optClipFrames(3).optThreads(1).build();
            Trainer.Result r2 = new Trainer(m, c).fit(train, val);
            assertEquals(0, TinyVideos.opened.get());
            assertEquals(0, r2.encodedFrames());
        }
        // other encoder weights: another cache key
        try (AvSalModel a = AvSalModel.random(AvSalConfig.TINY, 1); AvSalModel b = AvSalModel.random(AvSalConfig.TINY, 2)) {
            assertEquals(FeatureCache.key(a, false, true), FeatureCache.key(a, false, true));
            assertFalse(FeatureCache.key(a, false, true).equals(FeatureCache.key(b, false, true)));
            assertFalse(FeatureCache.key(a, false, true).equals(FeatureCache.key(a, true, true)));
        }
    }

    @Test
    void resumeAfterKillGivesTheSameNextStepLoss() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        TrainChild.run(whole, false);
        TreeMap<Long, Double> ref = losses(whole.resolve("train.jsonl"));
        long total = (long) TrainChild.EPOCHS * ((TrainChild.VIDEOS + 1) / 2);
        assertEquals(total, ref.size());

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TrainChild.class.getName(),
                killed.toString(), "false").redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path log = killed.resolve("train.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()
                && (!Files.exists(log) || Files.readAllLines(log).size() < 5)) Thread.sleep(20);
        assertTrue(p.isAlive(), "the child ended before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly().waitFor();
        long before = losses(log).lastKey();
        assertTrue(before < total, "killed after " + before + " of " + total + " steps");

        Trainer.Result r = TrainChild.run(killed, true);
        assertEquals(total, r.steps());
        TreeMap<Long, Double> resumed = losses(log);
        // every step, including the first after the checkpoint, equals the uninterrupted run's
        for (Map.Entry<Long, Double> e : ref.entrySet())
            assertEquals(e.getValue(), resumed.get(e.getKey()), 1e-6, "step " + e.getKey());
        // the log stays valid JSON lines even if the kill cut a line in half
        for (String line : Files.readAllLines(log)) Json.parse(line);
    }
}
