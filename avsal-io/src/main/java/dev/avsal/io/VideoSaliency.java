package dev.avsal.io;

import dev.avsal.AvSalException;
import dev.avsal.AvSalPredictor;
import dev.avsal.Frame;
import dev.avsal.InvalidInputException;
import dev.avsal.SaliencyMap;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Predicts the saliency of a whole video file with an {@link AvSalPredictor} and writes the outputs asked for,
 * streaming: frames are decoded and resized to the predictor's input size inside the decoder ({@link VideoReader}),
 * predicted {@link AvSalPredictor#clipLength() clip length} frames at a time, and each map is written as soon as it
 * exists, so memory stays bounded however long the video is.
 *
 * <pre>{@code
 * try (AvSalPredictor p = AvSalPredictor.builder().setWeights(weights).build()) {
 *     VideoSaliency.Result r = VideoSaliency.builder().setInput(Path.of("clip.mp4")).setPredictor(p)
 *             .setOutputDir(Path.of("out")).optPng(true).optOverlay(true).build().run();
 * }
 * }</pre>
 *
 * <p>Outputs in the output directory, named after the input's file name without extension ({@code STEM}):
 * <ul>
 *   <li>{@code STEM_maps/frame_000000.png ...}: 8-bit grayscale maps ({@link #PNG8}); {@code STEM_maps16/} for
 *       16-bit ({@link #PNG16}); each map min-max stretched on its own ({@link MapScaling#MIN_MAX});</li>
 *   <li>{@code STEM_maps.npy}: the raw float maps as one (frames, height, width) float32 array ({@link #NPY});</li>
 *   <li>{@code STEM_saliency.mp4}: grayscale map video ({@link #SALIENCY_VIDEO});</li>
 *   <li>{@code STEM_overlay.mp4}: inferno heatmap over the source frames at their display size, with the source's
 *       audio ({@link #OVERLAY});</li>
 *   <li>{@code STEM.json}: the {@link VideoSummary} (input, frames, audio window, outputs, timings, warnings), written
 *       unless switched off.</li>
 * </ul>
 * Maps are at the predictor's input size (the frames are resized to it while decoding, aspect not kept). Every
 * target is checked before any work and an existing one fails the run ({@link FileAlreadyExistsException}) unless
 * {@link Builder#optOverwrite} is set; files appear under their names only when complete. After an error the
 * partial videos and .npy are deleted (PNG maps already written stay: each is a complete file), except that a
 * truncated or damaged input (after at least one frame) keeps all outputs of the frames decoded before the
 * damage, records the error in the summary and then throws it.
 *
 * <p>A video without audio is predicted with silent windows; the result and the summary say so
 * ({@link Result#silentAudio()}, {@code audio_window.silent}) and a warning is recorded.
 *
 * <p>Threads: a VideoSaliency is single-use and not thread-safe; several instances may share one predictor from
 * different threads (the predictor is thread-safe).
 */
public final class VideoSaliency {
    /** Output kinds (keys of {@link Result#outputs()} and of the summary's {@code outputs}). */
    public static final String PNG8 = "maps_png", PNG16 = "maps_png16", NPY = "maps_npy",
            SALIENCY_VIDEO = "saliency_video", OVERLAY = "overlay", SUMMARY = "summary";

    /** Called after each written map, on the thread running {@link #run()}. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param done     maps written so far
         * @param expected frames expected in all (from the container's duration and rate), or -1 if unknown
         * @param seconds  wall-clock seconds since the run started
         */
        void update(long done, long expected, double seconds);
    }

    /**
     * Where the time went: decoding (demux, decode, resize, audio windows), the model (preprocessing, encoders,
     * head), and writing outputs (PNG/npy encoding and files, video encoding including the overlay's own decoding
     * of the source), and the whole run (also opening files).
     */
    public record Timings(double decodeSeconds, double modelSeconds, double writeSeconds, double totalSeconds) {
        /** Share of decode + write in decode + write + model (0 when nothing ran). */
        public double ioShare() {
            double all = decodeSeconds + writeSeconds + modelSeconds;
            return all > 0 ? (decodeSeconds + writeSeconds) / all : 0;
        }
    }

    /**
     * What a run produced.
     *
     * @param frames      maps written
     * @param silentAudio the input had no audio stream (silent windows were used)
     * @param outputs     kind → file or directory, in the order written
     * @param summary     the summary as ordered maps (also written as {@code STEM.json} unless switched off)
     */
    public record Result(Path input, long frames, double frameRate, int mapWidth, int mapHeight, boolean silentAudio,
            Map<String, Path> outputs, List<String> warnings, Timings timings, Map<String, Object> summary) {}

    private final Builder cfg;
    private boolean used;

    private VideoSaliency(Builder b) { cfg = b; }

    /** A builder: input, predictor and output directory are required. */
    public static Builder builder() { return new Builder(); }

    /** The file stem outputs are named after: the input's name without its last extension. */
    public static String stem(Path input) {
        String n = input.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** The targets of this run, by kind (directories for the PNG kinds). */
    public Map<String, Path> targets() {
        String s = stem(cfg.input);
        Map<String, Path> t = new LinkedHashMap<>();
        if (cfg.png8) t.put(PNG8, cfg.outDir.resolve(s + "_maps"));
        if (cfg.png16) t.put(PNG16, cfg.outDir.resolve(s + "_maps16"));
        if (cfg.npy) t.put(NPY, cfg.outDir.resolve(s + "_maps.npy"));
        if (cfg.saliencyVideo) t.put(SALIENCY_VIDEO, cfg.outDir.resolve(s + "_saliency." + cfg.videoExtension));
        if (cfg.overlay) t.put(OVERLAY, cfg.outDir.resolve(s + "_overlay." + cfg.videoExtension));
        if (cfg.summary) t.put(SUMMARY, cfg.outDir.resolve(s + ".json"));
        return t;
    }

    /**
     * Decodes, predicts and writes. Single use.
     *
     * @throws FileAlreadyExistsException if a target exists and overwriting is off (nothing done)
     * @throws VideoDecodeException       if the input cannot be decoded (see the class comment for truncated files)
     * @throws VideoEncodeException       if a video cannot be written
     * @throws InvalidInputException      if the input yields no frames in the selected range
     * @throws IOException                if a map file cannot be written
     */
    public Result run() throws AvSalException, IOException {
        if (used) throw new IllegalStateException("a VideoSaliency runs once; build another");
        used = true;
        long t0 = System.nanoTime();
        Map<String, Path> targets = targets();
        checkTargets(targets);
        Files.createDirectories(cfg.outDir);

        VideoReader.Builder rb = VideoReader.builder().setFile(cfg.input)
                .optTargetSize(cfg.predictor.inputWidth(), cfg.predictor.inputHeight())
                .optFrameRate(cfg.fps).optStart(cfg.start).optAudioHop(cfg.audioHop)
                .optMaxCorruptFrames(cfg.maxCorruptFrames);
        if (cfg.duration != null) rb.optDuration(cfg.duration);
        try (VideoReader reader = rb.build(); Outputs out = new Outputs(targets, reader)) {
            long expected = expectedFrames(reader);
            VideoFrame first = reader.read();
            if (first == null) throw new InvalidInputException(cfg.input + ": no frames to predict (the start time "
                    + "is past the end, or the video stream is empty)");
            FrameSource frames = new FrameSource(reader, first);
            long[] written = {0};
            long[] writeNanos = {0};
            Consumer<SaliencyMap> sink = m -> {
                long w0 = System.nanoTime();
                try {
                    out.write(m, written[0]);
                } catch (IOException | AvSalException e) {
                    throw new Escape(e);
                }
                writeNanos[0] += System.nanoTime() - w0;
                written[0]++;
                if (cfg.progress != null) cfg.progress.update(written[0], expected, (System.nanoTime() - t0) / 1e9);
            };
            long p0 = System.nanoTime();
            try {
                cfg.predictor.predict(() -> frames, sink);
            } catch (Escape e) {
                if (e.getCause() instanceof IOException io) throw io;
                throw (AvSalException) e.getCause();
            }
            double predictWall = (System.nanoTime() - p0) / 1e9;
            double decode = reader.decodeSeconds();
            double write0 = writeNanos[0] / 1e9;
            long c0 = System.nanoTime();
            out.finish();
            double write = write0 + (System.nanoTime() - c0) / 1e9;
            double model = Math.max(0, predictWall - (decode - frames.firstReadSeconds) - write0);
            Timings timings = new Timings(decode, model, write, 0);

            VideoSummary summary = VideoSummary.of(reader);
            targets.forEach((k, v) -> { if (!k.equals(SUMMARY)) summary.output(k, v); });
            summary.warnings(out.warnings());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("input_width", cfg.predictor.inputWidth());
            m.put("input_height", cfg.predictor.inputHeight());
            m.put("preset", cfg.predictor.model().config().name());
            m.put("device", cfg.predictor.device().name());
            m.put("precision", cfg.predictor.precision().name());
            summary.put("model", m);
            summary.put("map_width", reader.width()).put("map_height", reader.height());
            summary.put("complete", frames.error == null);
            summary.put("error", frames.error == null ? null : frames.error.getMessage());
            double total = (System.nanoTime() - t0) / 1e9;
            timings = new Timings(decode, model, write, total);
            summary.timing("model", model).timing("write", write).timing("total", total);
            summary.put("io_share", timings.ioShare());
            if (cfg.summary) summary.write(targets.get(SUMMARY), cfg.overwrite);
            List<String> warnings = new ArrayList<>(reader.warnings());
            for (String w : out.warnings()) if (!warnings.contains(w)) warnings.add(w);
            Result r = new Result(cfg.input, written[0], reader.frameRate(), reader.width(), reader.height(),
                    !reader.info().hasAudio(), Collections.unmodifiableMap(targets), List.copyOf(warnings), timings,
                    summary.toMap());
            if (frames.error != null) throw frames.error; // outputs of the frames before the damage are kept
            return r;
        }
    }

    private void checkTargets(Map<String, Path> targets) throws IOException {
        if (targets.isEmpty()) throw new IllegalArgumentException("no outputs selected");
        if (Files.exists(cfg.outDir) && !Files.isDirectory(cfg.outDir))
            throw new IOException(cfg.outDir + ": not a directory");
        for (Map.Entry<String, Path> e : targets.entrySet()) {
            Path p = e.getValue();
            if (e.getKey().equals(PNG8) || e.getKey().equals(PNG16)) {
                if (Files.exists(p) && !Files.isDirectory(p)) throw new IOException(p + ": exists and is not a directory");
                if (!cfg.overwrite && Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        if (s.findAny().isPresent()) throw new FileAlreadyExistsException(p.toString(), null,
                                "exists and is not empty; refusing to overwrite maps in it (use overwrite/--force)");
                    }
                }
            } else if (!cfg.overwrite && Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "exists; refusing to overwrite it (use "
                        + "overwrite/--force)");
            }
        }
    }

    private long expectedFrames(VideoReader r) {
        double fps = r.frameRate();
        double dur = r.info().durationSeconds() - cfg.start.toNanos() / 1e9;
        if (cfg.duration != null) dur = Math.min(dur, cfg.duration.toNanos() / 1e9);
        if (!(fps > 0) || Double.isNaN(dur)) return -1;
        return Math.max(0, Math.round(dur * fps));
    }

    /** Carries a checked exception out of the predictor's callbacks. */
    private static final class Escape extends RuntimeException {
        Escape(Exception cause) { super(cause); }
    }

    /**
     * Frames for the predictor, read on demand. A truncated or damaged input ends the iteration (so the frames
     * before the damage are predicted and written) and is rethrown after the outputs are complete.
     */
    private static final class FrameSource implements Iterator<Frame> {
        private final VideoReader reader;
        private final double firstReadSeconds;
        private VideoFrame next;
        private boolean done;
        VideoDecodeException error;

        FrameSource(VideoReader reader, VideoFrame first) {
            this.reader = reader;
            this.next = first;
            this.firstReadSeconds = reader.decodeSeconds();
        }

        @Override public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = reader.read();
                } catch (VideoDecodeException e) {
                    if (e.problem() != VideoDecodeException.Problem.TRUNCATED
                            && e.problem() != VideoDecodeException.Problem.CORRUPT) throw new Escape(e);
                    error = e;
                }
                done = next == null;
            }
            return next != null;
        }

        @Override public Frame next() {
            if (!hasNext()) throw new NoSuchElementException();
            VideoFrame f = next;
            next = null;
            return f.toFrame();
        }
    }

    /** The open writers; finish() completes them, close() without finish() drops partial files. */
    private final class Outputs implements AutoCloseable {
        private final Path png8, png16;
        private Npy.Stack npy;
        private SaliencyVideoWriter salVideo;
        private OverlayVideoWriter overlay;
        private final long startMicros;
        private boolean finished;

        Outputs(Map<String, Path> t, VideoReader reader) throws IOException, AvSalException {
            startMicros = reader.startMicros();
            png8 = t.get(PNG8);
            png16 = t.get(PNG16);
            boolean ok = false;
            try {
                if (png8 != null) Files.createDirectories(png8);
                if (png16 != null) Files.createDirectories(png16);
                if (t.containsKey(NPY)) npy = Npy.openStack(t.get(NPY), reader.width(), reader.height(), cfg.overwrite);
                if (t.containsKey(SALIENCY_VIDEO)) {
                    double fps = reader.frameRate() > 0 ? reader.frameRate() : 25;
                    salVideo = SaliencyVideoWriter.builder().setOutput(t.get(SALIENCY_VIDEO)).setFrameRate(fps)
                            .optScaling(MapScaling.MIN_MAX).optOverwrite(cfg.overwrite).build();
                }
                if (t.containsKey(OVERLAY)) {
                    overlay = OverlayVideoWriter.builder().setOutput(t.get(OVERLAY)).matching(reader)
                            .optAlpha(cfg.alpha).optScaling(MapScaling.MIN_MAX).optOverwrite(cfg.overwrite).build();
                }
                ok = true;
            } finally {
                if (!ok) close();
            }
        }

        void write(SaliencyMap m, long index) throws IOException, AvSalException {
            float[] v = m.values();
            int w = m.width(), h = m.height();
            if (png8 != null) SaliencyMaps.writePng8(SaliencyMaps.frameFile(png8, index, "png"), v, w, h,
                    MapScaling.MIN_MAX, cfg.overwrite);
            if (png16 != null) SaliencyMaps.writePng16(SaliencyMaps.frameFile(png16, index, "png"), v, w, h,
                    MapScaling.MIN_MAX, cfg.overwrite);
            if (npy != null) npy.append(v);
            if (salVideo != null) salVideo.write(v, w, h, m.timestampMicros() - startMicros);
            if (overlay != null) overlay.write(v, w, h);
        }

        /** Completes every file (in order; if one fails the rest are dropped by close()). */
        void finish() throws IOException, AvSalException {
            if (npy != null) { npy.close(); npy = null; }
            if (salVideo != null) { salVideo.close(); salVideo = null; }
            if (overlay != null) { warnings.addAll(overlay.warnings()); overlay.close(); overlay = null; }
            finished = true;
        }

        private final List<String> warnings = new ArrayList<>();

        List<String> warnings() { return warnings; }

        @Override public void close() {
            if (finished) return;
            if (npy != null) npy.abort();
            if (salVideo != null) salVideo.abort();
            if (overlay != null) overlay.abort();
        }
    }

    /**
     * Settings of a {@link VideoSaliency}: {@code set*} required, {@code opt*} optional. By default nothing but the
     * JSON summary is written: select outputs with the {@code opt} switches. Not thread-safe.
     */
    public static final class Builder {
        private Path input, outDir;
        private AvSalPredictor predictor;
        private boolean png8, png16, npy, saliencyVideo, overlay, summary = true, overwrite;
        private double alpha = 0.5, fps;
        private Duration start = Duration.ZERO, duration;
        private Duration audioHop = Duration.ofMillis(Math.round(VideoReader.DEFAULT_AUDIO_HOP_SECONDS * 1000));
        private int maxCorruptFrames;
        private String videoExtension = "mp4";
        private Progress progress;

        private Builder() {}

        /** The video file (required). */
        public Builder setInput(Path video) { input = Objects.requireNonNull(video, "video"); return this; }

        /** The predictor (required; shared, not closed; its input size sets the decoded frame size). */
        public Builder setPredictor(AvSalPredictor p) { predictor = Objects.requireNonNull(p, "predictor"); return this; }

        /** Directory for the outputs (required; created if missing). */
        public Builder setOutputDir(Path dir) { outDir = Objects.requireNonNull(dir, "dir"); return this; }

        /** 8-bit PNG maps (default off). */
        public Builder optPng(boolean on) { png8 = on; return this; }

        /** 16-bit PNG maps (default off). */
        public Builder optPng16(boolean on) { png16 = on; return this; }

        /** Float maps as one (frames, height, width) .npy (default off). */
        public Builder optNpy(boolean on) { npy = on; return this; }

        /** Grayscale saliency video (default off). */
        public Builder optSaliencyVideo(boolean on) { saliencyVideo = on; return this; }

        /** Heatmap overlay video with the source audio (default off). */
        public Builder optOverlay(boolean on) { overlay = on; return this; }

        /** The JSON summary file (default on). */
        public Builder optSummary(boolean on) { summary = on; return this; }

        /** Replace existing outputs (default false: refuse before doing any work). */
        public Builder optOverwrite(boolean on) { overwrite = on; return this; }

        /** Heatmap opacity of the overlay in [0, 1] (default 0.5). */
        public Builder optAlpha(double a) {
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("alpha " + a + " not in [0, 1]");
            alpha = a;
            return this;
        }

        /** Frame rate to predict at (default 0: every source frame). */
        public Builder optFrameRate(double f) {
            if (!(f >= 0 && f <= 1000)) throw new IllegalArgumentException("frame rate " + f + " not in [0, 1000]");
            fps = f;
            return this;
        }

        /** Start time in the file (default 0). */
        public Builder optStart(Duration s) {
            if (s.isNegative()) throw new IllegalArgumentException("negative start " + s);
            start = s;
            return this;
        }

        /** Longest stretch to predict (default: to the end). */
        public Builder optDuration(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("duration must be positive, got " + d);
            duration = d;
            return this;
        }

        /** Audio hop (default {@value VideoReader#DEFAULT_AUDIO_HOP_SECONDS} s; see {@link VideoReader.Builder#optAudioHop}). */
        public Builder optAudioHop(Duration hop) { audioHop = Objects.requireNonNull(hop); return this; }

        /** Damaged frames to tolerate with a warning each (default 0). */
        public Builder optMaxCorruptFrames(int n) {
            if (n < 0) throw new IllegalArgumentException("max corrupt frames " + n);
            maxCorruptFrames = n;
            return this;
        }

        /** "mp4" (H.264 + AAC, default) or "webm" (VP9 + Opus) for the videos. */
        public Builder optVideoFormat(String extension) {
            if (!extension.equals("mp4") && !extension.equals("webm"))
                throw new IllegalArgumentException("video format " + extension + ": mp4 or webm");
            videoExtension = extension;
            return this;
        }

        /** Progress callback (default none). */
        public Builder optProgress(Progress p) { progress = p; return this; }

        /** Checks the settings. */
        public VideoSaliency build() {
            if (input == null || predictor == null || outDir == null)
                throw new IllegalStateException("setInput, setPredictor and setOutputDir are required");
            return new VideoSaliency(this);
        }
    }
}
