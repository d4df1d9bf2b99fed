package dev.avsal.examples.cli;

import dev.avsal.AvSalException;
import dev.avsal.AvSalPredictor;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.eval.Evaluation;
import dev.avsal.eval.Evaluator;
import dev.avsal.eval.HtmlReport;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.metrics.Metric;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code avsal evaluate}: scores a dataset split with {@link Evaluator}, from a model ({@code --weights} or
 * {@code --preset} with {@code --random-seed}) or from saved predictions ({@code --predictions}), and writes
 * {@code frames.csv}, {@code videos.csv}, {@code evaluation.json} and with {@code --report} {@code report.html}
 * into {@code --out}. Existing outputs are never replaced without {@code --force} (checked before scoring).
 * Progress goes to stderr.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score a dataset split (AViMoS layout) with a model or saved predictions; write per-frame and "
                + "per-video CSV, a JSON summary and optionally an HTML report.",
                "Saved predictions: DIR/ID/ (one .png or .npy per frame, ordered by the number in the name) or "
                        + "DIR/ID.npy (frames, height, width)."})
final class EvaluateCommand implements Callable<Integer> {
    static final List<String> OUTPUTS = List.of("frames.csv", "videos.csv", "evaluation.json", "report.html");

    @Option(names = "--dataset", required = true, paramLabel = "ROOT", description = "Dataset folder.")
    Path dataset;

    @Option(names = "--split", paramLabel = "S", description = "Split to score (default: test if present, else the first).")
    String split;

    static final class Source {
        @Option(names = "--weights", paramLabel = "W", description = "Combined AVSal-R weights (.safetensors).")
        Path weights;

        @Option(names = "--random-seed", paramLabel = "N", description = "Seeded random weights for --preset "
                + "(tests; the scores mean nothing).")
        Long seed;

        @Option(names = "--predictions", paramLabel = "DIR", description = "Folder of saved predictions.")
        Path predictions;

        @Option(names = "--center-prior", description = "The center-prior baseline (a centred Gaussian, dev.avsal.metrics"
                + ".CenterPrior) instead of a model.")
        boolean centerPrior;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--preset", paramLabel = "P", description = "avsal-r-b16 or avsal-r-tiny: with --random-seed, the "
            + "structure to create; with --weights, the structure the file must have.")
    String preset;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "mit", description = "mit, aim2024 or stavis "
            + "(default ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--jitter", paramLabel = "on|off", defaultValue = "on", description = "AUC-Judd jitter (default ${DEFAULT-VALUE}).")
    String jitter;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the metrics' random draws "
            + "(default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--opencv", paramLabel = "ipp|no-ipp", defaultValue = "ipp", description = "OpenCV resize flavour "
            + "for aim2024 (default ${DEFAULT-VALUE}).")
    String opencv;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "avsal-eval", description = "Output folder (default: "
            + "${DEFAULT-VALUE}; created if missing).")
    Path out;

    @Option(names = "--report", description = "Also write report.html (self-contained).") boolean report;

    @Option(names = "--force", description = "Replace existing outputs.") boolean force;

    @Mixin
    PredictorOptions run;

    @Option(names = "--json", description = "Print one JSON object: the aggregate, every video and the output files.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws AvSalException, IOException {
        if (source.seed != null && preset == null)
            throw new ParameterException(spec.commandLine(), "--random-seed needs --preset (avsal-r-tiny or avsal-r-b16)");
        if (preset != null && (source.predictions != null || source.centerPrior))
            throw new ParameterException(spec.commandLine(), "--preset does not apply to --predictions or --center-prior");
        var scorer = ScoreCommand.scorer(spec, protocol, jitter, seed, opencv);
        Map<String, Path> outputs = new LinkedHashMap<>();
        for (String name : OUTPUTS) if (report || !name.endsWith(".html")) outputs.put(name, out.resolve(name));
        if (!force)
            for (Path p : outputs.values())
                if (Files.exists(p)) throw new FileAlreadyExistsException(p.toString(), null, "exists (pass --force to replace it)");
        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        SaliencyDataset data = Datasets.open(dataset);
        PredictCommand.Bar bar = new PredictCommand.Bar(err, "evaluate");
        long t0 = System.nanoTime();
        Evaluator.Builder b = Evaluator.builder().setDataset(data).optSplit(split).optScorer(scorer).optStills(report)
                .optProgress((video, i, n, done, total) -> bar.update(done, total, (System.nanoTime() - t0) / 1e9));
        Evaluation e;
        try {
            if (source.predictions != null) {
                e = b.setPredictions(source.predictions).build().run();
            } else if (source.centerPrior) {
                e = b.setCenterPrior().build().run();
            } else {
                AvSalPredictor.Builder pb = run.apply(AvSalPredictor.builder());
                if (source.weights != null) {
                    pb.setWeights(source.weights);
                    if (preset != null) pb.optPreset(preset);
                } else {
                    pb.setRandomWeights(preset, source.seed);
                }
                try (AvSalPredictor p = pb.build()) {
                    e = b.setPredictor(p).build().run();
                }
            }
        } finally {
            bar.end();
        }
        e.writeFramesCsv(outputs.get("frames.csv"), force);
        e.writeVideosCsv(outputs.get("videos.csv"), force);
        e.writeJson(outputs.get("evaluation.json"), force);
        if (report) HtmlReport.write(e, outputs.get("report.html"), force);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>(e.toJson());
            Map<String, Object> files = new LinkedHashMap<>();
            outputs.forEach((k, v) -> files.put(k, v.toString()));
            doc.put("outputs", files);
            stdout.println(Json.write(doc));
        } else {
            stdout.printf(Locale.ROOT, "%s / %s, %s: %d videos, %d frames%n", e.dataset(), e.split(),
                    e.protocol().name().toLowerCase(Locale.ROOT), e.videos().size(), e.frames().size());
            for (Metric m : Metric.values()) {
                double v = e.aggregate().get(m);
                stdout.printf(Locale.ROOT, "  %-6s %s%n", m.label(), Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v));
            }
            outputs.forEach((k, v) -> stdout.printf("  %-15s %s%n", k, v));
        }
        stdout.flush();
        return 0;
    }
}
