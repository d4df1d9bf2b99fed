package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.util.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The PyTorch-made fixtures (tools/make_fixtures.py), compared exactly with what PyTorch itself reported. */
class TorchFixturesTest {
    @ParameterizedTest
    @CsvSource({"torch_zip.pt, TORCH_ZIP", "torch_zip_renamed.pt, TORCH_ZIP", "torch_legacy.pt, TORCH_LEGACY"})
    void torchSaveFilesMatchPyTorchExactly(String file, CheckpointFormat format) throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint(file))) {
            assertEquals(format, ck.format());
            Expected.assertMatches(ck, Fixtures.checkpoint("expected.json"), true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch_zip.pt", "torch_legacy.pt"})
    void nestedCheckpointsAreNavigable(String file) throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint(file))) {
            Checkpoint sd = ck.subtree("state_dict");
            Checkpoint mod = sd.subtree("module");
            assertEquals(List.of("encoder.f64.weight", "encoder.f32.weight", "encoder.f16.weight", "encoder.bf16.weight",
                    "encoder.i64", "encoder.i32", "encoder.i16", "encoder.i8", "encoder.u8", "encoder.mask"),
                    List.copyOf(mod.tensorNames()));
            assertEquals("encoder.i32", mod.tensor("encoder.i32").name());
            assertArrayEquals(new long[] {-3, 4}, mod.tensor("encoder.i32").toLongArray());
            assertArrayEquals(ck.tensor("state_dict.module.encoder.f32.weight").toFloatArray(),
                    ck.subtree("state_dict.module").tensor("encoder.f32.weight").toFloatArray());
            assertEquals(Map.of("1", 3L, "2", "x"), ck.subtree("list").metadata());
            assertThrows(IllegalArgumentException.class, () -> sd.subtree("encoder"));
            assertTrue(mod.tensorNames().stream().noneMatch(n -> n.startsWith("module.")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch_zip.pt", "torch_legacy.pt"})
    void viewsShareOneStorageAndReadOnlyTheirSpan(String file) throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint(file))) {
            long before = Checkpoints.bytesRead(ck);
            assertEquals(0, before);
            // base[:, 2] of a 4x5 float tensor spans elements 2..17: 16 elements, 64 bytes.
            assertArrayEquals(new float[] {-2.0f, 0.5f, 3.0f, 5.5f}, ck.tensor("views.col").toFloatArray());
            assertEquals(64, Checkpoints.bytesRead(ck));
            // base[1] spans 5 elements.
            ck.tensor("views.row").toByteBuffer();
            assertEquals(64 + 20, Checkpoints.bytesRead(ck));
        }
    }

    @Test
    void torchScriptParametersAndBuffersByName() throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint("scripted.pt"))) {
            assertEquals(CheckpointFormat.TORCHSCRIPT, ck.format());
            Expected.assertMatches(ck, Fixtures.checkpoint("scripted_expected.json"), true);
            assertEquals(DType.F16, ck.tensor("half_w").dtype());
        }
    }

    @Test
    void openAiClipStyleTracedArchive() throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.path("fixtures/clip/openai_clip_tiny.pt"))) {
            assertEquals(CheckpointFormat.TORCHSCRIPT, ck.format());
            TensorData conv = ck.tensor("visual.conv1.weight");
            assertEquals(DType.F16, conv.dtype()); // convert_weights made the conv weights fp16
            assertArrayEquals(new long[] {128, 3, 8, 8}, conv.shape());
            assertEquals(DType.F32, ck.tensor("positional_embedding").dtype());
            assertTrue(ck.contains("visual.transformer.resblocks.1.attn.in_proj_weight"));
            assertTrue(ck.metadata().isEmpty());
            Checkpoint visual = ck.subtree("visual");
            for (String n : visual.tensorNames()) {
                float[] v = visual.tensor(n).toFloatArray();
                for (float x : v) assertTrue(Float.isFinite(x), n);
            }
        }
    }

    @Test
    void maliciousPicklesAreRefusedNamingTheGlobal() throws Exception {
        Map<?, ?> expected = (Map<?, ?>) Json.parse(Fixtures.checkpoint("malicious_expected.json"));
        assertEquals(2, expected.size());
        for (Map.Entry<?, ?> e : expected.entrySet()) {
            var f = Fixtures.checkpoint((String) e.getKey());
            UnsafeCheckpointException ex = assertThrows(UnsafeCheckpointException.class, () -> Checkpoints.open(f));
            assertEquals(e.getValue(), ex.global());
            assertEquals(f, ex.file());
            assertTrue(ex.getMessage().contains(f.toString()) && ex.getMessage().contains("'" + e.getValue() + "'"), ex.getMessage());
        }
        assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/avsal-pwned")));
    }

    @Test
    void imageBindAudioKeysNeverTouchTheOtherStorages() throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.path("fixtures/imagebind/imagebind_tiny_audio.pth"))) {
            long audioBytes = 0, otherBytes = 0;
            for (String n : ck.tensorNames()) {
                TensorData t = ck.tensor(n);
                long b = t.numel() * t.dtype().byteSize();
                if (n.contains(".audio.")) audioBytes += b;
                else otherBytes += b;
            }
            assertTrue(otherBytes > 0, "the fixture has decoys");
            for (String n : ck.tensorNames()) if (n.contains(".audio.")) ck.tensor(n).toFloatArray();
            assertEquals(audioBytes, Checkpoints.bytesRead(ck));
        }
    }
}
