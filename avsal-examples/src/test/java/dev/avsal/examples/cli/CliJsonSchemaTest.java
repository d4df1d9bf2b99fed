package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.model.WeightConverter;
import dev.avsal.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every reporting verb with {@code --json} prints exactly one JSON object on stdout (parsed by
 * {@link Json}), matching the schema in {@code src/test/resources/cli-schemas/VERB.json} (the format is described
 * in the README there).
 */
class CliJsonSchemaTest {
    /**
     * Verbs with {@code --json} whose schema their branch has not added yet (issue 8: they land separately). The
     * lead removes a verb from this set once its schema file is in cli-schemas/.
     */
    static final Set<String> JSON_VERBS_WITHOUT_SCHEMA_YET = Set.of();

    @Test
    void info() throws Exception {
        check("info", CliTest.run("info", "--json"));
    }

    @Test
    void inspectOfEveryFormat() throws Exception {
        for (String f : List.of("checkpoint/st_all_dtypes.safetensors", "checkpoint/torch_zip.pt",
                "checkpoint/torch_legacy.pt", "clip/openai_clip_tiny.pt")) {
            check("inspect", CliTest.run("inspect", CliTest.FIXTURES.resolve(f).toString(), "--json", "--values"));
        }
    }

    @Test
    void benchPreprocessing() throws Exception { // the cheap section: the rows have the same layout in every section
        Map<String, Object> doc = check("bench", CliTest.run("bench", "--section", "preprocess", "--reps", "1",
                "--warmup", "0", "--json"));
        assertEquals(3, ((List<?>) doc.get("rows")).size(), doc.toString());
    }

    @Test
    void benchMetrics() throws Exception { // timings are not asserted (speed goals live in docs/benchmarks.md)
        Map<String, Object> doc = check("bench", CliTest.run("bench", "--section", "metrics", "--reps", "1",
                "--warmup", "0", "--json"));
        List<?> rows = (List<?>) doc.get("rows");
        assertEquals(4, rows.size(), doc.toString());
        for (Object r : rows) {
            Map<?, ?> row = (Map<?, ?>) r;
            assertTrue(((String) row.get("what")).startsWith("metrics: "), row.toString());
            assertTrue(row.get("number") instanceof Number n && n.doubleValue() > 0, row.toString());
        }
    }

    @Test
    void convert(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("enc.safetensors");
        Map<String, Object> doc = check("convert", CliTest.run("convert", "--clip",
                CliTest.FIXTURES.resolve("clip/openai_clip_tiny.pt").toString(), "--imagebind",
                CliTest.FIXTURES.resolve("imagebind/imagebind_tiny_audio.pth").toString(), "-o", out.toString(),
                "--fp16", "--json"));
        assertEquals(WeightConverter.sha256(out), doc.get("sha256"));
        assertEquals("F16", doc.get("dtype"));
    }

    @Test
    void fetchOffline(@TempDir Path dir) throws Exception {
        byte[] a = FetchCommandTest.bytes(1000, 5);
        Files.write(dir.resolve("a.bin"), a);
        Path manifest = Files.writeString(dir.resolve("m.json"), "{\"a\": {\"url\": \"http://127.0.0.1:9/a.bin\","
                + " \"sha256\": \"" + FetchCommandTest.sha(a) + "\"}, \"b\": {\"url\": \"http://127.0.0.1:9/b.bin\"}}");
        Files.write(dir.resolve("b.bin"), new byte[] {1, 2, 3});
        check("fetch", CliTest.run("fetch", "--offline", "--manifest", manifest.toString(), "--dir", dir.toString(),
                "--json"));
        Files.delete(dir.resolve("a.bin"));
        Result absent = CliTest.run("fetch", "--offline", "--manifest", manifest.toString(), "--dir", dir.toString(),
                "--json");
        assertEquals(AvSalCli.EXIT_INPUT, absent.code());
        check("fetch", new Result(0, absent.out(), absent.err())); // the report is printed before the error
    }

