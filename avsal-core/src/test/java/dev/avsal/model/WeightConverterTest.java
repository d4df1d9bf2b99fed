package dev.avsal.model;

import static dev.avsal.model.ModelFixtures.floats;
import static dev.avsal.model.TestTensors.assertClose;
import static dev.avsal.model.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import dev.avsal.checkpoint.ArrayTensor;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WeightConverter} on the fixtures written by the real {@code torch.jit.save} (OpenAI CLIP, fp16),
 * {@code torch.save} (ImageBind with decoy vision tensors) and the safetensors library (HF CLIP): the converted file
 * gives the PyTorch reference activations within the encoder tolerance.
 */
class WeightConverterTest {
    static final double TOL = EncoderFixtureTest.TOL;
    static final Path OPENAI = ModelFixtures.path("clip/openai_clip_tiny.pt");
    static final Path HF = ModelFixtures.path("clip/hf_clip_tiny.safetensors");
    static final Path IMAGEBIND = ModelFixtures.path("imagebind/imagebind_tiny_audio.pth");

    @Test
    void openAiAndImageBindConvertToOneFileThatReproducesTheReferences(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("enc.safetensors");
        WeightConverter.Result r = WeightConverter.builder().setClip(OPENAI).setImageBind(IMAGEBIND).build().convert(out);
        assertEquals(sha256(out), r.sha256());
        assertEquals(Files.size(out), r.bytes());
        assertNull(r.model());
        assertEquals(new ClipVisionConfig(32, 8, 128, 2, 2, 32), r.clip());

        try (Checkpoint ck = Checkpoints.open(out); Checkpoint ib = Checkpoints.open(IMAGEBIND)) {
            long audioKeys = ib.tensorNames().stream().filter(n -> n.matches("modality_[a-z]+\\.audio\\..*")).count();
            assertEquals(audioKeys, ck.tensorNames().stream().filter(n -> n.startsWith("audio.")).count());
            for (String n : ck.tensorNames()) {
                assertTrue(n.startsWith("clip.") || n.matches("audio\\.modality_[a-z]+\\.audio\\..*"), "kept: " + n);
                if (ck.tensor(n).shape().length > 0) assertEquals(DType.F32, ck.tensor(n).dtype(), n);
            }
            assertTrue(ck.tensorNames().stream().noneMatch(n -> n.contains("token_embedding")), "text tower kept");
            assertTrue(r.dropped() >= ib.tensorNames().size() - audioKeys, "dropped " + r.dropped());
            assertTrue(ck.metadata().get("__metadata__." + WeightConverter.ENCODERS_METADATA_KEY) instanceof String);
        }
        assertOpenAiReferences(out, TOL);
        assertImageBindReferences(out, TOL);
        // and exactly what the original files give
        try (Checkpoint io = ModelFixtures.open("clip/openai_clip_tiny_io.safetensors");
             Checkpoint aio = ModelFixtures.open("imagebind/imagebind_tiny_io.safetensors");
             ClipVisionEncoder a = ClipVisionEncoder.load(OPENAI); ClipVisionEncoder b = ClipVisionEncoder.load(out);
             ImageBindAudioEncoder c = ImageBindAudioEncoder.load(IMAGEBIND);
             ImageBindAudioEncoder d = ImageBindAudioEncoder.load(out);
             PointerScope scope = new PointerScope()) {
            var image = ModelFixtures.tensor(io, "image", 2, 3, 32, 32);
            assertArrayEquals(values(a.forward(image, 1, 2).hidden(2)), values(b.forward(image, 1, 2).hidden(2)));
            var fbank = ModelFixtures.tensor(aio, "fbank", 1, 2, 1, 128, 204);
            assertArrayEquals(values(c.forward(fbank).tokens()), values(d.forward(fbank).tokens()));
        }
        // a combined-file load names the way to use an encoders-only file
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> AvSalModel.load(out));
        assertTrue(e.getMessage().contains("only the encoders"), e.getMessage());
    }

    @Test
    void fp16HalvesTheFileKeepsOpenAiBitsAndStaysCloseForImageBind(@TempDir Path dir) throws Exception {
        Path f32 = dir.resolve("f32.safetensors"), f16 = dir.resolve("f16.safetensors");
        WeightConverter.builder().setClip(OPENAI).setImageBind(IMAGEBIND).build().convert(f32);
        WeightConverter.Result r = WeightConverter.builder().setClip(OPENAI).setImageBind(IMAGEBIND)
                .optDType(DType.F16).build().convert(f16);
        assertEquals(DType.F16, r.dtype());
        double ratio = (double) Files.size(f16) / Files.size(f32);
        assertTrue(ratio > 0.45 && ratio < 0.55, "size ratio " + ratio);
        try (Checkpoint ck = Checkpoints.open(f16); Checkpoint src = Checkpoints.open(OPENAI)) {
            String conv = src.tensorNames().stream().filter(n -> n.endsWith("visual.conv1.weight")).findFirst().orElseThrow();
            assertEquals(DType.F16, src.tensor(conv).dtype(), "fixture is fp16 like ViT-B-16.pt");
            assertEquals(bytes(src.tensor(conv)), bytes(ck.tensor("clip.conv1.weight")), "fp16 CLIP weights copied bit for bit");
            TensorData scale = ck.tensor("audio.modality_postprocessors.audio.1.log_logit_scale");
            assertEquals(DType.F32, scale.dtype(), "0-d logit scale stays float32");
            assertEquals(DType.F32, ck.tensor("clip.ln_pre.weight").dtype(), "1-d tensors stay float32");
            assertEquals(DType.F16, ck.tensor("audio.modality_trunks.audio.blocks.0.mlp.fc1.weight").dtype());
            assertEquals((float) Math.log(20), scale.toFloatArray()[0], 0f);
        }
        // OpenAI's fp16 matrices are unchanged, its float32 positional embedding is rounded; ImageBind is all float32
        assertOpenAiReferences(f16, 2e-3);
        assertImageBindReferences(f16, 1e-2);
    }

    @Test
    void huggingFaceSafetensorsIsRenamedToOpenAiLayout(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("hf.safetensors");
        WeightConverter.builder().setClip(HF).setImageBind(IMAGEBIND).build().convert(out);
        try (Checkpoint w = Checkpoints.open(out);
             Checkpoint io = ModelFixtures.open("clip/hf_clip_tiny_io.safetensors");
             ClipVisionEncoder enc = ClipVisionEncoder.load(w);
             PointerScope scope = new PointerScope()) {
            assertTrue(w.contains("clip.transformer.resblocks.1.attn.in_proj_weight"));
            assertTrue(w.tensorNames().stream().noneMatch(n -> n.contains("vision_model")));
            ClipVisionEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "pixel_values", 2, 3, 32, 32), 2);
            assertClose("HF last_hidden_state", values(o.hidden(2)), floats(io, "last_hidden_state", 2, 17, 128), TOL);
            assertClose("HF image_embeds", values(o.embedding()), floats(io, "image_embeds", 2, 32), TOL);
        }
    }

    @Test
    void refusesToReplaceAFileUnlessAskedAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path out = Files.writeString(dir.resolve("mine.safetensors"), "user data");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> WeightConverter.builder().setClip(OPENAI).setImageBind(IMAGEBIND).build().convert(out));
        assertTrue(e.getMessage().contains("mine.safetensors") && e.getMessage().contains("exists"), e.getMessage());
        assertEquals("user data", Files.readString(out));
        WeightConverter.builder().setClip(OPENAI).setImageBind(IMAGEBIND).optOverwrite(true).build().convert(out);
        assertOpenAiReferences(out, TOL);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary files left behind");
        }
    }

    @Test
    void swappedOrWrongInputsAreTypedErrorsNamingTheFile(@TempDir Path dir) {
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> WeightConverter.builder()
                .setClip(IMAGEBIND).setImageBind(OPENAI).build().convert(dir.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("imagebind_tiny_audio.pth"), e.getMessage());
        assertThrows(CheckpointException.class, () -> WeightConverter.builder().setClip(dir.resolve("missing.pt"))
                .setImageBind(IMAGEBIND).build().convert(dir.resolve("x.safetensors")));
        assertTrue(Files.notExists(dir.resolve("x.safetensors")));
    }

    /**
     * With a head the output is a complete combined file, equal tensor for tensor to what {@link AvSalModel#save}
     * writes for the same weights. The sources are the tiny preset's random weights written under the official key
     * layouts (OpenAI {@code visual.*} and ImageBind {@code modality_*} with other modalities), the head by
     * {@link AvSalModel#saveHead}.
     */
    @Test
    void withAHeadTheResultIsTheCombinedFileAvSalModelWrites(@TempDir Path dir) throws Exception {
        Path combined = dir.resolve("combined.safetensors"), head = dir.resolve("head.safetensors");
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 7)) {
            m.save(combined);
            m.saveHead(head);
        }
        Path clip = dir.resolve("clip.safetensors"), ib = dir.resolve("imagebind.safetensors");
        try (Checkpoint ck = Checkpoints.open(combined)) {
            Map<String, TensorData> c = new LinkedHashMap<>(), a = new LinkedHashMap<>();
            for (String n : ck.tensorNames()) {
                if (n.startsWith("clip.")) c.put("visual." + n.substring(5), ArrayTensor.copyOf(n, ck.tensor(n)));
                if (n.startsWith("audio.")) a.put(n.substring(6), ArrayTensor.copyOf(n, ck.tensor(n)));
            }
            c.put("token_embedding.weight", ArrayTensor.ofFloats("t", new long[] {3, 2}, new float[6]));
            a.put("modality_trunks.vision.blocks.0.decoy", ArrayTensor.ofFloats("d", new long[] {2}, new float[2]));
            SafetensorsWriter.write(clip, c, Map.of());
            SafetensorsWriter.write(ib, a, Map.of());
        }
        Path out = dir.resolve("out.safetensors");
        WeightConverter.Result r = WeightConverter.builder().setClip(clip).setImageBind(ib).optHead(head).build()
                .convert(out);
        assertEquals("avsal-r-tiny", r.model());
        assertEquals(2, r.dropped());
        try (Checkpoint want = Checkpoints.open(combined); Checkpoint got = Checkpoints.open(out)) {
            assertEquals(want.tensorNames(), got.tensorNames());
            for (String n : want.tensorNames()) {
                assertArrayEquals(want.tensor(n).shape(), got.tensor(n).shape(), n);
                assertArrayEquals(want.tensor(n).toFloatArray(), got.tensor(n).toFloatArray(), n);
            }
            assertEquals(AvSalConfig.fromJson((String) want.metadata().get("__metadata__.avsal.model"), "want"),
                    AvSalConfig.fromJson((String) got.metadata().get("__metadata__.avsal.model"), "got"));
        }
        try (AvSalModel m = AvSalModel.load(out, "avsal-r-tiny")) {
            assertEquals(AvSalConfig.TINY.parameterCounts(), m.parameterCounts());
        }
        // without the head: an encoders file, used as both encoder files next to the head file
        Path enc = dir.resolve("enc.safetensors");
        WeightConverter.builder().setClip(clip).setImageBind(ib).build().convert(enc);
        try (AvSalModel m = AvSalModel.load(head, enc, enc)) {
            assertEquals("avsal-r-tiny", m.config().name());
            assertEquals(AvSalConfig.TINY.parameterCounts(), m.parameterCounts());
        }
    }

    @Test
    void theRecordedStructureKeepsWhatShapesCannotTell(@TempDir Path dir) throws Exception {
        ClipVisionConfig gelu = ClipVisionConfig.fromHfConfig(ModelFixtures.path("clip/hf_clip_tiny_config.json"))
                .withActivation(ClipVisionConfig.Activation.GELU).withHeads(4);
        Path out = dir.resolve("gelu.safetensors");
        WeightConverter.builder().setClip(HF).setImageBind(IMAGEBIND).optClipConfig(gelu).build().convert(out);
        try (Checkpoint ck = Checkpoints.open(out); Checkpoint hf = Checkpoints.open(HF)) {
            assertEquals(gelu, WeightConverter.recordedClipConfig(ck));
            assertEquals(new ImageBindAudioConfig(128, 2, 2, 32, 16, 10, 128, 204, 512),
                    WeightConverter.recordedAudioConfig(ck));
            assertNull(WeightConverter.recordedClipConfig(hf), "not a converted file");
        }
    }

    @Test
    void aHeadThatDoesNotFitTheEncodersIsRefused(@TempDir Path dir) throws Exception {
        Path head = dir.resolve("head.safetensors");
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 1)) {
            m.saveHead(head); // expects 64-wide tokens; the fixtures give 128
        }
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> WeightConverter.builder()
                .setClip(OPENAI).setImageBind(IMAGEBIND).optHead(head).build().convert(dir.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("head.safetensors") && e.getMessage().contains("wide"), e.getMessage());
    }

    private static void assertOpenAiReferences(Path file, double tol) throws Exception {
        try (Checkpoint w = Checkpoints.open(file);
             Checkpoint io = ModelFixtures.open("clip/openai_clip_tiny_io.safetensors");
             ClipVisionEncoder enc = ClipVisionEncoder.load(w);
             PointerScope scope = new PointerScope()) {
            ClipVisionEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "image", 2, 3, 32, 32), 1, 2);
            for (int k = 0; k < 2; k++)
                assertClose("OpenAI tap." + k, values(o.hidden(k + 1)), floats(io, "tap." + k, 2, 17, 128), tol);
            assertClose("OpenAI embedding", values(o.embedding()), floats(io, "embedding", 2, 32), tol);
        }
    }

    private static void assertImageBindReferences(Path file, double tol) throws Exception {
        try (Checkpoint w = Checkpoints.open(file);
             Checkpoint io = ModelFixtures.open("imagebind/imagebind_tiny_io.safetensors");
             ImageBindAudioEncoder enc = ImageBindAudioEncoder.load(w);
             PointerScope scope = new PointerScope()) {
            ImageBindAudioEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "fbank", 1, 2, 1, 128, 204));
            assertClose("ImageBind tokens", values(o.tokens()), floats(io, "tokens", 2, 229, 128), tol);
            assertClose("ImageBind embedding", values(o.embedding()), floats(io, "embedding", 1, 32), tol);
        }
    }

    private static ByteBuffer bytes(TensorData t) {
        return t.toByteBuffer();
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
