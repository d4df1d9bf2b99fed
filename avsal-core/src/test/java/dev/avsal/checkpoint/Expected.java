package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Compares a checkpoint with a fixture's expected JSON (written by tools/make_fixtures.py with PyTorch). */
final class Expected {
    private Expected() {}

    /** Every tensor (names, dtype, shape, exact values) and, if {@code withMetadata}, the metadata. */
    static void assertMatches(Checkpoint ck, Path expectedJson, boolean withMetadata) throws Exception {
        Map<?, ?> root = (Map<?, ?>) Json.parse(expectedJson);
        Map<?, ?> tensors = (Map<?, ?>) root.get("tensors");
        assertEquals(new TreeSet<>(tensors.keySet()), new TreeSet<>(ck.tensorNames()), "tensor names of " + ck.file());
        for (Map.Entry<?, ?> e : tensors.entrySet()) {
            String name = (String) e.getKey();
            Map<?, ?> exp = (Map<?, ?>) e.getValue();
            TensorData t = ck.tensor(name);
            assertEquals(name, t.name());
            assertEquals(DType.valueOf((String) exp.get("dtype")), t.dtype(), name);
            List<?> shape = (List<?>) exp.get("shape");
            assertArrayEquals(shape.stream().mapToLong(o -> (Long) o).toArray(), t.shape(), name);
            List<?> values = (List<?>) exp.get("values");
            assertEquals(values.size(), t.numel(), name);
            if (t.dtype().isFloatingPoint()) {
                // Exact: the JSON holds the doubles PyTorch printed for each element.
                assertArrayEquals(values.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray(),
                        t.toDoubleArray(), 0.0, name);
                float[] f = t.toFloatArray();
                for (int i = 0; i < f.length; i++) {
                    assertEquals((float) ((Number) values.get(i)).doubleValue(), f[i], 0f, name);
                }
            } else {
                long[] want = values.stream().mapToLong(o -> (Long) o).toArray();
                assertArrayEquals(want, t.toLongArray(), name);
                double[] d = t.toDoubleArray();
                for (int i = 0; i < d.length; i++) assertEquals((double) want[i], d[i], 0.0, name);
            }
            assertEquals(values.size() * (long) t.dtype().byteSize(), t.toByteBuffer().remaining(), name);
        }
        if (withMetadata) assertEquals(root.get("metadata"), ck.metadata(), "metadata of " + ck.file());
    }
}
