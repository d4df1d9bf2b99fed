package dev.avsal.eval;

import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metric;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scores;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of an {@link Evaluator} run: every frame's scores, every video's mean, and the aggregate (mean over
 * videos). Means drop NaN values metric by metric (a frame whose CC is NaN still counts for NSS), as STAViS drops
 * NaN frames and MIT averages per image; a video whose frames are all NaN for a metric gets NaN there and is
 * dropped from that metric's aggregate. Immutable and thread-safe (the stills' arrays must not be written).
 */
public record Evaluation(String dataset, String split, Protocol protocol, long seed, List<FrameScore> frames,
                         List<VideoScore> videos, Scores aggregate, Map<String, Still> stills) {

    /** One frame's scores; {@code frame} is 0-based. */
    public record FrameScore(String video, int frame, Scores scores) {}

    /** One video's mean scores over its {@code frames} scored frames. */
    public record VideoScore(String video, int frames, Scores mean) {}

    /**
     * A frame kept for the report: the prediction at its own size and, where available, the frame image (null
     * when the source could not be decoded).
     */
    public record Still(int frame, Map2D prediction, RgbImage image) {}

    public Evaluation {
        frames = List.copyOf(frames);
        videos = List.copyOf(videos);
        stills = Map.copyOf(stills);
    }

    /** Mean of each metric over the given scores, NaN values dropped (NaN where every value is NaN). */
    public static Scores nanMean(List<Scores> scores) {
        double[] sum = new double[Metric.values().length];
        int[] n = new int[sum.length];
        for (Scores s : scores) {
            double[] a = s.toArray();
            for (int i = 0; i < a.length; i++) if (!Double.isNaN(a[i])) { sum[i] += a[i]; n[i]++; }
        }
        for (int i = 0; i < sum.length; i++) sum[i] = n[i] == 0 ? Double.NaN : sum[i] / n[i];
        return new Scores(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6]);
    }

    /** The JSON keys of the metrics, in {@link Metric} order. */
    public static final List<String> KEYS = List.of("cc", "nss", "sim", "kld", "auc_judd", "auc_borji", "sauc");

    /** Scores as a JSON object ({@link #KEYS}; NaN as null). */
    public static Map<String, Object> toJson(Scores s) {
        Map<String, Object> m = new LinkedHashMap<>();
        double[] a = s.toArray();
        for (int i = 0; i < a.length; i++) m.put(KEYS.get(i), Double.isNaN(a[i]) ? null : a[i]);
        return m;
    }

    /** The aggregate and per-video scores as a JSON-ready map (what {@link #writeJson} writes). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.put("split", split);
        m.put("protocol", protocol.name().toLowerCase(Locale.ROOT));
        m.put("seed", seed);
        m.put("video_count", videos.size());
        m.put("frame_count", frames.size());
        m.put("aggregate", toJson(aggregate));
        List<Object> vs = new ArrayList<>();
        for (VideoScore v : videos) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("video", v.video());
            e.put("frames", v.frames());
            e.put("scores", toJson(v.mean()));
            vs.add(e);
        }
        m.put("videos", vs);
        return m;
    }

    /** Writes {@link #toJson()}; see {@link #writeFramesCsv} for the overwrite rule. */
    public void writeJson(Path file, boolean overwrite) throws IOException {
        write(file, overwrite, w -> w.write(Json.write(toJson()) + "\n"));
    }

    /** CSV {@code video,frame,cc,...,sauc} (frame 0-based; NaN as an empty cell), one row per frame. */
    public void writeFramesCsv(Path file, boolean overwrite) throws IOException {
        write(file, overwrite, w -> {
            w.write("video,frame," + String.join(",", KEYS) + "\n");
            for (FrameScore f : frames) w.write(csv(f.video()) + "," + f.frame() + row(f.scores()) + "\n");
        });
    }

    /** CSV {@code video,frames,cc,...,sauc}, one row per video, then a row {@code ALL} with the aggregate. */
    public void writeVideosCsv(Path file, boolean overwrite) throws IOException {
        write(file, overwrite, w -> {
            w.write("video,frames," + String.join(",", KEYS) + "\n");
            for (VideoScore v : videos) w.write(csv(v.video()) + "," + v.frames() + row(v.mean()) + "\n");
            w.write("ALL," + frames.size() + row(aggregate) + "\n");
        });
    }

    private static String row(Scores s) {
        StringBuilder b = new StringBuilder();
        for (double d : s.toArray()) b.append(',').append(Double.isNaN(d) ? "" : Double.toString(d));
        return b.toString();
    }

    private static String csv(String s) {
        return s.matches("[^,\"\r\n]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    interface Body { void write(Writer w) throws IOException; }

    /** Writes to a temporary sibling and renames it over the target when complete. */
    static void write(Path file, boolean overwrite, Body body) throws IOException {
        if (!overwrite && Files.exists(file))
            throw new java.nio.file.FileAlreadyExistsException(file.toString(), null, "exists (pass overwrite to replace it)");
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".part");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                body.write(w);
            }
            if (overwrite) Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            else Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
