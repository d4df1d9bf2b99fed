package dev.avsal.checkpoint;

import dev.avsal.AvSalException;
import java.nio.file.Path;

/** A weight file that cannot be read: missing, truncated, malformed, lying about its contents, or unsafe. */
public class CheckpointException extends AvSalException {
    private final Path file;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be read. */
    public Path file() { return file; }
}
