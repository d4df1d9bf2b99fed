package dev.avsal.io;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a heatmap overlay video: every frame of the source video (at its display size, rotation applied) with a
 * saliency map blended over it through a perceptual {@link Colormap} (default {@link Colormap#INFERNO}), and the
 * source's audio re-encoded alongside (AAC in MP4, Opus in WebM; stereo or mono, in sync with the frames).
 *
 * <p>The writer reads the source itself, frame by frame, with the same frame-rate, start and duration settings as
 * the reader that produced the maps ({@link Builder#matching(VideoReader)}), so the k-th {@link #write} call gets
 * the k-th frame. Memory stays bounded (one frame, one audio chunk). The file appears under its name only when
 * {@link #close()} completes; an existing file is kept unless {@link Builder#optOverwrite} is set.
 *
 * <pre>{@code
 * try (VideoReader r = VideoReader.builder().setFile(in).optTargetSize(384, 224).optFrameRate(10).build();
 *      OverlayVideoWriter w = OverlayVideoWriter.builder().setOutput(out).matching(r).build()) {
 *     for (VideoFrame f; (f = r.read()) != null; ) w.write(model.predict(f), 384, 224);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one writer per thread.
 */
public final class OverlayVideoWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayVideoWriter.class);
    private final Builder cfg;
    private final VideoReader source;
    private VideoEncoder enc;
    private AudioDecoder audio;
    private final int width, height;
    private final double fps;
    private final long startIndex; // first source audio sample (at the output rate) of the output
    private int audioRate, audioChannels = 1;
    private long audioCursor;      // next source sample index expected from the decoder
    private final List<String> warnings = new ArrayList<>();
    private long frames, lastPts = Long.MIN_VALUE;
    private boolean failed, closed;

    private OverlayVideoWriter(Builder b) throws VideoDecodeException, VideoEncodeException {
        cfg = b;
        VideoInfo info = VideoReader.probe(b.source);
        int w = b.width > 0 ? b.width : b.applyRotation ? info.width() : info.codedWidth();
        int h = b.height > 0 ? b.height : b.applyRotation ? info.height() : info.codedHeight();
        width = Math.max(2, w & ~1);
        height = Math.max(2, h & ~1);
        VideoReader.Builder rb = VideoReader.builder().setFile(b.source).optTargetSize(width, height)
                .optFrameRate(b.frameRate).optStart(Duration.ofNanos(b.startMicros * 1000)).optAudio(false)
                .optMaxCorruptFrames(b.maxCorruptFrames).optApplyRotation(b.applyRotation);
        if (b.durationMicros >= 0) rb.optDuration(Duration.ofNanos(b.durationMicros * 1000));
        boolean ok = false;
        try {
            source = rb.build();
            fps = source.frameRate() > 0 ? source.frameRate() : 25;
            VideoEncoder.Audio a = null;
            int as = source.audioStreamIndex();
            if (b.audio && as >= 0) {
                int ch = Math.min(2, Math.max(1, info.audioChannels()));
                audioChannels = ch;
                VideoCodec c = b.codec != null ? b.codec : VideoCodec.forContainer(VideoCodec.container(b.output));
                audioRate = c == VideoCodec.VP9 ? 48_000 : aacRate(info.audioSampleRate());
                audio = new AudioDecoder(b.source, as, audioRate, ch, AudioMix.FFMPEG_DOWNMIX, this::warn);
                if (b.startMicros > 0) audio.seek(Math.max(0, b.startMicros - 500_000));
                a = new VideoEncoder.Audio(audioRate, ch);
            } else if (b.audio) {
                warn("the source has no audio: the overlay video is silent");
            }
            startIndex = Math.round(b.startMicros * (double) audioRate / 1e6);
            audioCursor = startIndex;
            enc = new VideoEncoder(b.output, b.overwrite, b.codec, width, height, fps, b.bitRate, a, this::warn);
            ok = true;
        } finally {
            if (!ok) close0();
        }
    }

    /** AAC supports the common rates; anything else is resampled to 48 kHz. */
    private static int aacRate(int r) {
        for (int ok : new int[] {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000}) {
            if (r == ok) return r;
        }
        return 48_000;
    }

    /** A builder; source and output are required. */
    public static Builder builder() { return new Builder(); }

    private void warn(String m) {
        warnings.add(m);
        LOG.warn("{}: {}", cfg.output, m);
    }

    /**
     * Blends the map over the next source frame and encodes it (with the audio up to that frame's end).
     *
     * @throws VideoDecodeException if the source has no more frames or fails to decode
     * @throws VideoEncodeException if encoding fails
     */
    public void write(float[] map, int mapWidth, int mapHeight) throws VideoDecodeException, VideoEncodeException {
        if (closed) throw new IllegalStateException(cfg.output + ": writer is closed");
        SaliencyMaps.check(map, mapWidth, mapHeight);
        try {
            VideoFrame f = source.read();
            if (f == null) throw new VideoDecodeException(cfg.source, VideoDecodeException.Problem.DECODER_ERROR,
                    "more maps than source frames: the source ended after " + frames + " frames");
            float[] v = MapScaling.apply(cfg.scaling, MapImages.resize(map, mapWidth, mapHeight, width, height));
            byte[] rgb = f.rgb();
            MapImages.overlay(rgb, v, cfg.colormap, (float) cfg.alpha, cfg.alphaBySaliency);
            long pts = f.ptsMicros() - cfg.startMicros;
            enc.writeRgb(rgb, pts);
            lastPts = pts;
            frames++;
            pumpAudio(pts + Math.round(1e6 / fps));
        } catch (VideoDecodeException | VideoEncodeException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Encodes source audio until output time {@code untilMicros}. */
    private void pumpAudio(long untilMicros) throws VideoEncodeException {
        if (audio == null) return;
        long until = startIndex + Math.round(untilMicros * (double) audioRate / 1e6);
        VideoEncodeException[] err = {null};
        while (audioCursor < until && !audio.eof() && err[0] == null) {
            audio.decodeMore((samples, n, at) -> {
                try {
                    accept(samples, n, at);
                } catch (VideoEncodeException e) {
                    err[0] = e;
                }
            });
        }
        if (err[0] != null) throw err[0];
    }

    /** Places decoded samples on the output timeline: before the start they are dropped, gaps become silence. */
    private void accept(float[] samples, int n, long at) throws VideoEncodeException {
        int ch = audioChannels;
        long from = Math.max(at, audioCursor);
        if (from > audioCursor) { // gap in the source audio
            enc.writeAudio(new float[(int) (from - audioCursor) * ch], 0, (int) (from - audioCursor));
            audioCursor = from;
        }
        int skip = (int) (from - at);
        if (skip < n) {
            enc.writeAudio(samples, skip, n - skip);
            audioCursor += n - skip;
        }
    }

    /** Frames written so far. */
    public long frames() { return frames; }

    /** Warnings (source without audio, encoder fallback, skipped corrupt data). */
    public List<String> warnings() {
        List<String> all = new ArrayList<>(warnings);
        if (source != null) all.addAll(source.warnings());
        return Collections.unmodifiableList(all);
    }

    /** Drops the partial file. */
    public void abort() {
        failed = true;
        close0();
    }

    /** Adds the remaining audio of the last frame, completes the file and gives it its name. */
    @Override public void close() throws VideoEncodeException {
        if (closed) return;
        try {
            if (!failed && enc != null) {
                if (frames == 0) throw new VideoEncodeException(cfg.output, "no frames were written");
                long end = lastPts + Math.round(1e6 / fps);
                pumpAudio(end);
                // cut the audio at the end of the last frame so both tracks end together
                long want = Math.round(end * (double) audioRate / 1e6);
                if (enc.hasAudio() && enc.audioSamples() < want) {
                    int pad = (int) (want - enc.audioSamples());
                    enc.writeAudio(new float[pad * audioChannels], 0, pad);
                }
                enc.finish();
            }
        } finally {
            close0();
        }
    }

    private void close0() {
        closed = true;
        if (source != null) source.close();
        if (audio != null) audio.close();
        if (enc != null) enc.close();
        audio = null;
        enc = null;
    }

    /** Settings of an {@link OverlayVideoWriter}. */
    public static final class Builder {
        private Path source, output;
        private double frameRate;
        private long startMicros, durationMicros = -1;
        private int width, height, maxCorruptFrames;
        private VideoCodec codec;
        private long bitRate;
        private boolean overwrite, audio = true, alphaBySaliency, applyRotation = true;
        private double alpha = 0.5;
        private MapScaling scaling = MapScaling.CLAMP;
        private Colormap colormap = Colormap.INFERNO;

        private Builder() {}

        /** The video the maps were computed from (required). */
        public Builder setSource(Path file) { source = Objects.requireNonNull(file); return this; }

        /** Output file (.mp4, .m4v, .mov, .mkv or .webm; required). */
        public Builder setOutput(Path file) { output = Objects.requireNonNull(file); return this; }

        /** Same source, frame rate, start and duration as the reader producing the maps. */
        public Builder matching(VideoReader r) {
            source = r.info().file();
            frameRate = r.targetFrameRate();
            startMicros = r.startMicros();
            durationMicros = r.durationMicros();
            maxCorruptFrames = r.maxCorruptFrames();
            applyRotation = r.appliesRotation();
            return this;
        }

        /** Output frame rate (0 = source rate, the default); must match the maps. */
        public Builder optFrameRate(double fps) {
            if (!(fps >= 0 && fps <= 1000)) throw new IllegalArgumentException("frame rate " + fps);
            frameRate = fps;
            return this;
        }

        /** Start in the source (default 0); must match the maps. */
        public Builder optStart(Duration d) { startMicros = d.toNanos() / 1000; return this; }

        /** Duration limit (default: to the end); must match the maps. */
        public Builder optDuration(Duration d) { durationMicros = d.toNanos() / 1000; return this; }

        /** Output size (rounded down to even); default the source's display size. */
        public Builder optSize(int w, int h) {
            if (w < 2 || h < 2) throw new IllegalArgumentException("size " + w + "x" + h);
            width = w;
            height = h;
            return this;
        }

        /** Opacity of the heatmap in [0, 1] (default 0.5). */
        public Builder optAlpha(double a) {
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("alpha " + a);
            alpha = a;
            return this;
        }

        /** Scale the opacity by the saliency value, so non-salient areas show the plain frame (default false). */
        public Builder optAlphaBySaliency(boolean on) { alphaBySaliency = on; return this; }

        /** Colormap (default {@link Colormap#INFERNO}). */
        public Builder optColormap(Colormap c) { colormap = Objects.requireNonNull(c); return this; }

        /** How map values become colormap positions (default {@link MapScaling#CLAMP}). */
        public Builder optScaling(MapScaling s) { scaling = Objects.requireNonNull(s); return this; }

        /** Codec (default: from the output extension, see {@link VideoCodec}). */
        public Builder optCodec(VideoCodec c) { codec = c; return this; }

        /** Video bit rate in bits/s (default about 0.15 bit per pixel and frame). */
        public Builder optBitRate(long bps) { bitRate = bps; return this; }

        /** Carry the source's audio (default true). */
        public Builder optAudio(boolean on) { audio = on; return this; }

        /** Replace an existing output file (default false: fail instead). */
        public Builder optOverwrite(boolean on) { overwrite = on; return this; }

        /** Opens the source and the encoder; fails at once if the output exists and overwrite is off. */
        public OverlayVideoWriter build() throws VideoDecodeException, VideoEncodeException {
            if (source == null || output == null) throw new IllegalStateException("setSource and setOutput are required");
            return new OverlayVideoWriter(this);
        }
    }
}
