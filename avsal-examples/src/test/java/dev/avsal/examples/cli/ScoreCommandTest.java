package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import dev.avsal.metrics.Scores;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code avsal score} against the values AIM 2024's bench.py computed (avsal-core fixtures/metrics, made by
 * tools/make_metric_fixtures.py with numpy and OpenCV), fed through files as a user would.
 */
class ScoreCommandTest {
    static final Path METRICS = CliTest.FIXTURES.resolve("metrics");
    static final Map<String, String> KEY = Map.of("SIM", "sim", "NSS", "nss", "CC", "cc", "AUCJ", "auc_judd", "KLD", "kld");
    @TempDir Path tmp;

    /** The {@code case} blocks of a fixture file: key -> token lines. */
    static Map<String, Map<String, String[]>> cases(Path file) throws Exception {
        Map<String, Map<String, String[]>> out = new LinkedHashMap<>();
        Map<String, String[]> cur = null;
        for (String line : Files.readAllLines(file)) {
            String[] t = line.strip().split("\\s+");
            if (t[0].isEmpty() || t[0].startsWith("#")) continue;
            if (t[0].equals("case")) out.put(t[1], cur = new LinkedHashMap<>());
            else if (t[0].equals("end")) cur = null;
            else if (cur != null) cur.put(t[0].equals("value") || t[0].equals("error") ? t[0] + " " + t[1] : t[0], t);
        }
        return out;
    }

    static void png(Path file, String[] t) throws Exception {
        int rows = Integer.parseInt(t[1]), cols = Integer.parseInt(t[2]);
        byte[] b = Base64.getDecoder().decode(t[3]);
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, cols, rows, b);
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void matchesBenchPyOnEveryFixtureCase() throws Exception {
        int checked = 0;
        for (String name : List.of("aim2024_bench.txt", "aim2024_bench_debian.txt")) {
            Path f = METRICS.resolve(name);
            if (!Files.exists(f)) continue;
            String flavour = Files.readString(f).contains("env ipp none") ? "no-ipp" : "ipp";
            for (var c : cases(f).entrySet()) {
                Map<String, String[]> k = c.getValue();
                Path pred = tmp.resolve(c.getKey() + "_pred.png"), gt = tmp.resolve(c.getKey() + "_gt.png");
                png(pred, k.get("pred"));
                png(gt, k.get("gt"));
                String[] fx = k.get("fix");
                int n = Integer.parseInt(fx[1]);
                StringBuilder json = new StringBuilder("[");
                for (int i = 0; i < n; i++) json.append(i == 0 ? "" : ",").append("[").append(fx[2 + 2 * i]).append(",")
                        .append(fx[3 + 2 * i]).append("]");
                Path fix = Files.writeString(tmp.resolve(c.getKey() + "_fix.json"), json.append("]"));
                Result r = CliTest.run("score", "--pred", pred.toString(), "--fixations", fix.toString(), "--density",
                        gt.toString(), "--protocol", "aim2024", "--opencv", flavour, "--json");
                Map<String, Object> doc = CliJsonSchemaTest.check("score", r);
                for (var m : KEY.entrySet()) {
                    String[] want = k.get("value " + m.getKey());
                    Object got = doc.get(m.getValue());
                    if (want == null) {
                        assertNull(got, name + " " + c.getKey() + " " + m.getKey() + ": bench.py raised, expected null");
                        continue;
                    }
                    double w = Double.parseDouble(want[2]), g = ((Number) got).doubleValue();
                    double tol = (m.getKey().equals("AUCJ") ? 1e-12 : 1e-9) * Math.max(Math.abs(w), 1e-3);
                    assertEquals(w, g, tol, name + " " + c.getKey() + " " + m.getKey());
                }
                assertNull(doc.get("sauc"), "no --other: sAUC null");
                checked++;
            }
        }
        assertTrue(checked >= 11, "fixture cases checked: " + checked);
    }

