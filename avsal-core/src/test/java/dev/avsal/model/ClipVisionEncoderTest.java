package dev.avsal.model;

import static dev.avsal.model.TestTensors.assertClose;
import static dev.avsal.model.TestTensors.assertShape;
import static dev.avsal.model.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class ClipVisionEncoderTest {
    /** 32 px, patch 8 (4x4 grid), width 64, 2 heads of 32, MLP 96 (not 4x), projection 24. */
    static final ClipVisionConfig TINY = new ClipVisionConfig(32, 8, 64, 3, 2, 24, 96, 1e-5,
            ClipVisionConfig.Activation.QUICK_GELU);

    private static double[][][] image(float[] batch, int index, int h, int w) {
        double[][][] img = new double[3][h][w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img[c][y][x] = batch[((index * 3 + c) * h + y) * w + x];
        return img;
    }

    /** Runs encoder and reference on a random batch and compares every block, the pooled CLS and the embedding. */
    private static void compareWithReference(ClipVisionConfig cfg, int batch, int h, int w, long seed) {
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(cfg); PointerScope scope = new PointerScope()) {
            Map<String, TestTensorData> weights = TestTensors.randomWeights(enc.module(), seed);
            enc.loadWeights(weights, "random");
            Map<String, float[]> p = TestTensors.values(weights);
            float[] in = TestTensors.randomArray(batch * 3 * h * w, seed + 1);
            int[] taps = new int[cfg.layers() + 1];
            for (int i = 0; i < taps.length; i++) taps[i] = i;
            ClipVisionEncoder.Output out = enc.forward(TestTensors.tensor(in, batch, 3, h, w), taps);
            int tokens = 1 + (h / cfg.patchSize()) * (w / cfg.patchSize());
            List<RefNets.ClipOut> ref = new ArrayList<>();
            for (int b = 0; b < batch; b++) ref.add(RefNets.clip(p, cfg, image(in, b, h, w)));
            for (int k = 0; k <= cfg.layers(); k++) {
                Tensor hk = out.hidden(k);
                assertShape(hk, batch, tokens, cfg.width());
                List<double[][]> r = new ArrayList<>();
                for (RefNets.ClipOut o : ref) r.add(o.hidden().get(k));
                assertClose(cfg.activation() + " " + h + "x" + w + " hidden " + k, values(hk), TestTensors.flatten(r), 1e-5);
            }
            assertShape(out.pooled(), batch, cfg.width());
            assertClose(h + "x" + w + " pooled", values(out.pooled()),
                    TestTensors.flatten(ref.stream().map(o -> new double[][] {o.pooled()}).toList()), 1e-5);
            assertShape(out.embedding(), batch, cfg.outputDim());
            assertClose(h + "x" + w + " embedding", values(out.embedding()),
                    TestTensors.flatten(ref.stream().map(o -> new double[][] {o.embedding()}).toList()), 1e-5);
            assertEquals(h / cfg.patchSize(), out.gridHeight());
            assertEquals(w / cfg.patchSize(), out.gridWidth());
        } catch (WeightMismatchException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void matchesReferenceAtNativeSize() {
        compareWithReference(TINY, 2, 32, 32, 11);
    }

    @Test
    void interpolatesPositionsBicubicallyForOtherSizes() {
        compareWithReference(TINY, 1, 32, 64, 12);  // 4x8 grid (wider, as 224x384)
        compareWithReference(TINY, 2, 24, 40, 13);  // 3x5 grid (smaller and wider)
    }

    @Test
    void exactGeluVariant() {
        compareWithReference(TINY.withActivation(ClipVisionConfig.Activation.GELU).withLayerNormEps(1e-6), 1, 32, 32, 14);
    }

    @Test
    void repeatedCallsWithCachedGridGiveIdenticalResults() throws Exception {
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(TINY, 5); PointerScope scope = new PointerScope()) {
            Tensor x = TestTensors.tensor(TestTensors.randomArray(3 * 32 * 64, 6), 1, 3, 32, 64);
            float[] a = values(enc.forward(x).embedding()), b = values(enc.forward(x).embedding());
            assertArrayEquals(a, b);
            // reloading weights must drop grids interpolated from the old positions
            enc.loadWeights(TestTensors.randomWeights(enc.module(), 7), "other");
            float[] c = values(enc.forward(x).embedding());
            assertTrue(!java.util.Arrays.equals(a, c));
        }
    }

    @Test
    void defaultTapsAreQuartersOfTheDepth() {
        assertArrayEquals(new int[] {3, 6, 9, 12}, ClipVisionConfig.preset("ViT-B/16").config().defaultTaps());
        assertArrayEquals(new int[] {6, 12, 18, 24}, ClipVisionConfig.preset("ViT-L/14").config().defaultTaps());
        assertArrayEquals(new int[] {1, 2, 3}, TINY.defaultTaps());
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(TINY, 5); PointerScope scope = new PointerScope()) {
            ClipVisionEncoder.Output o = enc.forward(TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32));
            assertArrayEquals(new int[] {1, 2, 3}, o.taps());
            assertEquals(3, o.hiddenStates().size());
            // tapping fewer blocks still runs the whole tower for the embedding
            float[] full = values(o.embedding());
            assertArrayEquals(full, values(enc.forward(TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32), 1)
                    .embedding()));
            assertEquals(0, enc.forward(TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32)).hiddenStates()
                    .get(0).isNull() ? 1 : 0);
        }
    }

    @Test
    void rejectsBadInputAndTaps() {
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(TINY, 5); PointerScope scope = new PointerScope()) {
            Tensor ok = TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> enc.forward(TestTensors.tensor(new float[3 * 30 * 32], 1, 3, 30, 32)));
            assertTrue(e.getMessage().contains("[1, 3, 30, 32]"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> enc.forward(TestTensors.tensor(new float[32 * 32], 1, 1, 32, 32)));
            assertThrows(IllegalArgumentException.class, () -> enc.forward(ok, 2, 1));
            assertThrows(IllegalArgumentException.class, () -> enc.forward(ok, 4));
            assertThrows(IllegalArgumentException.class, () -> enc.forward(ok, -1));
        }
    }

    @Test
    void outputsBelongToTheCallersScopeOrToTheCaller() {
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(TINY, 5)) {
            Tensor x = TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32);
            ClipVisionEncoder.Output o;
            try (PointerScope scope = new PointerScope()) {
                o = enc.forward(x, 1, 3);
                assertTrue(o.hidden(3).is_inference());
            }
            assertTrue(o.hidden(1).isNull() && o.hidden(3).isNull() && o.embedding().isNull() && o.pooled().isNull());
            ClipVisionEncoder.Output mine = enc.forward(x, 1, 3);
            assertShape(mine.hidden(3), 1, 17, 64);
            mine.close();
            assertTrue(mine.hidden(1).isNull() && mine.embedding().isNull());
            x.close();
        }
    }

    // ---- key layouts and config inference ----

    /** OpenAI-named weights re-expressed with Hugging Face CLIPVisionModelWithProjection names. */
    static Map<String, TensorData> toHf(Map<String, TestTensorData> openai, ClipVisionConfig c, String prefix) {
        Map<String, TensorData> hf = new LinkedHashMap<>();
        int w = c.width();
        String vm = prefix + "vision_model.";
        hf.put(prefix + "text_model.embeddings.token_embedding.weight", TestTensorData.f32("t", new long[] {2}, new float[2]));
        hf.put(vm + "embeddings.position_ids", TestTensorData.f32("ids", new long[] {1, c.tokens()}, new float[c.tokens()]));
        for (Map.Entry<String, TestTensorData> e : openai.entrySet()) {
            String k = e.getKey();
            float[] v = e.getValue().toFloatArray();
            long[] s = e.getValue().shape();
            if (k.equals("proj")) {
                float[] t = new float[v.length];
                for (int i = 0; i < w; i++) for (int o = 0; o < c.outputDim(); o++) t[o * w + i] = v[i * c.outputDim() + o];
                hf.put(prefix + "visual_projection.weight",
                        TestTensorData.f32(prefix + "visual_projection.weight", new long[] {c.outputDim(), w}, t));
                continue;
            }
            if (k.endsWith("attn.in_proj_weight") || k.endsWith("attn.in_proj_bias")) {
                String layer = k.split("\\.")[2], kind = k.endsWith("weight") ? "weight" : "bias";
                int per = v.length / 3;
                String[] qkv = {"q", "k", "v"};
                for (int i = 0; i < 3; i++) {
                    long[] ps = s.clone();
                    ps[0] = w;
                    String key = vm + "encoder.layers." + layer + ".self_attn." + qkv[i] + "_proj." + kind;
                    hf.put(key, TestTensorData.f32(key, ps, RefNets.slice(v, i * per, per)));
                }
                continue;
            }
            String m = k.replace("conv1.weight", "embeddings.patch_embedding.weight")
                    .replace("class_embedding", "embeddings.class_embedding")
                    .replace("positional_embedding", "embeddings.position_embedding.weight")
                    .replace("ln_pre.", "pre_layrnorm.").replace("ln_post.", "post_layernorm.")
                    .replace("transformer.resblocks.", "encoder.layers.").replace(".ln_1.", ".layer_norm1.")
                    .replace(".ln_2.", ".layer_norm2.").replace(".mlp.c_fc.", ".mlp.fc1.")
                    .replace(".mlp.c_proj.", ".mlp.fc2.").replace(".attn.out_proj.", ".self_attn.out_proj.");
            hf.put(vm + m, e.getValue().renamed(vm + m));
        }
        return hf;
    }

    private static float[] embed(ClipVisionEncoder enc) {
        try (PointerScope scope = new PointerScope()) {
            return values(enc.forward(TestTensors.tensor(TestTensors.randomArray(2 * 3 * 32 * 64, 3), 2, 3, 32, 64))
                    .hiddenStates().get(0));
        }
    }

    @Test
    void loadsOpenAiOpenClipAndHuggingFaceLayoutsIdentically() throws Exception {
        ClipVisionConfig c = new ClipVisionConfig(32, 8, 128, 2, 2, 24); // width 128: heads = 128/64 inferable
        Map<String, TestTensorData> w;
        float[] expected;
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(c)) {
            w = TestTensors.randomWeights(enc.module(), 21);
            enc.loadWeights(w, "canonical");
            expected = embed(enc);
        }
        // OpenAI full model (text tower as decoys), with a DataParallel prefix
        Map<String, TensorData> openai = new LinkedHashMap<>();
        openai.put("module.token_embedding.weight", TestTensorData.f32("t", new long[] {3}, new float[3]));
        openai.put("module.transformer.resblocks.0.attn.in_proj_weight", TestTensorData.f32("t", new long[] {1}, new float[1]));
        w.forEach((k, v) -> openai.put("module.visual." + k, v.renamed("module.visual." + k)));
        openai.put("module.logit_scale", TestTensorData.f32("t", new long[0], new float[1]));
        MemCheckpoint ck = new MemCheckpoint("ViT-tiny.pt", openai);
        assertEquals(c, ClipVisionEncoder.inferConfig(ck));
        try (ClipVisionEncoder enc = ClipVisionEncoder.load(ck)) {
            assertEquals(c, enc.config());
            assertArrayEquals(expected, embed(enc));
        }
        // a tower saved on its own, without "visual."
        try (ClipVisionEncoder enc = ClipVisionEncoder.load(new MemCheckpoint("tower.safetensors", w))) {
            assertArrayEquals(expected, embed(enc));
        }
        // Hugging Face CLIPModel-style names
        MemCheckpoint hf = new MemCheckpoint("model.safetensors", toHf(w, c, ""));
        assertEquals(c, ClipVisionEncoder.inferConfig(hf));
        try (ClipVisionEncoder enc = ClipVisionEncoder.load(hf, c)) {
            assertArrayEquals(expected, embed(enc));
        }
    }

    @Test
    void hfFileWithIncompleteAttentionIsReported() {
        ClipVisionConfig c = new ClipVisionConfig(32, 8, 64, 1, 1, 8);
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(c)) {
            Map<String, TensorData> hf = toHf(TestTensors.randomWeights(enc.module(), 1), c, "clip.");
            hf.remove("clip.vision_model.encoder.layers.0.self_attn.k_proj.weight");
            hf.put("clip.vision_model.encoder.layers.0.mystery.weight",
                    TestTensorData.f32("clip.vision_model.encoder.layers.0.mystery.weight", new long[] {1}, new float[1]));
            WeightMismatchException e = assertThrows(WeightMismatchException.class,
                    () -> ClipVisionEncoder.load(new MemCheckpoint("hf.safetensors", hf), c));
            assertEquals(List.of("transformer.resblocks.0.attn.in_proj_weight"), e.missing());
            assertEquals(List.of("clip.vision_model.encoder.layers.0.mystery.weight",
                    "clip.vision_model.encoder.layers.0.self_attn.q_proj.weight",
                    "clip.vision_model.encoder.layers.0.self_attn.v_proj.weight"), e.unexpected());
            assertTrue(e.getMessage().startsWith("hf.safetensors: "), e.getMessage());
        }
    }

    /** Shape-only OpenAI state dict of a ViT (no values are ever read). */
    static Map<String, TensorData> shapes(ClipVisionConfig c, String prefix) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        long w = c.width();
        m.put(prefix + "class_embedding", TestTensorData.shapeOnly("ce", w));
        m.put(prefix + "positional_embedding", TestTensorData.shapeOnly("pe", c.tokens(), w));
        m.put(prefix + "proj", TestTensorData.shapeOnly("proj", w, c.outputDim()));
        m.put(prefix + "conv1.weight", TestTensorData.shapeOnly("c", w, 3, c.patchSize(), c.patchSize()));
        for (int i = 0; i < c.layers(); i++) {
            String b = prefix + "transformer.resblocks." + i + ".";
            m.put(b + "attn.in_proj_weight", TestTensorData.shapeOnly("w", 3 * w, w));
            m.put(b + "mlp.c_fc.weight", TestTensorData.shapeOnly("w", c.mlpWidth(), w));
        }
        return m;
    }

    @Test
    void infersEveryPresetFromShapes() throws Exception {
        assertEquals(4, ClipVisionConfig.PRESETS.size());
        for (ClipVisionConfig.Preset p : ClipVisionConfig.PRESETS) {
            MemCheckpoint ck = new MemCheckpoint(p.fileName(), shapes(p.config(), "visual."));
            assertEquals(p.config(), ClipVisionEncoder.inferConfig(ck), p.name());
            assertEquals(64, p.sha256().length());
            assertTrue(p.url().endsWith("/" + p.sha256() + "/" + p.fileName()));
        }
        ClipVisionConfig b16 = ClipVisionConfig.preset("ViT-B/16").config();
        assertEquals(new ClipVisionConfig(224, 16, 768, 12, 12, 512), b16);
        assertEquals(197, b16.tokens());
        assertEquals("ViT-L/14@336px", ClipVisionConfig.preset("vit-l-14@336").name());
    }

    @Test
    void unknownAndMismatchedConfigsFailClearly() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ClipVisionConfig.preset("ViT-H/14"));
        assertTrue(unknown.getMessage().contains("ViT-B/16") && unknown.getMessage().contains("ViT-H/14"));
        assertThrows(IllegalArgumentException.class, () -> new ClipVisionConfig(224, 16, 768, 12, 10, 512));
        assertThrows(IllegalArgumentException.class, () -> new ClipVisionConfig(225, 16, 768, 12, 12, 512));

        // weights of one structure into another: every differing key is named
        ClipVisionConfig c = new ClipVisionConfig(32, 8, 64, 1, 1, 8);
        Map<String, TestTensorData> w;
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(c)) {
            w = TestTensors.randomWeights(enc.module(), 1);
        }
        ClipVisionConfig other = new ClipVisionConfig(32, 16, 64, 2, 1, 8);
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> ClipVisionEncoder.load(new MemCheckpoint("small.safetensors", w), other));
        assertEquals(List.of("conv1.weight", "positional_embedding"), e.misshapedKeys().stream().sorted().toList());
        assertEquals(12, e.missing().size()); // all of block 1
        assertTrue(e.getMessage().contains("conv1.weight: model [64, 3, 16, 16], file [64, 3, 8, 8]"), e.getMessage());

        // not CLIP at all, a ResNet tower, and a width whose head count cannot be inferred
        ModelConfigException none = assertThrows(ModelConfigException.class, () -> ClipVisionEncoder.load(
                new MemCheckpoint("resnet50.pth", Map.of("fc.weight", TestTensorData.shapeOnly("fc", 10, 2)))));
        assertTrue(none.getMessage().startsWith("resnet50.pth: no CLIP ViT image tower found"), none.getMessage());
        Map<String, TensorData> rn = new LinkedHashMap<>();
        rn.put("visual.conv1.weight", TestTensorData.shapeOnly("c", 32, 3, 3, 3));
        rn.put("visual.layer1.0.conv1.weight", TestTensorData.shapeOnly("c", 64, 32, 1, 1));
        rn.put("visual.attnpool.positional_embedding", TestTensorData.shapeOnly("c", 50, 2048));
        ModelConfigException resnet = assertThrows(ModelConfigException.class,
                () -> ClipVisionEncoder.load(new MemCheckpoint("RN50.pt", rn)));
        assertTrue(resnet.getMessage().contains("ResNet"), resnet.getMessage());
        ModelConfigException heads = assertThrows(ModelConfigException.class, () -> ClipVisionEncoder.inferConfig(
                new MemCheckpoint("odd.pt", shapes(new ClipVisionConfig(32, 8, 96, 1, 1, 8), "visual."))));
        assertTrue(heads.getMessage().contains("head count"), heads.getMessage());
        Map<String, TensorData> badPos = shapes(new ClipVisionConfig(32, 8, 64, 1, 1, 8), "visual.");
        badPos.put("visual.positional_embedding", TestTensorData.shapeOnly("pe", 18, 64));
        assertThrows(ModelConfigException.class, () -> ClipVisionEncoder.inferConfig(new MemCheckpoint("p.pt", badPos)));
    }

    @Test
    void towerWithoutProjectionHasNoEmbedding() {
        ClipVisionConfig c = new ClipVisionConfig(32, 8, 64, 1, 1, 0);
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(c, 1); PointerScope scope = new PointerScope()) {
            ClipVisionEncoder.Output o = enc.forward(TestTensors.tensor(new float[3 * 32 * 32], 1, 3, 32, 32));
            assertNull(o.embedding());
            assertShape(o.pooled(), 1, 64);
        }
    }

    @Test
    void encoderBuiltInsideAScopeOutlivesIt() {
        ClipVisionEncoder enc;
        try (PointerScope scope = new PointerScope()) {
            enc = ClipVisionEncoder.createRandom(TINY, 4);
        }
        try (enc; PointerScope scope = new PointerScope()) {
            ClipVisionEncoder.Output o = enc.forward(TestTensors.tensor(new float[3 * 32 * 64], 1, 3, 32, 64));
            assertShape(o.embedding(), 1, 24);
            assertTrue(Float.isFinite(values(o.embedding())[0]));
        }
        assertThrows(IllegalStateException.class, enc::module);
    }

    @Test
    void concurrentForwardPassesAgreeWithSequentialOnes() throws Exception {
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(TINY)) {
            enc.loadWeights(TestTensors.randomWeights(enc.module(), 8), "random");
            int n = 4;
            float[][] inputs = new float[n][], expected = new float[n][], got = new float[n][];
            for (int i = 0; i < n; i++) {
                inputs[i] = TestTensors.randomArray(3 * 32 * 64, 100 + i);
                try (PointerScope scope = new PointerScope()) {
                    expected[i] = values(enc.forward(TestTensors.tensor(inputs[i], 1, 3, 32, 64)).hidden(2));
                }
            }
            // same weights again, but the cached grid is dropped: the threads race to interpolate it
            enc.loadWeights(TestTensors.randomWeights(enc.module(), 8), "reload");
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < n; i++) {
                int k = i;
                threads.add(new Thread(() -> {
                    try (PointerScope scope = new PointerScope()) {
                        for (int r = 0; r < 3; r++)
                            got[k] = values(enc.forward(TestTensors.tensor(inputs[k], 1, 3, 32, 64)).hidden(2));
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertTrue(errors.isEmpty(), errors.toString());
            for (int i = 0; i < n; i++) assertClose("thread " + i, got[i], expected[i], 1e-6);
        }
    }
}
