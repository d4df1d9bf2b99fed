package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;

/** Committed fixtures (made by tools/make_fixtures.py with PyTorch on the reference code). */
final class ModelFixtures {
    private ModelFixtures() {}

    static Path path(String relative) {
        URL url = ModelFixtures.class.getResource("/fixtures/" + relative);
        if (url == null) throw new IllegalStateException("missing test resource fixtures/" + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Checkpoint open(String relative) throws CheckpointException {
        return Checkpoints.open(path(relative));
    }

    /** A float32 tensor from a checkpoint, shape checked; owned by the caller's scope. */
    static Tensor tensor(Checkpoint ck, String name, long... shape) throws CheckpointException {
        assertArrayEquals(shape, ck.tensor(name).shape(), name);
        return Weights.toTensor(ck.tensor(name));
    }

    static float[] floats(Checkpoint ck, String name, long... shape) throws CheckpointException {
        assertArrayEquals(shape, ck.tensor(name).shape(), name);
        return ck.tensor(name).toFloatArray();
    }
}