    static void npy(Path file, String dtype, int rows, int cols, double[] v) throws Exception {
        String h = "{'descr': '" + (dtype.equals("u1") ? "|" : "<") + dtype + "', 'fortran_order': False, 'shape': ("
                + rows + ", " + cols + "), }";
        while ((10 + h.length() + 1) % 64 != 0) h += " ";
        h += "\n";
        int size = dtype.equals("f8") ? 8 : dtype.equals("f4") ? 4 : 1;
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + v.length * size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0)
                .putShort((short) h.length()).put(h.getBytes(StandardCharsets.ISO_8859_1));
        for (double d : v) {
            if (size == 8) b.putDouble(d);
            else if (size == 4) b.putFloat((float) d);
            else b.put((byte) d);
        }
        Files.write(file, b.array());
    }

    @Test
    void npyInputsAndOptionsReachTheScorer() throws Exception {
        int w = 20, h = 12;
        double[] p = new double[w * h], d = new double[w * h], fix = new double[w * h], other = new double[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = (0.5 + 0.3 * Math.sin(i * 0.37)) * (1 + i % w) / w; // in [0, 1], as STAViS expects
            d[i] = (float) Math.exp(-Math.pow(i % w - 8, 2) / 10 - Math.pow(i / w - 5, 2) / 6);
            fix[i] = i % 17 == 3 ? 1 : 0;
            other[i] = i % 13 == 5 && fix[i] == 0 ? 1 : 0;
        }
        Path pf = tmp.resolve("p.npy"), df = tmp.resolve("d.npy"), ff = tmp.resolve("f.npy"), of = tmp.resolve("o.npy");
        npy(pf, "f8", h, w, p);
        npy(df, "f4", h, w, d);
        npy(ff, "u1", h, w, fix);
        npy(of, "u1", h, w, other);
        for (String protocol : List.of("mit", "stavis")) {
            for (String jitter : List.of("on", "off")) {
                Result r = CliTest.run("score", "--pred", pf.toString(), "--fixations", ff.toString(), "--density",
                        df.toString(), "--other", of.toString(), "--protocol", protocol, "--jitter", jitter, "--seed", "5", "--json");
                Map<String, Object> doc = CliJsonSchemaTest.check("score", r);
                Scores want = Scorer.of(protocol.equals("mit") ? Protocol.MIT : Protocol.STAVIS).withSeed(5)
                        .withJitter(jitter.equals("on")).score(Map2D.of(w, h, p), Map2D.of(w, h, d),
                                Fixations.fromMask(Map2D.of(w, h, fix)), Fixations.fromMask(Map2D.of(w, h, other)));
                double[] a = want.toArray();
                List<String> keys = List.of("cc", "nss", "sim", "kld", "auc_judd", "auc_borji", "sauc");
                for (int i = 0; i < a.length; i++) {
                    assertFalse(Double.isNaN(a[i]), protocol + " " + keys.get(i) + " is defined here");
                    assertEquals(a[i], ((Number) doc.get(keys.get(i))).doubleValue(), 0.0, protocol + " " + jitter + " " + keys.get(i));
                }
            }
        }
        // an 8-bit PNG prediction under stavis is read as im2double does: levels / 255
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        double[] unit = new double[w * h];
        for (int i = 0; i < unit.length; i++) {
            int level = (int) Math.round(255 * p[i]);
            img.getRaster().setSample(i % w, i / w, 0, level);
            unit[i] = level / 255.0;
        }
        Path png = tmp.resolve("p.png");
        ImageIO.write(img, "png", png.toFile());
        Map<String, Object> st = CliJsonSchemaTest.check("score", CliTest.run("score", "--pred", png.toString(),
                "--fixations", ff.toString(), "--density", df.toString(), "--protocol", "stavis", "--json"));
        Scores ws = Scorer.of(Protocol.STAVIS).score(Map2D.of(w, h, unit), Map2D.of(w, h, d),
                Fixations.fromMask(Map2D.of(w, h, fix)), null);
        assertEquals(ws.cc(), ((Number) st.get("cc")).doubleValue(), 0.0);
        assertEquals(ws.nss(), ((Number) st.get("nss")).doubleValue(), 0.0);

        // without a density CC/SIM/KLD are null; the text form prints n/a
        Map<String, Object> doc = CliJsonSchemaTest.check("score", CliTest.run("score", "--pred", pf.toString(),
                "--fixations", ff.toString(), "--json"));
        assertNull(doc.get("cc"));
        assertNotNull(doc.get("nss"));
        Result text = CliTest.run("score", "--pred", pf.toString(), "--fixations", ff.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("CC     n/a") && text.out().contains("NSS    " + String.format(java.util.Locale.ROOT,
                "%.6f", ((Number) doc.get("nss")).doubleValue())), text.out());
    }

    @Test
    void badInputNamesTheFile() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        Path ok = tmp.resolve("ok.npy");
        npy(ok, "f4", 4, 5, new double[20]);
        Result r = CliTest.run("score", "--pred", bad.toString(), "--fixations", ok.toString());
        assertEquals(AvSalCli.EXIT_INPUT, r.code());
        assertTrue(r.err().contains("bad.npy") && r.err().contains("not a .npy"), r.err());
        r = CliTest.run("score", "--pred", tmp.resolve("missing.png").toString(), "--fixations", ok.toString());
        assertEquals(AvSalCli.EXIT_INPUT, r.code());
        assertTrue(r.err().contains("missing.png"), r.err());
        Path fix = Files.writeString(tmp.resolve("f.json"), "[[1, 2], [9, 9]]");
        r = CliTest.run("score", "--pred", ok.toString(), "--fixations", fix.toString());
        assertEquals(AvSalCli.EXIT_INPUT, r.code());
        assertTrue(r.err().contains("f.json") && r.err().contains("[9, 9] outside the 5x4 grid"), r.err());
        npy(tmp.resolve("big.npy"), "f4", 5, 5, new double[25]);
        r = CliTest.run("score", "--pred", ok.toString(), "--fixations", tmp.resolve("big.npy").toString(), "--density", ok.toString());
        assertEquals(AvSalCli.EXIT_INPUT, r.code());
        assertTrue(r.err().contains("differs"), r.err());
        r = CliTest.run("score", "--pred", ok.toString(), "--fixations", ok.toString(), "--protocol", "nope");
        assertEquals(AvSalCli.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("nope"), r.err());
    }
}
