package dev.avsal.examples.cli;

import dev.avsal.examples.bench.CheckpointBench;
import dev.avsal.examples.bench.EncoderBench;
import dev.avsal.examples.bench.IoBench;
import dev.avsal.examples.bench.ScoringBench;
import dev.avsal.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code avsal bench}: prints a timing table for this machine (checkpoint loading, the encoders, the I/O share of a streamed prediction, scoring; CPU). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time checkpoint loading, the encoders, decoding and scoring on this machine and print a table.")
final class BenchCommand implements Callable<Integer> {
    enum Section { all, checkpoint, encoders, preprocess, io, metrics }

    @Option(names = "--section", defaultValue = "all", paramLabel = "SECTION", description = "all, checkpoint, encoders (with the"
            + " preprocessing), preprocess (only the pure-Java preprocessing: seconds), io (decode + predict share;"
            + " all includes io when the --video clip exists) or metrics (scoring a 1080p frame, one thread: seconds).")
    Section section;

    @Option(names = "--scratch", paramLabel = "DIR", description = "Folder for the temporary benchmark files (about 1.3 GB; deleted"
            + " afterwards). Default: a new folder under java.io.tmpdir.")
    Path scratch;

    @Option(names = "--decoy-blocks", defaultValue = "8", paramLabel = "N", description = "Vision-shaped decoy blocks in the large"
            + " .pth (about 78 MB each).")
    int decoyBlocks;

    @Option(names = "--video", defaultValue = "/tmp/avsal-bench-1080p.mp4", paramLabel = "FILE", description = "1080p H.264"
            + " clip for the io section (default ${DEFAULT-VALUE}, made by tools/make_test_videos.sh bench).")
    Path video;

    @Option(names = "--reps", defaultValue = "5", paramLabel = "N", description = "Timed repetitions (the median is reported).")
    int reps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed runs before the encoder timings.")
    int warmup;

    @Option(names = "--json", description = "Print one JSON object: cores and rows of {what, value (as printed),"
            + " number (the value as a number, null when it is not one), note}.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, dev.avsal.AvSalException {
        if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be at least 0");
        List<CheckpointBench.Row> rows = new ArrayList<>();
        // Encoders first, so that their timings never include GC work left by the checkpoint section. (A 2-30x CLIP
        // slowdown after that section seen once under heavy load from other processes did not reproduce on a quiet
        // machine: 248 vs 244 ms/frame before/after, 250 vs 253 with 24 decoy blocks, 2026-11-26.)
        if (section == Section.all || section == Section.encoders) rows.addAll(EncoderBench.run(warmup, reps));
        if (section == Section.preprocess) rows.addAll(EncoderBench.preprocessing(warmup, reps));
        if (section == Section.metrics || section == Section.all) rows.addAll(ScoringBench.run(warmup, reps));
        if (section == Section.io || section == Section.all && Files.isRegularFile(video)) {
            if (!Files.isRegularFile(video)) throw new IOException(video + ": no such clip; make it with "
                    + "tools/make_test_videos.sh bench or pass --video");
            rows.addAll(IoBench.run(video));
        }
        if (section == Section.all || section == Section.checkpoint) {
            Path dir = scratch != null ? scratch : Files.createTempDirectory("avsal-bench");
            rows.addAll(CheckpointBench.run(dir, decoyBlocks));
            if (scratch == null) Files.deleteIfExists(dir);
        }
        var out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (CheckpointBench.Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("what", r.what());
                m.put("value", r.value());
                m.put("number", number(r.value()));
                m.put("note", r.note());
                list.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("cores", Runtime.getRuntime().availableProcessors());
            doc.put("rows", list);
            out.println(Json.write(doc));
        } else {
            int w = rows.stream().mapToInt(r -> r.what().length()).max().orElse(10);
            int v = rows.stream().mapToInt(r -> r.value().length()).max().orElse(5);
            out.printf("| %-" + w + "s | %" + v + "s | %s%n", "what", "value", "note |");
            out.printf("|%s|%s|---|%n", "-".repeat(w + 2), "-".repeat(v + 2));
            for (CheckpointBench.Row r : rows) out.printf("| %-" + w + "s | %" + v + "s | %s |%n", r.what(), r.value(), r.note());
        }
        out.flush();
        return 0;
    }

    private static Double number(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
