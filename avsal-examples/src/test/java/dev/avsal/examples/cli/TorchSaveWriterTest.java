package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointFormat;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.examples.bench.TorchSaveWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's torch.save writer yields files the reader (verified against real torch.save files) accepts. */
class TorchSaveWriterTest {
    @Test
    void roundTripsThroughTheCheckpointReader(@TempDir Path dir) throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("a.weight", new long[] {2, 3});
        shapes.put("b", new long[] {4});
        Map<String, float[]> values = Map.of("a.weight", new float[] {1, -2, 3.5f, 4, 5, 6}, "b",
                new float[] {0.25f, -0.5f, 7, 8});
        Path file = dir.resolve("x.pth");
        TorchSaveWriter.write(file, shapes, name -> {
            float[] v = values.get(name);
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putFloat(f);
            return b.array();
        });
        try (Checkpoint c = Checkpoints.open(file)) {
            assertEquals(CheckpointFormat.TORCH_ZIP, c.format());
            assertEquals(shapes.keySet(), c.tensorNames());
            for (String name : shapes.keySet()) {
                assertArrayEquals(shapes.get(name), c.tensor(name).shape());
                assertArrayEquals(values.get(name), c.tensor(name).toFloatArray());
            }
        }
    }
}
