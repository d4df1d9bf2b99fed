package dev.avsal.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader of the line-based reference files under fixtures/metrics (written by tools/metrics_octave_reference.m
 * and tools/make_metric_fixtures.py): {@code case NAME} … {@code end} blocks of {@code key tokens…} lines, plus
 * free-standing lines. '#' starts a comment line.
 */
final class RefData {
    /** One case: its lines by key (a key may repeat, e.g. probe/value). */
    static final class Case {
        final String name;
        final Map<String, List<String[]>> lines = new LinkedHashMap<>();

        Case(String name) { this.name = name; }

        String[] one(String key) {
            List<String[]> l = lines.get(key);
            if (l == null || l.size() != 1) throw new IllegalStateException(name + ": expected one '" + key + "' line");
            return l.get(0);
        }

        List<String[]> all(String key) { return lines.getOrDefault(key, List.of()); }

        boolean has(String key) { return lines.containsKey(key); }

        /** "value NAME x" lines as a map; a complex value maps to NaN (Java's log of a negative number). */
        Map<String, Double> values() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String[] t : all("value")) m.put(t[0], t[1].equals("complex") ? Double.NaN : num(t[1]));
            return m;
        }

        boolean isComplex(String metric) {
            return all("value").stream().anyMatch(t -> t[0].equals(metric) && t[1].equals("complex"));
        }
    }

    final Map<String, Case> cases = new LinkedHashMap<>();
    /** Lines outside cases, by key. */
    final Map<String, List<String[]>> free = new LinkedHashMap<>();

    static RefData load(String resource) throws IOException {
        try (InputStream in = RefData.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static RefData parse(String text) {
        RefData d = new RefData();
        Case cur = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] tok = line.split("\\s+");
            String key = tok[0];
            String[] rest = Arrays.copyOfRange(tok, 1, tok.length);
            if (key.equals("case")) {
                cur = new Case(rest[0]);
                d.cases.put(cur.name, cur);
            } else if (key.equals("end")) {
                cur = null;
            } else if (cur != null) {
                cur.lines.computeIfAbsent(key, k -> new ArrayList<>()).add(rest);
            } else {
                d.free.computeIfAbsent(key, k -> new ArrayList<>()).add(rest);
            }
        }
        return d;
    }

    static double num(String s) {
        return switch (s) {
            case "NaN", "nan" -> Double.NaN;
            case "Inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
