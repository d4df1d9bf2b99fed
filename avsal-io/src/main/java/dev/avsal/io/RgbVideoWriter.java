package dev.avsal.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes RGB frames and an optional mono or multi-channel float audio track into a video file (the codecs of
 * {@link VideoCodec}: OpenH264 + AAC in .mp4, VP9 + Opus in .webm). Used to make videos from generated frames, e.g.
 * the synthetic dataset of {@code dev.avsal.io.synth}. The file appears atomically on {@link #close()}; a writer
 * closed after a failure (or {@link #abort()}) leaves nothing behind.
 *
 * <p>Not thread-safe: one writer per thread.
 */
public final class RgbVideoWriter implements AutoCloseable {
    private final VideoEncoder enc;
    private final int width, height, channels;
    private final double fps;
    private final List<String> warnings = new ArrayList<>();
    private long frames;
    private boolean failed;

    /**
     * Opens {@code output} for frames of {@code width x height} (even numbers) at {@code fps}, with an audio track of
     * {@code channels} channels at {@code sampleRate} Hz, or none if {@code channels == 0}.
     *
     * @throws VideoEncodeException if the file exists and {@code overwrite} is off, or the encoder cannot be opened
     */
    public RgbVideoWriter(Path output, int width, int height, double fps, int sampleRate, int channels, boolean overwrite)
            throws VideoEncodeException {
        if (!(fps > 0 && fps <= 1000)) throw new IllegalArgumentException("frame rate " + fps);
        if (channels < 0 || channels > 8) throw new IllegalArgumentException("audio channels " + channels);
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.channels = channels;
        enc = new VideoEncoder(output, overwrite, null, width, height, fps, 0,
                channels == 0 ? null : new VideoEncoder.Audio(sampleRate, channels), warnings::add);
    }

    /** Writes the next frame ({@code width*height*3} bytes, RGB, row-major) at time {@code frames / fps}. */
    public void writeFrame(byte[] rgb) throws VideoEncodeException {
        try {
            enc.writeRgb(rgb, Math.round(frames * 1e6 / fps));
            frames++;
        } catch (RuntimeException | VideoEncodeException e) {
            failed = true;
            throw e;
        }
    }

    /** Appends interleaved audio samples ({@code samples.length / channels} sample frames) after the previous ones. */
    public void writeAudio(float[] interleaved) throws VideoEncodeException {
        if (channels == 0) throw new IllegalStateException("this writer has no audio track");
        if (interleaved.length % channels != 0)
            throw new IllegalArgumentException(interleaved.length + " samples is not a multiple of " + channels + " channels");
        try {
            enc.writeAudio(interleaved, 0, interleaved.length / channels);
        } catch (RuntimeException | VideoEncodeException e) {
            failed = true;
            throw e;
        }
    }

    public int width() { return width; }
    public int height() { return height; }
    public long frames() { return frames; }

    /** Encoder warnings (e.g. a codec fallback). */
    public List<String> warnings() { return Collections.unmodifiableList(warnings); }

    /** Discards the output. */
    public void abort() {
        failed = true;
        enc.close();
    }

    /** Finishes the file (atomic rename) unless a write failed or {@link #abort()} was called; frees native memory. */
    @Override
    public void close() throws VideoEncodeException {
        try {
            if (!failed) enc.finish();
        } finally {
            enc.close();
        }
    }
}
