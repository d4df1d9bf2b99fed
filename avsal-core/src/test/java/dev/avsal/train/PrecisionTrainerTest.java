package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import dev.avsal.Device;
import dev.avsal.DeviceException;
import dev.avsal.Diagnostics;
import dev.avsal.Precision;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.predict.Autocast;
import dev.avsal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in reduced precision and device selection, on the CPU: bf16 and fp16 autocast run through the same code as
 * CUDA would (only the device differs), so these tests cover everything of the GPU path except CUDA itself.
 */
class PrecisionTrainerTest {
    @TempDir
    Path tmp;

    private TrainConfig.Builder config(Path out, Precision p) {
        return TrainConfig.builder().setOutput(out).optCacheDir(tmp.resolve("cache")).optEpochs(4).optBatchClips(2)
                .optClipFrames(3).optLearningRate(3e-3).optThreads(1).optSeed(3).optDevice(Device.CPU).optPrecision(p);
    }

    private static List<AnnotatedVideo> train() { return TinyVideos.make(6, 4, 112, 21); }

    private static List<AnnotatedVideo> val() { return TinyVideos.make(2, 4, 112, 22); }

    /** The training-state metadata of a checkpoint. */
    static Map<?, ?> state(Path checkpoint) throws Exception {
        try (Checkpoint ck = Checkpoints.open(checkpoint)) {
            return (Map<?, ?>) Json.parse((String) ck.metadata().get("__metadata__." + Trainer.STATE_KEY));
        }
    }

