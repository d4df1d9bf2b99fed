package dev.avsal.io;

import dev.avsal.AvSalException;
import java.nio.file.Path;

/**
 * A video that cannot be written: the target exists (and overwriting was not allowed), the directory is not
 * writable, or FFmpeg's encoder or muxer failed. The message names the output file and the problem. Nothing is
 * left under the target name when this is thrown during writing (the partial file is deleted).
 */
public class VideoEncodeException extends AvSalException {
    private final Path file;

    public VideoEncodeException(Path file, String problem) { this(file, problem, null); }

    public VideoEncodeException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The output file. */
    public Path file() { return file; }
}