    /** Every verb that has --json is covered here (or listed as landing separately). */
    @Test
    void everyJsonVerbHasASchema() {
        CommandLine root = new CommandLine(new AvSalCli());
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().findOption("--json") == null) continue;
            if (JSON_VERBS_WITHOUT_SCHEMA_YET.contains(e.getKey())) continue;
            if (CliJsonSchemaTest.class.getResource("/cli-schemas/" + e.getKey() + ".json") == null)
                missing.add(e.getKey());
        }
        assertTrue(missing.isEmpty(), "verbs with --json but no cli-schemas/VERB.json: " + missing);
    }

    @Test
    void theValidatorRejectsWrongTypesAndMissingKeys() throws Exception {
        Object schema = Json.parse("{\"type\": \"object\", \"required\": {\"a\": \"integer\", \"b\": {\"type\": "
                + "\"array\", \"items\": \"string\"}, \"c\": {\"type\": \"string\", \"pattern\": \"x+\"}}}");
        assertTrue(validate(Json.parse("{\"a\": 1, \"b\": [\"q\"], \"c\": \"xx\"}"), schema, "$").isEmpty());
        assertFalse(validate(Json.parse("{\"a\": 1.5, \"b\": [\"q\"], \"c\": \"xx\"}"), schema, "$").isEmpty());
        assertFalse(validate(Json.parse("{\"a\": 1, \"b\": [2], \"c\": \"xx\"}"), schema, "$").isEmpty());
        assertFalse(validate(Json.parse("{\"a\": 1, \"b\": [], \"c\": \"xy\"}"), schema, "$").isEmpty());
        assertFalse(validate(Json.parse("{\"b\": [], \"c\": \"x\"}"), schema, "$").isEmpty());
    }

    // ------------------------------------------------------------------------------------------- the validator

    @SuppressWarnings("unchecked")
    static Map<String, Object> check(String verb, Result r) throws Exception {
        assertEquals(0, r.code(), verb + ": " + r.err());
        Object doc = Json.parse(r.out().strip()); // the whole stdout: exactly one JSON value
        assertTrue(doc instanceof Map, verb + ": stdout is not one JSON object: " + r.out());
        Object schema;
        try (InputStream in = CliJsonSchemaTest.class.getResourceAsStream("/cli-schemas/" + verb + ".json")) {
            if (in == null) fail("no schema cli-schemas/" + verb + ".json");
            schema = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<String> problems = validate(doc, schema, verb);
        assertTrue(problems.isEmpty(), verb + " --json does not match its schema: " + problems + "\n" + r.out());
        return (Map<String, Object>) doc;
    }

    static List<String> validate(Object value, Object type, String path) {
        List<String> problems = new ArrayList<>();
        if (type instanceof String names) {
            if (!anyType(value, names)) problems.add(path + ": expected " + names + ", got " + describe(value));
            return problems;
        }
        Map<?, ?> t = (Map<?, ?>) type;
        if (!anyType(value, (String) t.get("type"))) {
            problems.add(path + ": expected " + t.get("type") + ", got " + describe(value));
            return problems;
        }
        if (t.get("pattern") instanceof String p && value instanceof String s && !s.matches(p))
            problems.add(path + ": '" + s + "' does not match " + p);
        if (value instanceof Map<?, ?> m) {
            for (String kind : List.of("required", "optional")) {
                if (!(t.get(kind) instanceof Map<?, ?> keys)) continue;
                for (Map.Entry<?, ?> k : keys.entrySet()) {
                    if (!m.containsKey(k.getKey())) {
                        if (kind.equals("required")) problems.add(path + ": missing key '" + k.getKey() + "'");
                        continue;
                    }
                    problems.addAll(validate(m.get(k.getKey()), k.getValue(), path + "." + k.getKey()));
                }
            }
        }
        if (value instanceof List<?> list && t.containsKey("items"))
            for (int i = 0; i < list.size(); i++) problems.addAll(validate(list.get(i), t.get("items"), path + "[" + i + "]"));
        return problems;
    }

    private static boolean anyType(Object v, String names) {
        for (String n : names.split("\\|")) {
            boolean ok = switch (n.trim()) {
                case "string" -> v instanceof String;
                case "integer" -> v instanceof Long || v instanceof Integer;
                case "number" -> v instanceof Number;
                case "boolean" -> v instanceof Boolean;
                case "array" -> v instanceof List;
                case "object" -> v instanceof Map;
                case "null" -> v == null;
                default -> throw new IllegalArgumentException("unknown schema type '" + n + "'");
            };
            if (ok) return true;
        }
        return false;
    }

    private static String describe(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
    }
}
