package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.predict.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainConfig#trainEncoders()}: the encoders train with the head, or stay bit-identical when it is off. */
class EndToEndTrainerTest {
    @TempDir
    Path tmp;

    /** Every encoder parameter and buffer as float32 values, by {@code clip.*} / {@code audio.*} name. */
    static Map<String, float[]> encoderWeights(AvSalModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Tensors.namedTensors(m.clipEncoder().module(), true).forEach((k, v) -> out.put("clip." + k, floats(v)));
            Tensors.namedTensors(m.audioEncoder().module(), true).forEach((k, v) -> out.put("audio." + k, floats(v)));
        }
        return out;
    }

    private static float[] floats(Tensor t) {
        return Tensors.toFloats(t.detach().contiguous());
    }

    private static TrainConfig.Builder config(Path out) {
        return TrainConfig.builder().setOutput(out).optCacheDir(out.resolve("cache")).optEpochs(3).optBatchClips(2)
                .optClipFrames(3).optLearningRate(3e-3).optWarmupFraction(0).optThreads(1).optSeed(7);
    }

    @Test
    void encodersTrainOnlyWhenUnfrozen() throws Exception {
        List<AnnotatedVideo> train = TinyVideos.make(4, 4, 112, 11), val = TinyVideos.make(1, 4, 112, 12);
        Map<String, float[]> trained;

        // on: the encoders change, the loss falls, best.safetensors holds the trained encoders
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 3)) {
            Map<String, float[]> before = encoderWeights(m);
            Path out = tmp.resolve("e2e");
            Trainer.Result r = new Trainer(m, config(out).optTrainEncoders(true).build()).fit(train, val);
            Map<String, float[]> after = encoderWeights(m);
            trained = after;
            int changedClip = 0, changedAudio = 0;
            for (String k : before.keySet())
                if (!java.util.Arrays.equals(before.get(k), after.get(k))) {
                    if (k.startsWith("clip.")) changedClip++;
                    else changedAudio++;
                }
            assertTrue(changedClip > 10, "changed CLIP tensors: " + changedClip);
            assertTrue(changedAudio > 10, "changed audio tensors: " + changedAudio);
            // no feature cache; every step encodes its 2 x 3 frames, every validation 4 frames
            assertFalse(java.nio.file.Files.exists(out.resolve("cache")));
            assertEquals(3 * 2 * 6 + 3 * 4, r.encodedFrames());
            TreeMap<Long, Double> loss = TrainerTest.losses(out.resolve("train.jsonl"));
            assertEquals(6, loss.size());
            double first = (loss.get(1L) + loss.get(2L)) / 2, last = (loss.get(5L) + loss.get(6L)) / 2;
            assertTrue(last < 0.9 * first, "loss " + loss);
            assertEquals(first, r.epochs().get(0).trainLoss(), 1e-9);
            // the trained model is the best epoch's, and loads back with its encoders from best.safetensors
            try (AvSalModel b = AvSalModel.load(r.best())) {
                Map<String, float[]> loaded = encoderWeights(b);
                for (String k : after.keySet()) assertArrayEquals(after.get(k), loaded.get(k), k);
            }
            // the encoders are frozen again afterwards
            try (PointerScope scope = new PointerScope()) {
                for (Tensor p : Tensors.namedTensors(m.clipEncoder().module(), false).values()) assertFalse(p.requires_grad());
            }
        }

        // resumed after an interruption at the first validation (checkpoint after step 1): the same steps, the same
        // encoders at the end as the uninterrupted run
        Path resumed = tmp.resolve("resumed");
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 3)) {
            assertThrows(IllegalStateException.class, () -> new Trainer(m, config(resumed).optTrainEncoders(true)
                    .optCheckpointEvery(1).build()).fit(train, List.of(TinyVideos.interrupting(val.get(0)))));
        }
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 3)) {
            new Trainer(m, config(resumed).optTrainEncoders(true).optResume(true).build()).fit(train, val);
            TreeMap<Long, Double> ref = TrainerTest.losses(tmp.resolve("e2e").resolve("train.jsonl"));
            assertEquals(ref, TrainerTest.losses(resumed.resolve("train.jsonl")));
            Map<String, float[]> after = encoderWeights(m);
            for (String k : trained.keySet()) assertArrayEquals(trained.get(k), after.get(k), k);
        }

        // off: head-only training leaves every encoder value bit-identical
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 3)) {
            Map<String, float[]> before = encoderWeights(m);
            Trainer.Result r = new Trainer(m, config(tmp.resolve("head")).build()).fit(train, val);
            assertTrue(r.epochs().get(2).trainLoss() < r.epochs().get(0).trainLoss());
            Map<String, float[]> after = encoderWeights(m);
            assertEquals(before.keySet(), after.keySet());
            for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
        }
    }

    @Test
    void trainableForwardMatchesInferenceAndRecordsGradients() {
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 5); PointerScope scope = new PointerScope()) {
            float[] x = new float[2 * 3 * 112 * 112], mel = new float[2 * 128 * 204];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < mel.length; i++) mel[i] = (float) r.nextGaussian();
            Tensor images = Tensors.fromFloats(x, 2, 3, 112, 112), spec = Tensors.fromFloats(mel, 2, 1, 128, 204);
            Tensor conv = Tensors.namedTensors(m.clipEncoder().module(), false).get("conv1.weight");
            Tensor stem = Tensors.namedTensors(m.audioEncoder().module(), false).get("modality_preprocessors.audio.rgbt_stem.proj.weight");
            conv.requires_grad_(true);
            stem.requires_grad_(true);
            try {
                float[] a = Tensors.toFloats(m.clipEncoder().forward(images, 2).hiddenStates().get(0));
                Tensor h = m.clipEncoder().forwardTrainable(images, 2).hiddenStates().get(0);
                assertTrue(h.requires_grad());
                assertArrayEquals(a, Tensors.toFloats(h.detach()), 1e-5f);
                float[] b = Tensors.toFloats(m.audioEncoder().forward(spec).tokens());
                Tensor t = m.audioEncoder().forwardTrainable(spec).tokens();
                assertArrayEquals(b, Tensors.toFloats(t.detach()), 1e-5f);
                h.sum().add(t.sum()).backward();
                assertTrue(conv.grad().defined() && conv.grad().abs().sum().item_double() > 0);
                assertTrue(stem.grad().defined() && stem.grad().abs().sum().item_double() > 0);
            } finally {
                conv.requires_grad_(false);
                stem.requires_grad_(false);
            }
        }
    }

    @Test
    void otherPresetsAreRefused() throws Exception {
        AvSalConfig t = AvSalConfig.TINY;
        AvSalConfig other = new AvSalConfig("custom", t.clip(), t.audio(), t.head(), t.inputHeight(), t.inputWidth(),
                t.weights(), t.licence());
        try (AvSalModel m = AvSalModel.random(other, 1)) {
            TrainException e = assertThrows(TrainException.class, () -> new Trainer(m,
                    config(tmp.resolve("x")).optTrainEncoders(true).build()).fit(TinyVideos.make(1, 3, 112, 1), List.of()));
            assertTrue(e.getMessage().contains("avsal-r-tiny"), e.getMessage());
        }
    }
}
