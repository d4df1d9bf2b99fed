package dev.avsal.model;

import static dev.avsal.model.TestTensors.assertClose;
import static dev.avsal.model.TestTensors.assertShape;
import static dev.avsal.model.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class ImageBindAudioEncoderTest {
    /** The fixture's tiny branch: width 128, 2 blocks, 2 heads, 32-d output, ImageBind's stem and input. */
    static final ImageBindAudioConfig TINY = new ImageBindAudioConfig(128, 2, 2, 32);
    static final int M = 128, T = 204;

    private static double[][] clip(float[] in, int index) {
        double[][] mel = new double[M][T];
        for (int y = 0; y < M; y++) for (int x = 0; x < T; x++) mel[y][x] = in[(index * M + y) * T + x];
        return mel;
    }

    @Test
    void matchesReferenceForSeveralClipsPerItem() throws Exception {
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.create(TINY); PointerScope scope = new PointerScope()) {
            Map<String, TestTensorData> w = TestTensors.randomWeights(enc.module(), 31);
            enc.loadWeights(w, "random");
            Map<String, float[]> p = TestTensors.values(w);
            int b = 2, s = 2;
            float[] in = TestTensors.randomArray(b * s * M * T, 32);
            ImageBindAudioEncoder.Output o = enc.forward(TestTensors.tensor(in, b, s, 1, M, T));
            assertEquals(b, o.batch());
            assertEquals(s, o.clips());
            List<RefNets.AudioOut> ref = new ArrayList<>();
            for (int i = 0; i < b * s; i++) ref.add(RefNets.imagebind(p, TINY, clip(in, i)));
            assertShape(o.tokens(), b * s, 229, 128);
            assertClose("imagebind tokens", values(o.tokens()),
                    TestTensors.flatten(ref.stream().map(RefNets.AudioOut::tokens).toList()), 1e-5);
            assertShape(o.embeddingPerClip(), b * s, 32);
            assertClose("imagebind embedding per clip", values(o.embeddingPerClip()),
                    TestTensors.flatten(ref.stream().map(r -> new double[][] {r.embedding()}).toList()), 1e-5);
            double[] mean = new double[b * 32];
            for (int i = 0; i < b; i++)
                for (int k = 0; k < 32; k++)
                    mean[i * 32 + k] = (ref.get(2 * i).embedding()[k] + ref.get(2 * i + 1).embedding()[k]) / 2;
            assertShape(o.embedding(), b, 32);
            assertClose("imagebind embedding (mean over S)", values(o.embedding()), mean, 1e-5);
            // each per-clip embedding has norm exp(ln 20) = 20
            float[] pc = values(o.embeddingPerClip());
            double n = 0;
            for (int k = 0; k < 32; k++) n += pc[k] * pc[k];
            assertEquals(20, Math.sqrt(n), 1e-4);

            // a single clip as [B, 1, 128, 204] gives the same numbers as the first clip above
            float[] first = RefNets.slice(in, 0, M * T);
            ImageBindAudioEncoder.Output one = enc.forward(TestTensors.tensor(first, 1, 1, M, T));
            assertEquals(1, one.clips());
            assertArrayEquals(values(one.embedding()), values(one.embeddingPerClip()));
            assertClose("imagebind 4-d input", values(one.embeddingPerClip()), ref.get(0).embedding(), 1e-5);
        }
    }

    @Test
    void logitScaleIsClampedAt100() throws Exception {
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.create(TINY); PointerScope scope = new PointerScope()) {
            Map<String, TensorData> w = new LinkedHashMap<>(TestTensors.randomWeights(enc.module(), 1));
            String key = "modality_postprocessors.audio.1.log_logit_scale";
            w.put(key, TestTensorData.f32(key, new long[0], new float[] {(float) Math.log(1000)}));
            enc.loadWeights(w, "big-scale");
            float[] e = values(enc.forward(TestTensors.tensor(TestTensors.randomArray(M * T, 2), 1, 1, M, T))
                    .embedding());
            double n = 0;
            for (float v : e) n += v * v;
            assertEquals(100, Math.sqrt(n), 1e-3);
        }
    }

    @Test
    void loadsTheAudioBranchOutOfAWholeModelAndInfersItsStructure() throws Exception {
        Map<String, TestTensorData> w;
        float[] expected;
        Tensor in = TestTensors.tensor(TestTensors.randomArray(M * T, 9), 1, 1, M, T);
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.create(TINY); PointerScope scope = new PointerScope()) {
            w = TestTensors.randomWeights(enc.module(), 8);
            enc.loadWeights(w, "canonical");
            expected = values(enc.forward(in).tokens());
        }
        Map<String, TensorData> whole = new LinkedHashMap<>();
        whole.put("module.modality_preprocessors.vision.cls_token", TestTensorData.shapeOnly("v", 1, 1, 1280));
        whole.put("module.modality_trunks.vision.blocks.0.attn.in_proj_weight", TestTensorData.shapeOnly("v", 3, 3));
        w.forEach((k, v) -> whole.put("module." + k, v.renamed("module." + k)));
        whole.put("module.modality_heads.text.proj.1.weight", TestTensorData.shapeOnly("t", 1024, 1024));
        whole.put("module.modality_postprocessors.text.1.log_logit_scale", TestTensorData.shapeOnly("t"));
        MemCheckpoint ck = new MemCheckpoint("imagebind_huge.pth", whole);
        assertEquals(TINY, ImageBindAudioEncoder.inferConfig(ck));
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.load(ck); PointerScope scope = new PointerScope()) {
            assertArrayEquals(expected, values(enc.forward(in).tokens()));
        }
        in.close();
    }

    @Test
    void infersHugeFromShapes() throws Exception {
        ImageBindAudioConfig h = ImageBindAudioConfig.HUGE;
        assertEquals(229, h.tokens());
        assertEquals(12, h.freqPatches());
        assertEquals(19, h.timePatches());
        Map<String, TensorData> m = new LinkedHashMap<>();
        String pre = "modality_preprocessors.audio.";
        m.put(pre + "cls_token", TestTensorData.shapeOnly("c", 1, 1, 768));
        m.put(pre + "rgbt_stem.proj.weight", TestTensorData.shapeOnly("c", 768, 1, 16, 16));
        m.put(pre + "pos_embedding_helper.pos_embed", TestTensorData.shapeOnly("c", 1, 229, 768));
        for (int i = 0; i < 12; i++)
            m.put("modality_trunks.audio.blocks." + i + ".mlp.fc1.weight", TestTensorData.shapeOnly("c", 3072, 768));
        m.put("modality_heads.audio.2.weight", TestTensorData.shapeOnly("c", 1024, 768));
        assertEquals(h, ImageBindAudioEncoder.inferConfig(new MemCheckpoint("imagebind_huge.pth", m)));

        m.put(pre + "pos_embedding_helper.pos_embed", TestTensorData.shapeOnly("c", 1, 230, 768));
        ModelConfigException e = assertThrows(ModelConfigException.class,
                () -> ImageBindAudioEncoder.inferConfig(new MemCheckpoint("odd.pth", m)));
        assertTrue(e.getMessage().startsWith("odd.pth: pos_embed has 230 positions"), e.getMessage());
        ModelConfigException none = assertThrows(ModelConfigException.class, () -> ImageBindAudioEncoder.load(
                new MemCheckpoint("clip.pt", Map.of("visual.proj", TestTensorData.shapeOnly("p", 2, 2)))));
        assertTrue(none.getMessage().contains("no ImageBind audio branch"), none.getMessage());
    }

    @Test
    void mismatchedWeightsAndInputsFailClearly() {
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.create(TINY); PointerScope scope = new PointerScope()) {
            Map<String, TensorData> w = new LinkedHashMap<>(TestTensors.randomWeights(enc.module(), 1));
            w.remove("modality_trunks.audio.blocks.1.attn.bias_k");
            w.remove("modality_postprocessors.audio.1.log_logit_scale");
            w.put("modality_trunks.audio.blocks.0.layer_scale_gamma1",
                    TestTensorData.f32("modality_trunks.audio.blocks.0.layer_scale_gamma1", new long[] {1, 1, 128},
                            new float[128]));
            WeightMismatchException e = assertThrows(WeightMismatchException.class,
                    () -> enc.loadWeights(w, "imagebind_tiny_audio.pth"));
            assertEquals(List.of("modality_trunks.audio.blocks.1.attn.bias_k",
                    "modality_postprocessors.audio.1.log_logit_scale"), e.missing());
            assertEquals(List.of("modality_trunks.audio.blocks.0.layer_scale_gamma1"), e.unexpected());

            assertThrows(IllegalArgumentException.class,
                    () -> enc.forward(TestTensors.tensor(new float[M * 200], 1, 1, M, 200)));
            assertThrows(IllegalArgumentException.class,
                    () -> enc.forward(TestTensors.tensor(new float[2 * M * T], 1, 2, M, T)));
            assertThrows(IllegalArgumentException.class, () -> new ImageBindAudioConfig(100, 1, 3, 8));
        }
    }

    @Test
    void outputsBelongToTheCallersScope() {
        try (ImageBindAudioEncoder enc = ImageBindAudioEncoder.createRandom(TINY, 3)) {
            Tensor in = TestTensors.tensor(new float[M * T], 1, 1, 1, M, T);
            ImageBindAudioEncoder.Output o;
            try (PointerScope scope = new PointerScope()) {
                o = enc.forward(in);
            }
            assertTrue(o.tokens().isNull() && o.embedding().isNull() && o.embeddingPerClip().isNull());
            ImageBindAudioEncoder.Output mine = enc.forward(in);
            float[] e = values(mine.embedding());
            double n = 0;
            for (float v : e) n += v * v;
            assertEquals(20, Math.sqrt(n), 1e-4, "createRandom sets ln 20");
            mine.close();
            in.close();
        }
    }
}
