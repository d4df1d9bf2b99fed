package dev.avsal.model;

import dev.avsal.AvSalException;
import java.util.List;

/**
 * Weights that do not fit a model: every missing, unexpected and mis-shaped key is reported at once, grouped, with
 * the weight file (or other source) named in the message.
 */
public class WeightMismatchException extends AvSalException {
    private final String source;
    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misshaped;

    /**
     * @param source     the weight file or other source, as shown to the user
     * @param model      a short description of the model the weights were meant for
     * @param missing    model keys the source lacks
     * @param unexpected source keys the model does not have
     * @param misshaped  one line per key whose shape (or dtype) differs, e.g. {@code proj: model [768, 512], file
     *                   [768, 768]}; the key comes first, before a colon
     */
    public WeightMismatchException(String source, String model, List<String> missing, List<String> unexpected,
                                   List<String> misshaped) {
        super(message(source, model, missing, unexpected, misshaped));
        this.source = source;
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misshaped = List.copyOf(misshaped);
    }

    private static String message(String source, String model, List<String> missing, List<String> unexpected,
                                  List<String> misshaped) {
        StringBuilder sb = new StringBuilder();
        sb.append(source).append(": weights do not fit ").append(model).append(": ")
                .append(missing.size()).append(" missing, ").append(unexpected.size()).append(" unexpected, ")
                .append(misshaped.size()).append(" mis-shaped");
        group(sb, "missing", missing);
        group(sb, "unexpected", unexpected);
        group(sb, "mis-shaped", misshaped);
        return sb.toString();
    }

    private static void group(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) return;
        sb.append("\n  ").append(title).append(" (").append(items.size()).append("):");
        for (String s : items) sb.append("\n    ").append(s);
    }

    /** The weight file or other source. */
    public String source() { return source; }

    /** Model keys that the source lacks. */
    public List<String> missing() { return missing; }

    /** Source keys that the model does not have. */
    public List<String> unexpected() { return unexpected; }

    /** One description per mis-shaped key ({@code key: model [..], file [..]}). */
    public List<String> misshaped() { return misshaped; }

    /** The keys of {@link #misshaped()} without the shape descriptions. */
    public List<String> misshapedKeys() {
        return misshaped.stream().map(s -> s.substring(0, s.indexOf(':') < 0 ? s.length() : s.indexOf(':'))).toList();
    }
}
