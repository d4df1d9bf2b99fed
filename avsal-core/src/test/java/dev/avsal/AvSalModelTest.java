package dev.avsal;

import static dev.avsal.PredictTesting.maxAbsDiff;
import static dev.avsal.PredictTesting.video;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.model.ImageBindAudioEncoder;
import dev.avsal.model.ModelConfigException;
import dev.avsal.model.WeightMismatchException;
import dev.avsal.model.head.AvSalHead;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.predict.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight files: combined, head-only with official-layout encoder files, PyTorch head conversion, presets. */
class AvSalModelTest {
    @TempDir
    static Path dir;
    static AvSalModel model;
    static List<Frame> frames;
    static List<SaliencyMap> expected;

    @BeforeAll
    static void setUp() throws AvSalException {
        model = AvSalModel.random("avsal-r-tiny", 11);
        frames = video(6, 128, 96, 2, 11);
        expected = maps(model);
    }

    @AfterAll
    static void tearDown() { model.close(); }

    static List<SaliencyMap> maps(AvSalModel m) throws AvSalException {
        try (AvSalPredictor p = AvSalPredictor.builder().setModel(m).optDevice(Device.CPU).build()) {
            return p.predict(frames);
        }
    }

    /** Writes a module's tensors under {@code prefix} plus some extra tensors, as another program's file would. */
    static void write(Path file, Module m, String prefix, Map<String, float[]> extra, Map<String, String> meta) throws AvSalException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : Tensors.namedTensors(m, true).entrySet())
                out.put(prefix + e.getKey(), Tensors.lazyFloat32(prefix + e.getKey(), e.getValue()));
            extra.forEach((k, v) -> out.put(k, dev.avsal.checkpoint.ArrayTensor.ofFloats(k, new long[] {v.length}, v)));
            SafetensorsWriter.write(file, out, meta);
        }
    }

    @Test
    void combinedFileRoundTrip() throws AvSalException {
        Path f = dir.resolve("tiny.safetensors");
        model.save(f);
        try (Checkpoint ck = Checkpoints.open(f)) {
            String json = (String) ck.metadata().get("__metadata__." + AvSalConfig.METADATA_KEY);
            assertEquals(AvSalConfig.TINY, AvSalConfig.fromJson(json, "test"));
            assertTrue(ck.contains("clip.transformer.resblocks.3.mlp.c_proj.weight"));
            assertTrue(ck.contains("audio.modality_postprocessors.audio.1.log_logit_scale"), "buffers are saved too");
            assertTrue(ck.contains("head.decoder.head.2.bias"));
        }
        try (AvSalModel loaded = AvSalModel.load(f, "avsal-r-tiny")) {
            assertEquals(AvSalConfig.TINY, loaded.config());
            assertEquals(0.0, maxAbsDiff(expected, maps(loaded)));
        }
        try (AvSalPredictor p = AvSalPredictor.builder().setWeights(f).optPreset("avsal-r-tiny").optDevice(Device.CPU).build()) {
            assertEquals(0.0, maxAbsDiff(expected, p.predict(frames)));
        }
    }

    @Test
    void weightsForAnotherPresetAreRefused() throws AvSalException {
        Path f = dir.resolve("tiny2.safetensors");
        model.save(f);
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> AvSalModel.load(f, "avsal-r-b16"));
        assertTrue(e.getMessage().contains("holds weights for 'avsal-r-tiny'") && e.getMessage().contains("'avsal-r-b16'"), e.getMessage());
        e = assertThrows(ModelConfigException.class, () -> AvSalPredictor.builder().setWeights(f).optPreset("avsal-r-b16")
                .optDevice(Device.CPU).build());
        assertTrue(e.getMessage().contains("avsal-r-b16"), e.getMessage());
        e = assertThrows(ModelConfigException.class, () -> AvSalPredictor.builder().setModel(model).optPreset("avsal-r-b16")
                .optDevice(Device.CPU).build());
        assertTrue(e.getMessage().contains("weights are for 'avsal-r-tiny'"), e.getMessage());
        Path head = dir.resolve("head-only.safetensors");
        model.saveHead(head);
        e = assertThrows(ModelConfigException.class, () -> AvSalModel.load(head));
        assertTrue(e.getMessage().contains("head-only file"), e.getMessage());
    }

    @Test
    void headOnlyFileWithOfficialLayoutEncoderFiles() throws AvSalException {
        Path head = dir.resolve("head.safetensors"), clip = dir.resolve("clip.safetensors"), ib = dir.resolve("ib.safetensors");
        model.saveHead(head);
        // OpenAI layout (visual.* beside a text tower) and ImageBind layout (other modalities beside the audio branch)
        write(clip, model.clipEncoder().module(), "visual.", Map.of("transformer.resblocks.0.ln_1.weight", new float[8],
                "logit_scale", new float[1]), Map.of());
        write(ib, model.audioEncoder().module(), "", Map.of("modality_trunks.vision.blocks.0.norm_1.weight", new float[8]), Map.of());
        try (AvSalModel m = AvSalModel.load(head, clip, ib)) {
            assertEquals("avsal-r-tiny", m.config().name(), "preset recognised (and its head counts used)");
            assertEquals(2, m.config().clip().heads());
            assertEquals(0.0, maxAbsDiff(expected, maps(m)));
        }
        // a CLIP tower of another width does not fit the head
        Path wide = dir.resolve("clip-wide.safetensors");
        try (ClipVisionEncoder other = ClipVisionEncoder.createRandom(new ClipVisionConfig(112, 16, 128, 4, 2, 32), 1)) {
            write(wide, other.module(), "visual.", Map.of(), Map.of());
        }
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> AvSalModel.load(head, wide, ib));
        assertTrue(e.getMessage().contains("head expects 64-wide visual tokens, the CLIP tower gives 128"), e.getMessage());
    }

    @Test
    void pytorchHeadCheckpointConversion() throws AvSalException {
        Path clip = dir.resolve("clip-c.safetensors"), ib = dir.resolve("ib-c.safetensors");
        write(clip, model.clipEncoder().module(), "visual.", Map.of(), Map.of());
        write(ib, model.audioEncoder().module(), "", Map.of(), Map.of());
        // a training checkpoint: the head under Lightning + DDP prefixes, optimizer state beside it, no config
        Path torch = dir.resolve("trained.safetensors"), out = dir.resolve("converted.safetensors");
        write(torch, model.head(), "state_dict.module.", Map.of("optimizer.state.0.exp_avg", new float[4]), Map.of());
        HeadConfig hc = AvSalModel.convertHead(torch, "avsal-r-tiny", out);
        assertEquals(AvSalConfig.TINY.head(), hc, "config inferred from shapes + preset");
        try (AvSalModel m = AvSalModel.load(out, clip, ib)) {
            assertEquals(0.0, maxAbsDiff(expected, maps(m)));
        }
        // a stored config wins over inference (here: a different attention head count that only the config knows)
        HeadConfig twoHeads = new HeadConfig(hc.taps(), hc.patchSize(), hc.gridH(), hc.gridW(),
                new dev.avsal.model.head.FusionConfig(64, 64, 32, 2, 2, 1e-5), hc.gru(), hc.decoder());
        Path withCfg = dir.resolve("trained-cfg.safetensors");
        write(withCfg, model.head(), "model.head.", Map.of(), Map.of("config", twoHeads.toJson()));
        assertEquals(twoHeads, AvSalModel.convertHead(withCfg, "avsal-r-tiny", dir.resolve("converted2.safetensors")));
        // a head whose keys are incomplete is reported key by key
        Path partial = dir.resolve("partial.safetensors");
        try (AvSalHead h = new AvSalHead(AvSalConfig.TINY.head()); PointerScope scope = new PointerScope()) {
            Map<String, TensorData> w = new LinkedHashMap<>();
            Tensors.namedTensors(h, false).forEach((k, t) -> {
                if (!k.startsWith("decoder.fuse.1")) w.put("module." + k, Tensors.lazyFloat32(k, t));
            });
            SafetensorsWriter.write(partial, w, Map.of());
        }
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> AvSalModel.convertHead(partial, "avsal-r-tiny", dir.resolve("x.safetensors")));
        assertEquals(List.of("decoder.fuse.1.weight", "decoder.fuse.1.bias"), e.missing());
        ModelConfigException none = assertThrows(ModelConfigException.class,
                () -> AvSalModel.convertHead(clip, "avsal-r-tiny", dir.resolve("y.safetensors")));
        assertTrue(none.getMessage().contains("no AVSal-R head found"), none.getMessage());
        ModelConfigException wrong = assertThrows(ModelConfigException.class,
                () -> AvSalModel.convertHead(torch, "avsal-r-b16", dir.resolve("z.safetensors")));
        assertTrue(wrong.getMessage().contains("does not fit preset 'avsal-r-b16'"), wrong.getMessage());
    }

    @Test
    void parameterCounts() {
        Map<String, Long> tiny = AvSalConfig.TINY.parameterCounts();
        assertEquals(tiny, model.parameterCounts(), "analytic counts = module counts");
        Map<String, Long> b16 = AvSalConfig.B16.parameterCounts();
        // the modules of the real preset, uninitialised (torch.empty: nothing is touched)
        try (ClipVisionEncoder c = ClipVisionEncoder.create(AvSalConfig.B16.clip());
             ImageBindAudioEncoder a = ImageBindAudioEncoder.create(AvSalConfig.B16.audio());
             AvSalHead h = new AvSalHead(AvSalConfig.B16.head())) {
            assertEquals(b16.get("clip"), Tensors.parameterCount(c.module()));
            assertEquals(b16.get("audio"), Tensors.parameterCount(a.module()));
            assertEquals(b16.get("head"), Tensors.parameterCount(h));
        }
        assertEquals(3_212_161L, b16.get("head"), "the head's documented size");
        assertEquals(86_192_640L, b16.get("clip"), "OpenAI ViT-B/16 image tower");
        System.out.println("parameters avsal-r-b16: " + b16 + "; avsal-r-tiny: " + tiny);
    }

    @Test
    void configJson() {
        for (AvSalConfig c : AvSalConfig.PRESETS) assertEquals(c, AvSalConfig.fromJson(c.toJson(), "test"));
        AvSalConfig wide = AvSalConfig.B16.withInputSize(224, 384);
        assertEquals(24, wide.head().gridW());
        assertTrue(wide.sameStructure(AvSalConfig.B16));
        assertEquals(wide, AvSalConfig.fromJson(wide.toJson(), "test"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AvSalConfig.fromJson(AvSalConfig.TINY.toJson().replace("\"format\":1", "\"format\":2"), "f.json"));
        assertTrue(e.getMessage().contains("f.json: model config format 2 is not supported"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AvSalConfig.fromJson(AvSalConfig.TINY.toJson().replace("\"input_width\"", "\"inputwidth\""), "f.json"));
        assertTrue(e.getMessage().contains("'input_width' is missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvSalConfig("x", AvSalConfig.B16.clip(),
                AvSalConfig.TINY.audio(), AvSalConfig.B16.head(), 224, 224, "", ""));
        assertTrue(e.getMessage().contains("head expects 768-wide audio tokens, the audio branch gives 64"), e.getMessage());
        assertEquals(AvSalConfig.TINY, AvSalConfig.preset("AVSAL-R-TINY"));
        assertThrows(IllegalArgumentException.class, () -> AvSalConfig.preset("avsal-r-l14"));
    }
}
