package dev.avsal.examples.cli;

import dev.avsal.examples.bench.CheckpointBench;
import dev.avsal.examples.bench.EncoderBench;
import dev.avsal.examples.bench.IoBench;
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

/** {@code avsal bench}: prints a timing table for this machine (checkpoint loading, the encoders, the I/O share of a streamed prediction; CPU). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time checkpoint loading and the encoders on this machine and print a table.")
final class BenchCommand implements Callable<Integer> {
    enum Section { all, checkpoint, encoders, io }

    @Option(names = "--section", defaultValue = "all", description = "all, checkpoint, encoders or io (all includes io when the --video clip exists).")
    Section section;

    @Option(names = "--scratch", description = "Folder for the temporary benchmark files (about 1.3 GB; deleted"
            + " afterwards). Default: a new folder under java.io.tmpdir.")
    Path scratch;

    @Option(names = "--decoy-blocks", defaultValue = "8", description = "Vision-shaped decoy blocks in the large"
            + " .pth (about 78 MB each).")
    int decoyBlocks;

    @Option(names = "--video", defaultValue = "/tmp/avsal-bench-1080p.mp4", description = "1080p H.264 clip for the io"
            + " section (default ${DEFAULT-VALUE}, made by tools/make_test_videos.sh bench).")
    Path video;

    @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions (the median is reported).")
    int reps;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, dev.avsal.AvSalException {
        if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
        List<CheckpointBench.Row> rows = new ArrayList<>();
        // Encoders first: after the checkpoint section (1.4 GB of float arrays and mappings left for the GC) the CLIP
        // timings came out 2-30x slower on a 2-core machine (less so after System.gc(); cause not yet pinned down).
        if (section == Section.all || section == Section.encoders) rows.addAll(EncoderBench.run(2, reps));
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
}
