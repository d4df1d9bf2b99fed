package dev.avsal.model.head;

import static dev.avsal.model.head.HeadTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.CheckpointFormat;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.WeightMismatchException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class HeadWeightsTest {
    /** An in-memory checkpoint of float tensors. */
    record MemCheckpoint(Map<String, TensorData> tensors, Map<String, Object> metadata) implements Checkpoint {
        static MemCheckpoint of(Map<String, Tensor> sd, String config) {
            Map<String, TensorData> m = new LinkedHashMap<>();
            sd.forEach((k, t) -> m.put(k, data(k, values(t), shape(t))));
            Map<String, Object> meta = new LinkedHashMap<>();
            if (config != null) meta.put("__metadata__." + AvSalHead.CONFIG_METADATA_KEY, config);
            return new MemCheckpoint(m, meta);
        }
        @Override public Path file() { return Path.of("mem.safetensors"); }
        @Override public CheckpointFormat format() { return CheckpointFormat.SAFETENSORS; }
        @Override public Set<String> tensorNames() { return tensors.keySet(); }
        @Override public TensorData tensor(String name) throws CheckpointException {
            if (!tensors.containsKey(name)) throw new CheckpointException(file(), "no " + name);
            return tensors.get(name);
        }
        @Override public Checkpoint subtree(String prefix) { throw new UnsupportedOperationException(); }
        @Override public void close() {}
    }

    static TensorData data(String name, float[] v, long[] shape) {
        return dev.avsal.checkpoint.ArrayTensor.ofFloats(name, shape, v);
    }

    @Test
    void exportedWeightsRebuildTheSameHead() throws Exception {
        HeadConfig c = tiny();
        AvSalHead a = new AvSalHead(c);
        randomize(a, 31);
        AvSalHead b = AvSalHead.load(MemCheckpoint.of(a.stateDict(), c.toJson()));
        assertEquals(c, b.config());
        try (InferenceMode im = new InferenceMode()) {
            List<Tensor> taps = taps(c, 4, 3, 5, 3);
            Tensor audio = randn(4, 4, 7, 20);
            assertEquals(0.0, maxAbsDiff(a.forward(taps, audio, 2, 2), b.forward(taps, audio, 2, 2)));
        }
    }

    @Test
    void saveWritesSafetensorsThatLoadBack(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        HeadConfig c = tiny();
        AvSalHead a = new AvSalHead(c);
        randomize(a, 41);
        Path file = dir.resolve("head.safetensors");
        a.save(file);
        try (Checkpoint ck = dev.avsal.checkpoint.Checkpoints.open(file)) {
            assertEquals(c.toJson(), ck.metadata().get("__metadata__." + AvSalHead.CONFIG_METADATA_KEY));
            assertEquals(a.parameterShapes().keySet(), new java.util.HashSet<>(ck.tensorNames()));
            assertArrayEquals(values(a.stateDict().get("fusion.2.k_proj.weight")), ck.tensor("fusion.2.k_proj.weight").toFloatArray());
        }
        AvSalHead b = AvSalHead.load(file);
        try (InferenceMode im = new InferenceMode()) {
            List<Tensor> taps = taps(c, 2, 3, 5, 8);
            Tensor audio = randn(9, 2, 3, 20);
            assertEquals(0.0, maxAbsDiff(a.forward(taps, audio, 1, 2), b.forward(taps, audio, 1, 2)));
        }
    }

    @Test
    void mismatchedWeightsNameTheKeys() {
        HeadConfig c = tiny();
        AvSalHead a = new AvSalHead(c);
        Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
        sd.remove("gru.conv_h.weight");
        sd.put("gru.conv_h.bias", a.stateDict().get("gru.conv_x.bias"));
        sd.put("decoder.head.0.weight", a.stateDict().get("decoder.fuse.0.weight"));
        WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> new AvSalHead(c).loadWeights(MemCheckpoint.of(sd, null)));
        assertTrue(e.getMessage().startsWith("mem.safetensors: weights do not fit AVSal-R head"), e.getMessage());
        assertEquals(List.of("gru.conv_h.weight"), e.missing());
        assertEquals(List.of("gru.conv_h.bias"), e.unexpected());
        assertEquals(List.of("decoder.head.0.weight: model [8, 16, 3, 3], file [16, 16, 3, 3]"), e.misshaped());

        CheckpointException noConfig = assertThrows(CheckpointException.class,
                () -> AvSalHead.load(MemCheckpoint.of(a.stateDict(), null)));
        assertTrue(noConfig.getMessage().contains("metadata 'avsal.config' is absent"));
        CheckpointException badConfig = assertThrows(CheckpointException.class,
                () -> AvSalHead.load(MemCheckpoint.of(a.stateDict(), "{\"dim\": 16}")));
        assertTrue(badConfig.getMessage().contains("missing key"), badConfig.getMessage());

        Map<String, Tensor> nan = new LinkedHashMap<>(a.stateDict());
        nan.put("gru.conv_x.bias", a.stateDict().get("gru.conv_x.bias").clone().fill_(new org.bytedeco.pytorch.Scalar(Double.NaN)));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> new AvSalHead(c).loadWeights(MemCheckpoint.of(nan, null)));
        assertTrue(e2.getMessage().contains("gru.conv_x.bias contains NaN"), e2.getMessage());
    }
}
