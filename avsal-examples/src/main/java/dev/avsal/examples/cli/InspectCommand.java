package dev.avsal.examples.cli;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code avsal inspect FILE}: every tensor of a weight file with its statistics, and the non-tensor entries. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List every tensor of a safetensors, torch.save or TorchScript file (name, dtype, shape,"
                + " min/max/mean) and its non-tensor entries.")
final class InspectCommand implements Callable<Integer> {
    static final int MAX_VALUES = 1000;

    @Parameters(paramLabel = "FILE", description = "The weight file.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--values", description = "Also print the values of tensors with at most " + MAX_VALUES
            + " elements.")
    boolean values;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CheckpointException {
        var out = spec.commandLine().getOut();
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            List<Map<String, Object>> tensors = new ArrayList<>();
            for (String name : ckpt.tensorNames()) tensors.add(describe(ckpt.tensor(name)));
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("file", file.toString());
                doc.put("format", ckpt.format().name().toLowerCase());
                doc.put("tensors", tensors);
                doc.put("metadata", ckpt.metadata());
                out.println(Json.write(doc));
            } else {
                printText(out, ckpt, tensors);
            }
        }
        out.flush();
        return 0;
    }

    private Map<String, Object> describe(TensorData t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", t.name());
        d.put("dtype", t.dtype().name());
        d.put("shape", Arrays.stream(t.shape()).boxed().toList());
        double[] v = t.toDoubleArray();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        long nan = 0;
        for (double x : v) {
            if (Double.isNaN(x)) { nan++; continue; }
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        long finite = v.length - nan;
        d.put("min", finite == 0 ? null : finiteOrNull(min));
        d.put("max", finite == 0 ? null : finiteOrNull(max));
        d.put("mean", finite == 0 ? null : finiteOrNull(sum / finite));
        if (nan > 0) d.put("nan_count", nan);
        if (values && v.length <= MAX_VALUES) {
            List<Object> list = new ArrayList<>(v.length);
            for (double x : v) list.add(t.dtype().isFloatingPoint() ? finiteOrNull(x) : (Object) (long) x);
            d.put("values", list);
        }
        return d;
    }

    /** JSON has no NaN or infinity: they become null (NaNs are counted in nan_count). */
    private static Double finiteOrNull(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private void printText(java.io.PrintWriter out, Checkpoint ckpt, List<Map<String, Object>> tensors) {
        out.printf("%s: %s, %d tensors%n", file, ckpt.format().name().toLowerCase(), tensors.size());
        int w = tensors.stream().mapToInt(t -> ((String) t.get("name")).length()).max().orElse(4);
        for (Map<String, Object> t : tensors) {
            out.printf("  %-" + w + "s  %-4s %-18s min %-12s max %-12s mean %s%n", t.get("name"), t.get("dtype"),
                    t.get("shape"), fmt(t.get("min")), fmt(t.get("max")), fmt(t.get("mean")));
            if (t.containsKey("nan_count")) out.printf("  %-" + w + "s  NaN: %s%n", "", t.get("nan_count"));
            if (t.containsKey("values")) out.printf("  %-" + w + "s  values %s%n", "", t.get("values"));
        }
        if (!ckpt.metadata().isEmpty()) {
            out.println("non-tensor entries:");
            ckpt.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
        }
    }

    private static String fmt(Object o) {
        return o instanceof Double d ? String.format("%.6g", d) : String.valueOf(o);
    }
}
