package dev.avsal.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.AvSalPredictor;
import dev.avsal.Frame;
import dev.avsal.SaliencyMap;
import dev.avsal.SaliencySession;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metric;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import dev.avsal.metrics.Scores;
import dev.avsal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    static final int FRAMES = 4;
    @TempDir Path tmp;

    /** v1: the ground truth itself (1-based PNG names); v2: per-frame float32 .npy (0-based names); v3: a float64 stack. */
    static Path writePredictions(Path pred) throws Exception {
        Path d1 = Files.createDirectories(pred.resolve("v1")), d2 = Files.createDirectories(pred.resolve("v2"));
        double[] stack = new double[FRAMES * EvalData.W * EvalData.H];
        for (int k = 0; k < FRAMES; k++) {
            EvalData.png8(d1.resolve(String.format("%04d.png", k + 1)), EvalData.truth(1, k));
            EvalData.npy(d2.resolve(String.format("frame_%06d.npy", k)), "f4", new int[] {EvalData.H, EvalData.W}, v2(k));
            System.arraycopy(v3(k), 0, stack, k * EvalData.W * EvalData.H, EvalData.W * EvalData.H);
        }
        EvalData.npy(pred.resolve("v3.npy"), "f8", new int[] {FRAMES, EvalData.H, EvalData.W}, stack);
        return pred;
    }

    /** v2's prediction: v1's ground truth (the wrong place) plus a ramp, rounded to float32 as stored. */
    static double[] v2(int k) {
        int[] t = EvalData.truth(1, k);
        double[] d = new double[t.length];
        for (int i = 0; i < d.length; i++) d[i] = (float) (t[i] / 255.0 + 0.01 * (i % EvalData.W));
        return d;
    }

    /** v3's prediction: a wider blob at the right place. */
    static double[] v3(int k) {
        double[] d = new double[EvalData.W * EvalData.H];
        for (int i = 0; i < d.length; i++) {
            double d2 = Math.pow(i / EvalData.W - EvalData.peakRow(3, k), 2) + Math.pow(i % EvalData.W - EvalData.peakCol(3, k), 2);
            d[i] = Math.exp(-d2 / 60);
        }
        return d;
    }

    static double pearson(double[] a, int[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.length;
        mb /= a.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** MIT NSS: the map standardised with MATLAB's std (n-1), averaged over the fixated pixels. */
    static double nss(double[] p, int[][] fix) {
        double m = 0, s = 0;
        for (double v : p) m += v;
        m /= p.length;
        for (double v : p) s += (v - m) * (v - m);
        s = Math.sqrt(s / (p.length - 1));
        double sum = 0;
        for (int[] f : fix) sum += (p[f[0] * EvalData.W + f[1]] - m) / s;
        return sum / fix.length;
    }

    @Test
    void meansDropNanMetricByMetric() {
        Scores m = Evaluation.nanMean(List.of(new Scores(Double.NaN, 1, 1, 1, 1, 1, Double.NaN),
                new Scores(0.2, 3, 1, 1, 1, 1, Double.NaN), new Scores(0.4, 2, 1, 1, 1, 1, Double.NaN)));
        assertEquals(0.3, m.cc(), 1e-15);
        assertEquals(2.0, m.nss(), 0.0);
        assertTrue(Double.isNaN(m.sauc()));
    }

    @Test
    void savedPredictionsMatchIndependentValues() throws Exception {
        Path root = tmp.resolve("data");
        EvalData.write(root, 3, FRAMES);
        Path pred = writePredictions(tmp.resolve("pred"));
        List<long[]> progress = new ArrayList<>();
        Evaluation e = Evaluator.builder().setDataset(Datasets.open(root)).setPredictions(pred)
                .optProgress((v, i, n, done, total) -> progress.add(new long[] {i, n, done, total})).build().run();
        assertEquals("all", e.split());
        assertEquals(3 * FRAMES, e.frames().size());
        assertEquals(3 * FRAMES, progress.size());
        assertArrayEquals(new long[] {2, 3, 3 * FRAMES, 3 * FRAMES}, progress.get(progress.size() - 1));
        for (Evaluation.FrameScore f : e.frames()) {
            int n = Integer.parseInt(f.video().substring(1)), k = f.frame();
            Scores s = f.scores();
            double[] p = switch (n) {
                case 1 -> java.util.Arrays.stream(EvalData.truth(1, k)).asDoubleStream().toArray();
                case 2 -> v2(k);
                default -> v3(k);
            };
            assertEquals(pearson(p, EvalData.truth(n, k)), s.cc(), 1e-9, f.toString());
            assertEquals(nss(p, EvalData.fixations(n, k)), s.nss(), 1e-9, f.toString());
            if (n == 1) {
                assertEquals(1.0, s.cc(), 1e-12);
                assertEquals(1.0, s.sim(), 1e-12);
                assertEquals(0.0, s.kld(), 1e-9);
            } else {
                assertTrue(s.cc() < 0.99, f.toString());
            }
        }
        // per video = mean of its frames; aggregate = mean of the videos
        double aggCc = 0;
        for (Evaluation.VideoScore v : e.videos()) {
            for (Metric m : Metric.values()) {
                double mean = e.frames().stream().filter(f -> f.video().equals(v.video())).mapToDouble(f -> f.scores().get(m))
                        .average().orElseThrow();
                assertEquals(mean, v.mean().get(m), 1e-12, v.video() + " " + m);
            }
            aggCc += v.mean().cc() / 3;
        }
        assertEquals(aggCc, e.aggregate().cc(), 1e-12);
        assertTrue(e.videos().get(1).mean().cc() < e.videos().get(2).mean().cc(), "the blob at the wrong place scores lower");

        // writers
        Path out = tmp.resolve("out");
        e.writeFramesCsv(out.resolve("frames.csv"), false);
        e.writeVideosCsv(out.resolve("videos.csv"), false);
        e.writeJson(out.resolve("evaluation.json"), false);
        List<String> rows = Files.readAllLines(out.resolve("frames.csv"));
        assertEquals("video,frame,cc,nss,sim,kld,auc_judd,auc_borji,sauc", rows.get(0));
        assertEquals(1 + 3 * FRAMES, rows.size());
        assertEquals(e.frames().get(5).scores().cc(), Double.parseDouble(rows.get(6).split(",")[2]), 0.0);
        List<String> vrows = Files.readAllLines(out.resolve("videos.csv"));
        assertEquals(5, vrows.size());
        assertTrue(vrows.get(4).startsWith("ALL," + 3 * FRAMES + "," + e.aggregate().cc()), vrows.get(4));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(out.resolve("evaluation.json"));
        assertEquals(e.aggregate().cc(), ((Number) ((Map<?, ?>) json.get("aggregate")).get("cc")).doubleValue(), 0.0);
        assertEquals(3, ((List<?>) json.get("videos")).size());
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> e.writeJson(out.resolve("evaluation.json"), false));
        e.writeJson(out.resolve("evaluation.json"), true);
        assertEquals(3, e.stills().size());
        assertNotNull(e.stills().get("v1").image(), "the still's frame is decoded");
        assertEquals(FRAMES / 2, e.stills().get("v1").frame());
    }

    @Test
    void stavisNegativesAreTheVideosOtherFrames() throws Exception {
        Path root = tmp.resolve("data");
        EvalData.write(root, 3, FRAMES);
        Path pred = writePredictions(tmp.resolve("pred"));
        SaliencyDataset d = Datasets.open(root);
        Scorer scorer = Scorer.of(Protocol.STAVIS).withSeed(7);
        Evaluation e = Evaluator.builder().setDataset(d).setPredictions(pred).optScorer(scorer).optStills(false).build().run();
        assertEquals(Protocol.STAVIS, e.protocol());
        assertTrue(e.stills().isEmpty());
        AnnotatedVideo v3 = d.videos("all").get(2);
        List<Fixations> fix = new ArrayList<>();
        for (int k = 0; k < FRAMES; k++) fix.add(v3.fixations(k));
        for (int k = 0; k < FRAMES; k++) {
            Scores want = scorer.score(Map2D.of(EvalData.W, EvalData.H, v3(k)), v3.density(k), fix.get(k),
                    Fixations.stavisNegatives(fix, k));
            Scores got = e.frames().get(2 * FRAMES + k).scores();
            assertEquals(want, got);
            assertFalse(Double.isNaN(got.sauc()));
        }
        // v1's 8-bit PNG predictions are read as im2double does (levels / 255); raw levels would clip in STAViS
        AnnotatedVideo v1 = d.videos("all").get(0);
        List<Fixations> f1 = new ArrayList<>();
        for (int k = 0; k < FRAMES; k++) f1.add(v1.fixations(k));
        double[] unit = java.util.Arrays.stream(EvalData.truth(1, 1)).asDoubleStream().map(x -> x / 255).toArray();
        double[] raw = java.util.Arrays.stream(EvalData.truth(1, 1)).asDoubleStream().toArray();
        Scores want = scorer.score(Map2D.of(EvalData.W, EvalData.H, unit), v1.density(1), f1.get(1), Fixations.stavisNegatives(f1, 1));
        Scores rawScores = scorer.score(Map2D.of(EvalData.W, EvalData.H, raw), v1.density(1), f1.get(1), Fixations.stavisNegatives(f1, 1));
        assertEquals(want, e.frames().get(1).scores());
        assertNotEquals(want.cc(), rawScores.cc(), 1e-3);
    }

    @Test
    void badPredictionsNameTheFile() throws Exception {
        Path root = tmp.resolve("data");
        EvalData.write(root, 3, FRAMES);
        Path pred = writePredictions(tmp.resolve("pred"));
        SaliencyDataset d = Datasets.open(root);
        Files.delete(pred.resolve("v1/0004.png"));
        EvalException e = assertThrows(EvalException.class,
                () -> Evaluator.builder().setDataset(d).setPredictions(pred).build().run());
        assertTrue(e.getMessage().contains("v1") && e.getMessage().contains("3 predicted frames"), e.getMessage());
        EvalData.png8(pred.resolve("v1/0004.png"), EvalData.truth(1, 3));
        Files.write(pred.resolve("v2/frame_000002.npy"), new byte[] {1, 2, 3});
        e = assertThrows(EvalException.class, () -> Evaluator.builder().setDataset(d).setPredictions(pred).build().run());
        assertTrue(e.getMessage().contains("frame_000002.npy") && e.getMessage().contains("not a .npy"), e.getMessage());
        Files.delete(pred.resolve("v3.npy"));
        Files.delete(pred.resolve("v2/frame_000002.npy"));
        EvalData.npy(pred.resolve("v2/frame_000002.npy"), "f4", new int[] {EvalData.H, EvalData.W}, v2(2));
        e = assertThrows(EvalException.class, () -> Evaluator.builder().setDataset(d).setPredictions(pred).build().run());
        assertTrue(e.getMessage().contains("no predictions for video 'v3'"), e.getMessage());
        assertThrows(EvalException.class, () -> Evaluator.builder().setDataset(d).setPredictions(tmp.resolve("nothing")).build());
        assertThrows(IllegalArgumentException.class, () -> Evaluator.builder().setDataset(d).build());
    }

    @Test
    void predictorRunsOneSessionPerVideo() throws Exception {
        Path root = tmp.resolve("data");
        EvalData.write(root, 2, 3);
        SaliencyDataset d = Datasets.open(root);
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 3).build()) {
            Evaluation e = Evaluator.builder().setDataset(d).setPredictor(p).optProtocol(Protocol.AIM2024).build().run();
            assertEquals(6, e.frames().size());
            // independently: each video through a fresh session, scored frame by frame
            int row = 0;
            for (AnnotatedVideo v : d.videos("all")) {
                List<Fixations> fix = new ArrayList<>();
                for (int k = 0; k < 3; k++) fix.add(v.fixations(k));
                try (FrameStream s = v.open(p.inputHeight(), p.inputWidth()); SaliencySession session = p.open()) {
                    for (int k = 0; k < 3; k++) {
                        Frame f = s.next();
                        SaliencyMap m = session.push(f);
                        double[] vals = new double[m.width() * m.height()];
                        float[] fv = m.values();
                        for (int i = 0; i < vals.length; i++) vals[i] = fv[i];
                        Scores want = Scorer.of(Protocol.AIM2024).score(new Map2D(m.width(), m.height(), vals),
                                v.density(k), fix.get(k), Fixations.stavisNegatives(fix, k));
                        assertEquals(want, e.frames().get(row++).scores(), v.id() + " frame " + k);
                    }
                }
            }
            assertEquals(p.inputWidth(), e.stills().get("v1").image().width());
        }
    }
}
