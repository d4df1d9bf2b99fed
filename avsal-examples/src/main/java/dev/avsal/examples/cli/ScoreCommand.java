package dev.avsal.examples.cli;

import dev.avsal.eval.EvalException;
import dev.avsal.eval.Evaluation;
import dev.avsal.eval.MapFiles;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metric;
import dev.avsal.metrics.OpenCvFlavor;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import dev.avsal.metrics.Scores;
import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code avsal score}: the seven metrics of one predicted map against one frame's ground truth, through
 * {@link Scorer}. Maps are 2-D {@code .npy} (float32, float64, uint8) or PNG ({@link MapFiles}). Fixations are a
 * binary map (pixels {@code > 0}, each counted once, as MIT's code reads them) or a {@code .json} array of
 * {@code [row, column]} pairs (the AViMoS {@code fixations.json} entry of one frame; duplicates count under
 * {@code aim2024}, as bench.py counts them) on the density's grid, or the prediction's when there is no density.
 * Integer predictions are read as stored, except under {@code stavis}, which reads them into [0, 1] as its MATLAB
 * code does ({@link MapFiles}).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score one saliency map against fixations (and a ground-truth density) with the seven metrics.",
                "Metrics that need a missing input, or that are undefined (constant maps), print as null / n/a."})
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--pred", required = true, paramLabel = "P", description = "Predicted map (.npy or .png), any size.")
    Path pred;

    @Option(names = "--fixations", required = true, paramLabel = "F", description = "Fixations: a binary map (.npy/.png)"
            + " or a .json list of [row, column] pairs.")
    Path fixations;

    @Option(names = "--density", paramLabel = "D", description = "Ground-truth density (.npy/.png); without it CC, SIM"
            + " and KLD are null.")
    Path density;

    @Option(names = "--other", paramLabel = "O", description = "sAUC negatives (other images' or frames' fixations),"
            + " same formats as --fixations; without it sAUC is null.")
    Path other;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "mit", description = "mit, aim2024 or stavis "
            + "(default ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--jitter", paramLabel = "on|off", defaultValue = "on", description = "AUC-Judd's tiny random jitter"
            + " (MIT, STAViS; default ${DEFAULT-VALUE}).")
    String jitter;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the jitter and the AUC-Borji /"
            + " sAUC draws (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--opencv", paramLabel = "ipp|no-ipp", defaultValue = "ipp", description = "Which OpenCV build's "
            + "resize aim2024 reproduces: pip wheels (ipp, default) or a distribution's (no-ipp).")
    String opencv;

    @Option(names = "--json", description = "Print one JSON object {cc, nss, sim, kld, auc_judd, auc_borji, sauc}.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws EvalException, JsonException {
        Scorer scorer = scorer(spec, protocol, jitter, seed, opencv);
        Map2D p = MapFiles.read(pred, MapFiles.unitRange(scorer.protocol())); // STAViS: im2double of integer maps
        Map2D d = density == null ? null : MapFiles.read(density);
        int w = d != null ? d.width() : p.width(), h = d != null ? d.height() : p.height();
        Fixations f = readFixations(fixations, w, h);
        Fixations o = other == null ? null : readFixations(other, f.width(), f.height());
        Scores s;
        try {
            s = scorer.score(p, d, f, o);
        } catch (IllegalArgumentException e) {
            throw new EvalException(pred + " vs " + fixations + (density != null ? " and " + density : "") + ": "
                    + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(Evaluation.toJson(s)));
        } else {
            for (Metric m : Metric.values()) {
                double v = s.get(m);
                out.printf(Locale.ROOT, "%-6s %s%n", m.label(), Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6f", v));
            }
        }
        out.flush();
        return 0;
    }

    /** The scorer the options name; usage errors for unknown values. */
    static Scorer scorer(CommandSpec spec, String protocol, String jitter, long seed, String opencv) {
        Protocol p = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "mit" -> Protocol.MIT;
            case "aim2024", "aim" -> Protocol.AIM2024;
            case "stavis" -> Protocol.STAVIS;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--protocol must be mit, aim2024 or stavis, got '" + protocol + "'");
        };
        if (!jitter.equals("on") && !jitter.equals("off"))
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jitter must be on or off, got '" + jitter + "'");
        OpenCvFlavor f = switch (opencv) {
            case "ipp" -> OpenCvFlavor.IPP;
            case "no-ipp" -> OpenCvFlavor.NO_IPP;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--opencv must be ipp or no-ipp, got '" + opencv + "'");
        };
        return Scorer.of(p).withSeed(seed).withJitter(jitter.equals("on")).withOpenCvFlavor(f);
    }

    /** A binary map, or a JSON list of [row, column] pairs on a {@code w x h} grid. */
    static Fixations readFixations(Path file, int w, int h) throws EvalException, JsonException {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
            try {
                return Fixations.fromMask(MapFiles.read(file));
            } catch (IllegalArgumentException e) {
                throw new EvalException(file + ": " + e.getMessage(), e);
            }
        }
        if (!(Json.parse(file) instanceof List<?> list))
            throw new EvalException(file + ": expected a JSON array of [row, column] pairs");
        List<int[]> pairs = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof Number r)
                    || !(pair.get(1) instanceof Number c) || r.doubleValue() != Math.rint(r.doubleValue())
                    || c.doubleValue() != Math.rint(c.doubleValue()))
                throw new EvalException(file + ": entry " + pairs.size() + " is not a [row, column] pair of integers: " + o);
            int row = r.intValue(), col = c.intValue();
            if (row < 0 || row >= h || col < 0 || col >= w)
                throw new EvalException(file + ": fixation [" + row + ", " + col + "] outside the " + w + "x" + h + " grid");
            pairs.add(new int[] {row, col});
        }
        int[] xs = new int[pairs.size()], ys = new int[pairs.size()];
        for (int i = 0; i < xs.length; i++) {
            ys[i] = pairs.get(i)[0];
            xs[i] = pairs.get(i)[1];
        }
        return Fixations.of(w, h, xs, ys);
    }
}
