package dev.avsal.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes saliency maps as a video a browser or VLC can play: grayscale by default (or any {@link Colormap}), one
 * frame per map, resized bilinearly to the output size. Encoding: see {@link VideoCodec} (H.264 via OpenH264 in
 * MP4 by default, VP9 in WebM for .webm). The file appears under its name only when {@link #close()} completes;
 * an existing file is kept unless {@link Builder#optOverwrite} is set.
 *
 * <pre>{@code
 * try (SaliencyVideoWriter w = SaliencyVideoWriter.builder().setOutput(out).setFrameRate(r.frameRate()).build()) {
 *     w.write(map, 384, 224);   // once per frame
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one writer per thread. If writing fails, call {@link #abort()} (or just close: a failed
 * writer deletes its partial file).
 */
public final class SaliencyVideoWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SaliencyVideoWriter.class);
    private final Path output;
    private final double fps;
    private final VideoCodec requested;
    private final long bitRate;
    private final boolean overwrite;
    private final MapScaling scaling;
    private final Colormap colormap;
    private int width, height;
    private VideoEncoder enc;
    private final List<String> warnings = new ArrayList<>();
    private long frames;
    private boolean failed, closed;

    private SaliencyVideoWriter(Builder b) throws VideoEncodeException {
        output = b.output;
        fps = b.fps;
        requested = b.codec;
        bitRate = b.bitRate;
        overwrite = b.overwrite;
        scaling = b.scaling;
        colormap = b.colormap;
        width = b.width;
        height = b.height;
        try {
            AtomicFiles.checkTarget(output, overwrite); // fail before any work is done
        } catch (java.io.IOException e) {
            throw new VideoEncodeException(output, e.getMessage(), e);
        }
    }

    /** A builder; output and frame rate are required. */
    public static Builder builder() { return new Builder(); }

    private void warn(String m) {
        warnings.add(m);
        LOG.warn("{}: {}", output, m);
    }

    /** Writes the next map at time {@code frames / frameRate}. */
    public void write(float[] map, int width, int height) throws VideoEncodeException {
        write(map, width, height, Math.round(frames * 1e6 / fps));
    }

    /** Writes a map shown from ptsMicros (output time, increasing). */
    public void write(float[] map, int mapWidth, int mapHeight, long ptsMicros) throws VideoEncodeException {
        if (closed) throw new IllegalStateException(output + ": writer is closed");
        SaliencyMaps.check(map, mapWidth, mapHeight);
        try {
            if (enc == null) { // opened at the first map: its size is the default output size
                if (width == 0) {
                    width = Math.max(2, mapWidth & ~1);
                    height = Math.max(2, mapHeight & ~1);
                }
                enc = new VideoEncoder(output, overwrite, requested, width, height, fps, bitRate, null, this::warn);
            }
            float[] v = MapScaling.apply(scaling, MapImages.resize(map, mapWidth, mapHeight, width, height));
            enc.writeRgb(MapImages.colour(v, colormap), ptsMicros);
            frames++;
        } catch (VideoEncodeException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Frames written so far. */
    public long frames() { return frames; }

    /** The codec actually used (differs from the requested one only after a fallback, see {@link #warnings()}). */
    public VideoCodec codec() { return enc == null ? requested : enc.codec; }

    /** Warnings (e.g. an encoder fallback). */
    public List<String> warnings() { return Collections.unmodifiableList(warnings); }

    /** Drops the partial file. */
    public void abort() {
        failed = true;
        close0();
    }

    /** Completes the file and gives it its name (unless a write failed: then the partial file is deleted). */
    @Override public void close() throws VideoEncodeException {
        if (closed) return;
        try {
            if (enc == null && !failed) throw new VideoEncodeException(output, "no frames were written");
            if (enc != null && !failed) enc.finish();
        } finally {
            close0();
        }
    }

    private void close0() {
        closed = true;
        if (enc != null) enc.close();
        enc = null;
    }

    /** Settings of a {@link SaliencyVideoWriter}. */
    public static final class Builder {
        private Path output;
        private double fps;
        private int width, height;
        private VideoCodec codec;
        private long bitRate;
        private boolean overwrite;
        private MapScaling scaling = MapScaling.CLAMP;
        private Colormap colormap = Colormap.GRAY;

        private Builder() {}

        /** Output file (.mp4, .m4v, .mov, .mkv or .webm). */
        public Builder setOutput(Path file) { output = Objects.requireNonNull(file); return this; }

        /** Frames per second (required; use the reader's {@link VideoReader#frameRate()}). */
        public Builder setFrameRate(double fps) {
            if (!(fps > 0 && fps <= 1000)) throw new IllegalArgumentException("frame rate " + fps);
            this.fps = fps;
            return this;
        }

        /** Output size; rounded down to even numbers (4:2:0 video). Default: the size of the first map (even). */
        public Builder optSize(int width, int height) {
            if (width < 2 || height < 2) throw new IllegalArgumentException("size " + width + "x" + height);
            this.width = width & ~1;
            this.height = height & ~1;
            return this;
        }

        /** Codec (default: from the file extension, see {@link VideoCodec}). */
        public Builder optCodec(VideoCodec c) { codec = c; return this; }

        /** Target bit rate in bits/s (default about 0.15 bit per pixel and frame). */
        public Builder optBitRate(long bps) { bitRate = bps; return this; }

        /** Replace an existing file (default false: fail instead). */
        public Builder optOverwrite(boolean on) { overwrite = on; return this; }

        /** How map values become gray levels (default {@link MapScaling#CLAMP}). */
        public Builder optScaling(MapScaling s) { scaling = Objects.requireNonNull(s); return this; }

        /** Colours (default {@link Colormap#GRAY}). */
        public Builder optColormap(Colormap c) { colormap = Objects.requireNonNull(c); return this; }

        /** Checks the output (fails at once if it exists and overwrite is off); encoding starts at the first map. */
        public SaliencyVideoWriter build() throws VideoEncodeException {
            if (output == null || fps == 0) throw new IllegalStateException("setOutput and setFrameRate are required");
            return new SaliencyVideoWriter(this);
        }
    }
}
