package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.examples.EvaluatePredictions;
import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.eval.Evaluation;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code avsal evaluate} on a generated AViMoS-layout dataset (two videos, three annotated frames each). */
class EvaluateCommandTest {
    static final int W = 32, H = 20, FRAMES = 3;
    @TempDir Path tmp;

    /** Frame k of video n: a Gaussian blob at row 5+k, column 6+4k+3n, 0..255. */
    static int[] truth(int n, int k) {
        int[] v = new int[W * H];
        for (int i = 0; i < v.length; i++)
            v[i] = (int) Math.round(255 * Math.exp(-(Math.pow(i / W - 5 - k, 2) + Math.pow(i % W - 6 - 4 * k - 3 * n, 2)) / 12));
        return v;
    }

    static void png(Path f, int[] v) throws Exception {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < v.length; i++) img.getRaster().setSample(i % W, i / W, 0, v[i]);
        ImageIO.write(img, "png", f.toFile());
    }

    /** The dataset, and predictions: v1 = its ground truth, v2 = v1's ground truth (the wrong place). */
    static Path[] write(Path tmp) throws Exception {
        Path root = tmp.resolve("data"), pred = tmp.resolve("pred");
        Files.createDirectories(root.resolve("videos"));
        for (int n = 1; n <= 2; n++) {
            Files.copy(PredictCommandTest.VIDEOS.resolve("sync_h264_aac44k_stereo.mp4"), root.resolve("videos/v" + n + ".mp4"));
            Path gt = Files.createDirectories(root.resolve("saliency/v" + n)), p = Files.createDirectories(pred.resolve("v" + n));
            StringBuilder json = new StringBuilder("[");
            for (int k = 0; k < FRAMES; k++) {
                png(gt.resolve(String.format("%04d.png", k + 1)), truth(n, k));
                png(p.resolve(String.format("%04d.png", k + 1)), truth(1, k));
                json.append(k == 0 ? "" : ",").append("[[").append(5 + k).append(",").append(6 + 4 * k + 3 * n)
                        .append("],[").append(6 + k).append(",").append(4 + 4 * k + 3 * n).append("]]");
            }
            Files.createDirectories(root.resolve("fixations/v" + n));
            Files.writeString(root.resolve("fixations/v" + n + "/fixations.json"), json.append("]"));
        }
        return new Path[] {root, pred};
    }

    @Test
    @SuppressWarnings("unchecked")
    void savedPredictionsWithReport() throws Exception {
        Path[] d = write(tmp);
        Path out = tmp.resolve("out");
        String[] args = {"evaluate", "--dataset", d[0].toString(), "--predictions", d[1].toString(), "--out", out.toString(),
                "--protocol", "aim2024", "--report", "--json"};
        Result r = CliTest.run(args);
        Map<String, Object> doc = CliJsonSchemaTest.check("evaluate", r);
        assertEquals("aim2024", doc.get("protocol"));
        assertEquals(6L, ((Number) doc.get("frame_count")).longValue());
        List<Map<String, Object>> videos = (List<Map<String, Object>>) doc.get("videos");
        Map<String, Object> s1 = (Map<String, Object>) videos.get(0).get("scores"), s2 = (Map<String, Object>) videos.get(1).get("scores");
        assertEquals(1.0, (Double) s1.get("cc"), 1e-9, "a prediction equal to the ground truth");
        assertEquals(1.0, (Double) s1.get("sim"), 1e-6);
        assertTrue((Double) s2.get("cc") < 0.9, "the blob 3 columns off: " + s2);
        Map<String, Object> agg = (Map<String, Object>) doc.get("aggregate");
        for (String k : List.of("cc", "nss", "sim", "kld", "auc_judd"))
            assertEquals(((Number) s1.get(k)).doubleValue() / 2 + ((Number) s2.get(k)).doubleValue() / 2,
                    ((Number) agg.get(k)).doubleValue(), 1e-12, k);
        for (String f : List.of("frames.csv", "videos.csv", "evaluation.json", "report.html"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertEquals(7, Files.readAllLines(out.resolve("frames.csv")).size());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<tr class=\"video\"><td>v2</td>"));
        assertTrue(r.err().contains("6/6"), "progress bar on stderr: " + r.err());

        Result again = CliTest.run(args);
        assertEquals(AvSalCli.EXIT_INPUT, again.code());
        assertTrue(again.err().contains("frames.csv") && again.err().contains("--force"), again.err());
        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        assertEquals(0, CliTest.run(forced).code());

        Result missing = CliTest.run("evaluate", "--dataset", d[0].toString(), "--predictions", tmp.resolve("none").toString(),
                "--out", tmp.resolve("o2").toString());
        assertEquals(AvSalCli.EXIT_INPUT, missing.code());
        assertTrue(missing.err().contains("none"), missing.err());
        Result usage = CliTest.run("evaluate", "--dataset", d[0].toString(), "--predictions", d[1].toString(), "--weights", "w");
        assertEquals(AvSalCli.EXIT_USAGE, usage.code());

        Evaluation e = EvaluatePredictions.evaluate(d[0], d[1], tmp.resolve("example"));
        assertEquals(((Number) agg.get("cc")).doubleValue(), e.aggregate().cc(), 1e-12, "the example uses aim2024 too");
        assertTrue(Files.exists(tmp.resolve("example/report.html")));
    }

    @Test
    void randomTinyModel() throws Exception {
        Path[] d = write(tmp);
        Result r = CliTest.run("evaluate", "--dataset", d[0].toString(), "--preset", "avsal-r-tiny", "--random-seed", "1",
                "--out", tmp.resolve("out").toString(), "--protocol", "stavis", "--json");
        Map<String, Object> doc = CliJsonSchemaTest.check("evaluate", r);
        assertEquals(6L, ((Number) doc.get("frame_count")).longValue());
        assertEquals("stavis", doc.get("protocol"));
        Result text = CliTest.run("evaluate", "--dataset", d[0].toString(), "--preset", "avsal-r-tiny", "--random-seed", "1",
                "--out", tmp.resolve("out2").toString(), "--protocol", "stavis");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("avimos / all, stavis: 2 videos, 6 frames"), text.out());
    }
}
