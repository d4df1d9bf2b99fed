package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Assumptions;

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

    /** Opens a fixture; aborts (skips) the test while the checkpoint reader for its format is still a stub. */
    static Checkpoint open(String relative) throws CheckpointException {
        try {
            return Checkpoints.open(path(relative));
        } catch (CheckpointException e) {
            Assumptions.assumeFalse(e.getMessage().contains("not supported yet"), e.getMessage());
            throw e;
        }
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
