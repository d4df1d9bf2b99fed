package dev.avsal.examples;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalException;
import dev.avsal.AvSalModel;
import dev.avsal.io.synth.SynthConfig;
import dev.avsal.io.synth.SynthGenerator;
import dev.avsal.io.synth.SynthVideos;
import dev.avsal.metrics.CenterPrior;
import dev.avsal.metrics.Map2D;
import dev.avsal.model.head.DecoderConfig;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.model.head.OutputNormalization;
import dev.avsal.train.FeatureCache;
import dev.avsal.train.MapScores;
import dev.avsal.train.TrainConfig;
import dev.avsal.train.TrainVideo;
import dev.avsal.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Experiment driver (to become the demo). */
public final class Demo {
    public static void main(String[] args) throws Exception {
        int clips = Integer.parseInt(args.length > 0 ? args[0] : "48");
        int epochs = Integer.parseInt(args.length > 1 ? args[1] : "10");
        double lr = Double.parseDouble(args.length > 2 ? args[2] : "2e-3");
        int batch = Integer.parseInt(args.length > 3 ? args[3] : "4");
        int frames = Integer.parseInt(args.length > 4 ? args[4] : "8");
        Path out = Path.of(args.length > 5 ? args[5] : "/tmp/avsal-exp");
        PrintStream o = System.out;
        long t0 = System.nanoTime();
        SynthGenerator gen = new SynthGenerator(SynthConfig.builder().setClips(clips).build());
        List<TrainVideo> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            TrainVideo v = SynthVideos.of(gen.clip(i));
            switch (gen.split(i)) {
                case "train" -> train.add(v);
                case "val" -> val.add(v);
                default -> test.add(v);
            }
        }
        o.printf(Locale.ROOT, "generated %d clips in %.1f s%n", clips, (System.nanoTime() - t0) / 1e9);
        AvSalConfig cfg = softmax(AvSalConfig.TINY);
        MapScores[] res = new MapScores[2];
        for (int k = 0; k < 2; k++) {
            boolean silence = k == 1;
            long t1 = System.nanoTime();
            try (AvSalModel m = AvSalModel.random(cfg, 7)) {
                TrainConfig tc = TrainConfig.builder().setOutput(out.resolve(silence ? "silenced" : "av"))
                        .optCacheDir(out.resolve("cache")).optEpochs(epochs).optLearningRate(lr).optBatchClips(batch)
                        .optClipFrames(frames).optSilenceAudio(silence).optProgress(true).optThreads(2).build();
                Trainer t = new Trainer(m, tc);
                Trainer.Result r = t.fit(train, val);
                try (FeatureCache c = new FeatureCache(m, tc.cacheDir(), silence, tc.flipAugment())) {
                    res[k] = t.evaluate(test, c);
                }
                o.printf(Locale.ROOT, "%s: %d steps, best epoch %d, %.1f s, encoded %d; test %s%n", silence ? "silenced" : "av",
                        r.steps(), r.bestEpoch(), (System.nanoTime() - t1) / 1e9, r.encodedFrames(), res[k]);
            }
        }
        MapScores cp = new MapScores(42);
        for (TrainVideo v : test)
            for (int i = 0; i < v.frameCount(); i++) cp.add(CenterPrior.predict(v.width(), v.height()), v.density(i), v.fixations(i));
        o.println("center prior: " + cp);
        o.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static AvSalConfig softmax(AvSalConfig c) {
        HeadConfig h = c.head();
        HeadConfig sh = new HeadConfig(h.taps(), h.patchSize(), h.gridH(), h.gridW(), h.fusion(), h.gru(),
                new DecoderConfig(h.decoder().dim(), OutputNormalization.SPATIAL_SOFTMAX));
        return new AvSalConfig(c.name(), c.clip(), c.audio(), sh, c.inputHeight(), c.inputWidth(), c.weights(), c.licence());
    }

    @SuppressWarnings("unused")
    private static void unused(Map2D m) throws IOException, AvSalException {}
}
