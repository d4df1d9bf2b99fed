package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CLI verbs end to end on the fixtures written by PyTorch (avsal-core/src/test/resources/fixtures). */
class CliTest {
    static final Path FIXTURES = Path.of("../avsal-core/src/test/resources/fixtures");

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = AvSalCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String s) throws Exception {
        return (Map<String, Object>) Json.parse(s);
    }

    @Test
    void infoReportsCpuBuildAndWhyCudaIsAbsent() throws Exception {
        Result r = run("info", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> info = json(r.out());
        assertEquals(false, info.get("cuda_available"));
        assertTrue(((String) info.get("cuda_reason")).contains("CPU build"), info.toString());
        assertTrue(((List<?>) info.get("native_libraries")).stream().anyMatch(l -> l.toString().contains("torch")),
                info.toString());
        assertEquals("PASSIVE", info.get("omp_wait_policy"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectSafetensorsMatchesValuesWrittenByPython() throws Exception {
        Path file = FIXTURES.resolve("checkpoint/st_all_dtypes.safetensors");
        Result r = run("inspect", file.toString(), "--json", "--values");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> doc = json(r.out());
        assertEquals("safetensors", doc.get("format"));
        Map<String, Object> expected = (Map<String, Object>) json(
                Files.readString(FIXTURES.resolve("checkpoint/st_expected.json"))).get("tensors");
        List<Map<String, Object>> tensors = (List<Map<String, Object>>) doc.get("tensors");
        assertEquals(expected.size(), tensors.size());
        for (Map<String, Object> t : tensors) {
            Map<String, Object> e = (Map<String, Object>) expected.get((String) t.get("name"));
            assertEquals(e.get("dtype"), t.get("dtype"), t.get("name").toString());
            assertEquals(e.get("shape"), t.get("shape"), t.get("name").toString());
            List<Number> values = (List<Number>) e.get("values");
            List<Number> got = (List<Number>) t.get("values");
            assertEquals(values.size(), got.size());
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < values.size(); i++) {
                double v = values.get(i).doubleValue();
                assertEquals(v, got.get(i).doubleValue(), 0.0, t.get("name") + "[" + i + "]");
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            if (!values.isEmpty()) {
                assertEquals(min, ((Number) t.get("min")).doubleValue(), 0.0);
                assertEquals(max, ((Number) t.get("max")).doubleValue(), 0.0);
                assertEquals(sum / values.size(), ((Number) t.get("mean")).doubleValue(), 1e-12 * (1 + Math.abs(sum)));
            } else {
                assertEquals(null, t.get("min"));
            }
        }
        Map<String, Object> meta = (Map<String, Object>) doc.get("metadata");
        assertEquals("avsal-fixtures", meta.get("__metadata__.producer"));
    }

    @Test
    void inspectListsNestedNonTensorEntriesOfTorchSaveFiles() {
        for (String f : List.of("torch_zip.pt", "torch_legacy.pt")) {
            Result r = run("inspect", FIXTURES.resolve("checkpoint/" + f).toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("epoch = 7"), r.out());
            assertTrue(r.out().contains("state_dict.module.encoder.f16.weight"), r.out());
            assertTrue(r.out().contains("name = avsal"), r.out());
        }
    }

    @Test
    void inspectRefusesMaliciousPickleWithOneLineAndNoStackTrace() {
        Result r = run("inspect", FIXTURES.resolve("checkpoint/malicious_system.pt").toString());
        assertEquals(AvSalCli.EXIT_INPUT, r.code());
        assertTrue(r.err().contains("posix.system"), r.err());
        assertTrue(r.err().contains("malicious_system.pt"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void inspectOfMissingOrEmptyFileNamesTheFile(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.pt"));
        for (Path p : List.of(dir.resolve("missing.safetensors"), empty)) {
            Result r = run("inspect", p.toString());
            assertEquals(AvSalCli.EXIT_INPUT, r.code(), r.err());
            assertTrue(r.err().contains(p.getFileName().toString()), r.err());
        }
    }

    @Test
    void unknownVerbIsAUsageError() {
        assertEquals(2, run("frobnicate").code());
    }
}
