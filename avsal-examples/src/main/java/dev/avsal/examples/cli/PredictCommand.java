package dev.avsal.examples.cli;

import dev.avsal.AvSalException;
import dev.avsal.AvSalPredictor;
import dev.avsal.io.VideoSaliency;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code avsal predict VIDEO...}: saliency maps, videos and a JSON summary for each video, through
 * {@link VideoSaliency}. One predictor serves all videos; a video that fails is reported and the others still run
 * (exit code 1 if any failed). Progress goes to stderr, results (or {@code --json}) to stdout.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict saliency for video files and write maps, videos and a JSON summary per video.",
                "Without output switches: --png and --overlay. Existing outputs are never replaced without --force."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "Video files (mp4, mkv, webm, mov, ...).")
    List<Path> videos;

    static final class Weights {
        @Option(names = "--weights", paramLabel = "W", description = "Combined AVSal-R weights (.safetensors).")
        Path file;

        @Option(names = "--random-seed", paramLabel = "N", description = "Seeded random weights for --preset "
                + "(tests, timing; the maps mean nothing).")
        Long seed;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Weights weights;

    @Option(names = "--preset", paramLabel = "P", description = "avsal-r-b16 or avsal-r-tiny: with --random-seed, the "
            + "structure to create; with --weights, the structure the file must have.")
    String preset;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "avsal-out", description = "Output folder (default: "
            + "${DEFAULT-VALUE}; created if missing).")
    Path out;

    @Option(names = "--png", description = "8-bit PNG maps, STEM_maps/frame_NNNNNN.png.") boolean png;
    @Option(names = "--png16", description = "16-bit PNG maps, STEM_maps16/.") boolean png16;
    @Option(names = "--npy", description = "Float maps, STEM_maps.npy (frames, height, width).") boolean npy;
    @Option(names = "--saliency-video", description = "Grayscale map video, STEM_saliency.mp4.") boolean saliencyVideo;
    @Option(names = "--overlay", description = "Heatmap over the video with its audio, STEM_overlay.mp4.") boolean overlay;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Overlay opacity in [0, 1] "
            + "(default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "0", description = "Frames per second to predict at "
            + "(default: every source frame).")
    double fps;

    @Option(names = "--start", paramLabel = "S", defaultValue = "0", description = "Start time in seconds.")
    double start;

    @Option(names = "--duration", paramLabel = "D", description = "Seconds to predict from the start (default: to the end).")
    Double duration;

    @Option(names = "--audio-hop", paramLabel = "S", defaultValue = "1.0", description = "Seconds between audio windows;"
            + " frames in between share one (default ${DEFAULT-VALUE}; 0: a window per frame).")
    double audioHop;

    @Option(names = "--force", description = "Replace existing outputs.") boolean force;

    @Mixin
    PredictorOptions run;

    @Option(names = "--json", description = "Print one JSON object with every video's summary.") boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws AvSalException, IOException {
        if (weights.seed != null && preset == null)
            throw new ParameterException(spec.commandLine(), "--random-seed needs --preset (avsal-r-tiny or avsal-r-b16)");
        if (!(alpha >= 0 && alpha <= 1)) throw new ParameterException(spec.commandLine(), "--alpha must be in [0, 1]");
        if (!(fps >= 0 && fps <= 1000)) throw new ParameterException(spec.commandLine(), "--fps must be in [0, 1000]");
        if (!(start >= 0)) throw new ParameterException(spec.commandLine(), "--start must be >= 0");
        if (duration != null && !(duration > 0)) throw new ParameterException(spec.commandLine(), "--duration must be > 0");
        if (!(audioHop >= 0 && audioHop <= 60)) throw new ParameterException(spec.commandLine(), "--audio-hop must be in [0, 60]");
        if (!(png || png16 || npy || saliencyVideo || overlay)) png = overlay = true;

        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        AvSalPredictor.Builder pb = run.apply(AvSalPredictor.builder());
        if (weights.file != null) {
            pb.setWeights(weights.file);
            if (preset != null) pb.optPreset(preset);
        } else {
            pb.setRandomWeights(preset, weights.seed);
        }
        List<Map<String, Object>> reports = new ArrayList<>();
        int failed = 0;
        try (AvSalPredictor predictor = pb.build()) {
            for (Path video : videos) {
                Bar bar;
                VideoSaliency.Builder b = VideoSaliency.builder().setInput(video).setPredictor(predictor).setOutputDir(out)
                        .optPng(png).optPng16(png16).optNpy(npy).optSaliencyVideo(saliencyVideo).optOverlay(overlay)
                        .optAlpha(alpha).optFrameRate(fps).optStart(seconds(start)).optAudioHop(seconds(audioHop))
                        .optOverwrite(force).optProgress(bar = new Bar(err, video.getFileName().toString()));
                if (duration != null) b.optDuration(seconds(duration));
                try {
                    VideoSaliency.Result r;
                    try {
                        r = b.build().run();
                    } finally {
                        bar.end();
                    }
                    Map<String, Object> rep = new LinkedHashMap<>(r.summary());
                    rep.put("status", "ok");
                    reports.add(rep);
                    if (!json) {
                        stdout.printf(Locale.ROOT, "%s: %d frames, %.1f s (I/O %.0f%%)%s%n", video, r.frames(),
                                r.timings().totalSeconds(), 100 * r.timings().ioShare(),
                                r.silentAudio() ? "; no audio: predicted with silence" : "");
                        r.outputs().forEach((k, p) -> stdout.printf("  %-15s %s%n", k, p));
                    }
                } catch (AvSalException | IOException | IllegalArgumentException e) {
                    failed++;
                    String msg = e instanceof java.nio.file.FileAlreadyExistsException f
                            ? f.getFile() + ": " + f.getReason() : e.getMessage();
                    err.println("avsal: " + video + ": " + msg);
                    if (spec.commandLine().getParseResult().matchedOption("--verbose") != null
                            || spec.parent() != null && spec.parent().commandLine().getParseResult().matchedOption("--verbose") != null)
                        e.printStackTrace(err);
                    Map<String, Object> rep = new LinkedHashMap<>();
                    rep.put("input", video.toString());
                    rep.put("status", "failed");
                    rep.put("error", msg);
                    reports.add(rep);
                }
            }
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("videos", reports);
            doc.put("failed", failed);
            stdout.println(Json.write(doc));
        }
        stdout.flush();
        err.flush();
        return failed == 0 ? 0 : AvSalCli.EXIT_INPUT;
    }

    private static Duration seconds(double s) { return Duration.ofNanos(Math.round(s * 1e9)); }

    /** A one-line progress bar on stderr, redrawn at most 10 times a second. */
    static final class Bar implements VideoSaliency.Progress {
        private final PrintWriter err;
        private final String name;
        private long lastDraw;
        private boolean open;

        Bar(PrintWriter err, String name) {
            this.err = err;
            this.name = name;
        }

        @Override public void update(long done, long expected, double seconds) {
            long now = System.nanoTime();
            boolean last = expected > 0 && done >= expected;
            if (!last && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            double rate = seconds > 0 ? done / seconds : 0;
            StringBuilder s = new StringBuilder("\r").append(name).append(' ');
            if (expected > 0) {
                int w = 30, fill = (int) Math.min(w, w * done / expected);
                s.append('[').append("#".repeat(fill)).append(".".repeat(w - fill)).append("] ")
                        .append(done).append('/').append(expected);
                if (rate > 0 && !last) s.append(String.format(Locale.ROOT, " ETA %.0f s", (expected - done) / rate));
            } else {
                s.append(done).append(" frames");
            }
            s.append(String.format(Locale.ROOT, " %.1f fps", rate));
            err.print(s);
            open = !last;
            if (last) err.println();
            err.flush();
        }

        /** Ends the line if the bar was left open (frame count unknown or different from the estimate). */
        void end() {
            if (open) err.println();
            open = false;
            err.flush();
        }
    }
}
