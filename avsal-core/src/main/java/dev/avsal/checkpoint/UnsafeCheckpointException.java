package dev.avsal.checkpoint;

import java.nio.file.Path;

/**
 * A pickle that names a global outside the whitelist (the rule of PyTorch's {@code weights_only=True}).
 * Thrown before anything from the file is used; nothing in the file is ever executed.
 */
public class UnsafeCheckpointException extends CheckpointException {
    private final String global;

    public UnsafeCheckpointException(Path file, String global) {
        super(file, "refused pickle global '" + global + "': only plain containers, primitives and tensor"
                + " rebuild functions are allowed (like torch.load(weights_only=True))");
        this.global = global;
    }

    /** The refused global, as {@code module.name}. */
    public String global() { return global; }
}
