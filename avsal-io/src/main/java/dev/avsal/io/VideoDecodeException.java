package dev.avsal.io;

import dev.avsal.AvSalException;
import java.nio.file.Path;

/**
 * A video that cannot be (fully) decoded. The message names the file, the {@link Problem} and, when decoding had
 * started, where it stopped: {@link #positionMicros()} (time of the last good frame, relative to the start of the
 * file) and {@link #framesDecoded()} (frames returned before the failure). Frames returned before the exception
 * stay valid, so a caller can keep what was decoded from a truncated file.
 */
public class VideoDecodeException extends AvSalException {
    /** What went wrong. */
    public enum Problem {
        /** The file does not exist. */
        NOT_FOUND,
        /** The path exists but cannot be read (a directory, no permission, an I/O error). */
        UNREADABLE,
        /** The file has zero bytes. */
        EMPTY,
        /** FFmpeg does not recognise the container, or its headers are damaged. */
        INVALID_DATA,
        /** The container holds no video stream (e.g. an audio file). */
        NO_VIDEO_STREAM,
        /** The bundled FFmpeg has no decoder for the stream's codec, or it would not open. */
        UNSUPPORTED_CODEC,
        /** The frame size is above the configured limit ({@code optMaxPixels}) or not a valid size. */
        TOO_LARGE,
        /** The file ends early: the data stop before the end its headers announce. */
        TRUNCATED,
        /** Packets the decoder rejected or could only conceal, more than the configured tolerance. */
        CORRUPT,
        /** Any other FFmpeg failure (the message carries FFmpeg's own text). */
        DECODER_ERROR
    }

    private final Path file;
    private final Problem problem;
    private final long positionMicros;
    private final long framesDecoded;

    public VideoDecodeException(Path file, Problem problem, String detail) {
        this(file, problem, detail, -1, -1, null);
    }

    public VideoDecodeException(Path file, Problem problem, String detail, long positionMicros, long framesDecoded,
            Throwable cause) {
        super(file + ": " + problem + ": " + detail
                + (positionMicros >= 0 ? String.format(" (stopped at %.3f s after %d frames)", positionMicros / 1e6,
                        framesDecoded) : ""), cause);
        this.file = file;
        this.problem = problem;
        this.positionMicros = positionMicros;
        this.framesDecoded = framesDecoded;
    }

    /** The video file. */
    public Path file() { return file; }

    /** The kind of problem. */
    public Problem problem() { return problem; }

    /** Time of the last frame decoded before the failure in microseconds from the start of the file; -1 if none. */
    public long positionMicros() { return positionMicros; }

    /** Frames returned to the caller before the failure; -1 if decoding had not started. */
    public long framesDecoded() { return framesDecoded; }
}