    /** Step lines of a train.jsonl in order (the last occurrence of each step). */
    static List<Map<?, ?>> steps(Path log) throws Exception {
        TreeMap<Long, Map<?, ?>> m = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank()) continue;
            Map<?, ?> o = (Map<?, ?>) Json.parse(line);
            if ("step".equals(o.get("type"))) m.put(((Number) o.get("step")).longValue(), o);
        }
        return new ArrayList<>(m.values());
    }

    @Test
    void autocastRunsTheHeadInTheLowPrecision() {
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 1); PointerScope scope = new PointerScope()) {
            var c = m.config();
            List<Tensor> taps = new ArrayList<>();
            for (int i = 0; i < c.head().taps().size(); i++) taps.add(torch.randn(3, 49, c.clip().width()));
            Tensor audio = torch.randn(3, c.audio().tokens(), c.audio().width());
            org.bytedeco.pytorch.Device cpu = new org.bytedeco.pytorch.Device(torch.DeviceType.CPU);
            Map<Precision, torch.ScalarType> expected = Map.of(Precision.FP32, torch.ScalarType.Float,
                    Precision.BF16, torch.ScalarType.BFloat16, Precision.FP16, torch.ScalarType.Half);
            for (Map.Entry<Precision, torch.ScalarType> e : expected.entrySet()) {
                Tensor logits;
                try (Autocast ac = Devices.autocast(cpu, e.getKey())) {
                    assertEquals(e.getKey() != Precision.FP32, torch.is_autocast_enabled(torch.DeviceType.CPU));
                    logits = m.head().forward(taps, 7, 7, audio, 1, 3);
                }
                assertEquals(e.getValue(), logits.scalar_type().intern(), e.getKey().toString());
                assertFalse(torch.is_autocast_enabled(torch.DeviceType.CPU), "autocast left on after " + e.getKey());
            }
        }
    }

    @Test
    void bf16TrainsAndItsFirstLossIsCloseToFp32ButNotEqual() throws Exception {
        List<AnnotatedVideo> train = train(), val = val();
        Trainer.Result f32, b16;
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 4)) {
            f32 = new Trainer(m, config(tmp.resolve("fp32"), Precision.FP32).build()).fit(train, val);
        }
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 4)) {
            b16 = new Trainer(m, config(tmp.resolve("bf16"), Precision.BF16).build()).fit(train, val);
        }
        // the feature cache does not depend on the precision: the bf16 run encoded nothing
        assertEquals(0, b16.encodedFrames());
        double a = TrainerTest.losses(tmp.resolve("fp32/train.jsonl")).get(1L);
        double b = TrainerTest.losses(tmp.resolve("bf16/train.jsonl")).get(1L);
        // same weights, same batch: only the arithmetic differs. bf16 keeps 8 significant bits (unit roundoff
        // u = 2^-9 = 0.2%); under autocast the head's matrix products and convolutions round their inputs to it and
        // accumulate in float32, so each logit carries a relative error of the order of u. The loss (computed in
        // float32) averages smooth functions of ~75k logits (6 maps x 112 x 112), in which independent rounding
        // errors largely cancel, so its relative error stays below u itself; u is the bound (measured: 9.6e-5,
        // 20x below it). A missing cast or a wrong map would be off by far more.
        assertTrue(Math.abs(a - b) <= 0x1p-9 * Math.abs(a), "first-step loss fp32 " + a + " vs bf16 " + b);
        assertNotEquals(a, b, "bf16 loss equal to fp32 bit for bit: autocast was not active");
        double first = b16.epochs().get(0).trainLoss(), last = b16.epochs().get(3).trainLoss();
        assertTrue(last < 0.8 * first, "bf16 loss " + first + " -> " + last);
        assertTrue(b16.bestValidationCc() > 0.5, "bf16 validation CC " + b16.bestValidationCc());
        // precision is part of the checkpoint's settings only when it is not fp32
        assertEquals("bf16", ((Map<?, ?>) state(b16.last()).get("config")).get("precision"));
        assertFalse(((Map<?, ?>) state(f32.last()).get("config")).containsKey("precision"));
        assertNull(state(b16.last()).get("loss_scaler"));
    }

    @Test
    void bf16ResumeTakesTheSameStepsAsAnUninterruptedRun() throws Exception {
        List<AnnotatedVideo> train = train(), val = val();
        Path whole = tmp.resolve("whole"), resumed = tmp.resolve("resumed");
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 6)) {
            new Trainer(m, config(whole, Precision.BF16).optEpochs(2).build()).fit(train, val);
        }
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 6)) { // interrupted at the first validation, after step 2's checkpoint
            assertThrows(IllegalStateException.class, () -> new Trainer(m, config(resumed, Precision.BF16).optEpochs(2)
                    .optCheckpointEvery(1).build()).fit(train, List.of(TinyVideos.interrupting(val.get(0)), val.get(1))));
        }
        assertEquals(2L, ((Number) state(resumed.resolve("last.safetensors")).get("step")).longValue());
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 6)) { // another precision cannot resume it
            TrainException e = assertThrows(TrainException.class, () -> new Trainer(m, config(resumed, Precision.FP32)
                    .optEpochs(2).optResume(true).build()).fit(train, val));
            assertTrue(e.getMessage().contains("other training settings"), e.getMessage());
        }
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 6)) {
            new Trainer(m, config(resumed, Precision.BF16).optEpochs(2).optResume(true).build()).fit(train, val);
        }
        TreeMap<Long, Double> ref = TrainerTest.losses(whole.resolve("train.jsonl"));
        assertEquals(6, ref.size());
        assertEquals(ref, TrainerTest.losses(resumed.resolve("train.jsonl"))); // step 3 onwards recomputed, bit for bit
    }

    @Test
    void fp16SkipsOverflowingStepsScalesTheLossAndResumesWithTheScalerState() throws Exception {
        List<AnnotatedVideo> train = train(), val = val();
        Path whole = tmp.resolve("whole"), resumed = tmp.resolve("resumed");
        // start at 2^40: the first backward overflows float16 (max 65504); back off straight to GradScaler's 2^16
        java.util.function.Supplier<LossScaler> overflowing = () -> new LossScaler(0x1p40f, 2f, 0x1p-24f, 2000);
        Trainer.Result r;
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 8)) {
            Trainer t = new Trainer(m, config(whole, Precision.FP16).build());
            t.lossScalers = overflowing;
            r = t.fit(train, val);
        }
        List<Map<?, ?>> steps = steps(whole.resolve("train.jsonl"));
        assertEquals(12, steps.size());
        assertEquals(Boolean.TRUE, steps.get(0).get("skipped"));
        assertEquals(0x1p40, ((Number) steps.get(0).get("loss_scale")).doubleValue());
        assertNull(steps.get(0).get("grad_norm")); // not measured on inf/NaN gradients
        for (Map<?, ?> s : steps.subList(1, steps.size())) {
            assertNull(s.get("skipped"), s.toString());
            assertEquals(65536.0, ((Number) s.get("loss_scale")).doubleValue(), s.toString());
        }
        Map<?, ?> st = state(r.last());
        assertEquals(11L, ((Number) st.get("optimizer_steps")).longValue()); // the skipped step did not count
        assertEquals(Map.of("scale", 65536.0, "growth_tracker", 11L), Map.copyOf((Map<?, ?>) st.get("loss_scaler")));
        assertEquals("fp16", ((Map<?, ?>) st.get("config")).get("precision"));
        double first = r.epochs().get(0).trainLoss(), last = r.epochs().get(3).trainLoss();
        assertTrue(last < 0.8 * first, "fp16 loss " + first + " -> " + last);

        // interrupted after step 2, resumed by a trainer whose fresh scaler would overflow again: only the scaler
        // state from the checkpoint (2^16, 1 good step) reproduces the uninterrupted steps
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 8)) {
            Trainer t = new Trainer(m, config(resumed, Precision.FP16).optCheckpointEvery(1).build());
            t.lossScalers = overflowing;
            assertThrows(IllegalStateException.class, () -> t.fit(train, List.of(TinyVideos.interrupting(val.get(0)), val.get(1))));
        }
        assertEquals(Map.of("scale", 65536.0, "growth_tracker", 1L),
                Map.copyOf((Map<?, ?>) state(resumed.resolve("last.safetensors")).get("loss_scaler")));
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 8)) {
            Trainer t = new Trainer(m, config(resumed, Precision.FP16).optCheckpointEvery(1).optResume(true).build());
            t.lossScalers = overflowing;
            t.fit(train, val);
        }
        assertEquals(TrainerTest.losses(whole.resolve("train.jsonl")), TrainerTest.losses(resumed.resolve("train.jsonl")));
        assertEquals(st.get("loss_scaler"), state(resumed.resolve("last.safetensors")).get("loss_scaler"));
    }

    @Test
    void cudaWithoutAUsableGpuIsATypedErrorBeforeAnythingIsWritten() throws Exception {
        String reason = Diagnostics.cudaUnavailableReason();
        assumeTrue(reason != null, "this machine has CUDA");
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 1)) {
            for (TrainConfig.Builder b : List.of(config(tmp.resolve("a"), Precision.BF16).optDevice(Device.CUDA),
                    config(tmp.resolve("a"), Precision.FP16).optCudaDevice(1))) {
                DeviceException e = assertThrows(DeviceException.class, () -> new Trainer(m, b.build()).fit(train(), val()));
                assertTrue(e.getMessage().contains("CUDA") && e.getMessage().contains(reason), e.getMessage());
                assertFalse(Files.exists(tmp.resolve("a")), "nothing may be written");
            }
            assertEquals(dev.avsal.Device.CPU, m.device()); // the model did not move
        }
    }

    @Test
    void precisionAndDeviceInTheConfig() throws Exception {
        TrainConfig f32 = TrainConfig.builder().setOutput(tmp).build();
        assertEquals(Device.AUTO, f32.device());
        assertEquals(-1, f32.cudaIndex());
        assertEquals(Precision.FP32, f32.precision());
        // fp32 maps exactly as before precision existed, so older checkpoints still resume
        assertEquals(List.of("epochs", "batch_clips", "clip_frames", "lr", "weight_decay", "warmup_fraction",
                "min_lr_fraction", "grad_clip", "loss", "seed", "silence_audio", "flip_augment"), List.copyOf(f32.toMap().keySet()));
        for (Precision p : List.of(Precision.BF16, Precision.FP16)) {
            Map<String, Object> m = TrainConfig.builder().setOutput(tmp).optPrecision(p).build().toMap();
            assertEquals(p.name().toLowerCase(java.util.Locale.ROOT), m.get("precision"));
            assertEquals(Json.write(m), Json.write(Json.parse(Json.write(m)))); // as the checkpoint compares it
        }
        // the device is not a training setting: a run may resume on another device
        TrainConfig cuda = TrainConfig.builder().setOutput(tmp).optCudaDevice(2).optPrecision(Precision.BF16).build();
        assertEquals(Device.CUDA, cuda.device());
        assertEquals(2, cuda.cudaIndex());
        assertEquals(TrainConfig.builder().setOutput(tmp).optDevice(Device.CPU).optPrecision(Precision.BF16).build().toMap(),
                cuda.toMap());
        assertEquals(-1, TrainConfig.builder().setOutput(tmp).optCudaDevice(2).optDevice(Device.CUDA).build().cudaIndex());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().setOutput(tmp).optCudaDevice(-2).build());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().setOutput(tmp).optCudaDevice(128).build());
        TrainConfig c = TrainConfig.builder().setOutput(tmp).build();
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig(c.output(), c.cacheDir(), c.epochs(),
                c.batchClips(), c.clipFrames(), c.lr(), c.weightDecay(), c.warmupFraction(), c.minLrFraction(), c.gradClip(),
                c.loss(), c.seed(), c.silenceAudio(), c.flipAugment(), c.checkpointEvery(), c.threads(), c.progress(),
                c.resume(), c.trainEncoders(), Device.CPU, 0, Precision.FP32));
    }
}
