package dev.avsal.examples.bench;

import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Scoring one 1080p frame on the calling thread (the metrics never start threads): a prediction and a ground-truth
 * density made of a Gaussian blob plus uniform pixel noise (noise makes every branch on pixel values unpredictable,
 * the hard case), 50 fixations around the blob and 1,000 negatives for sAUC. Thread CPU time, best of the timed
 * runs after the warm-up.
 */
public final class ScoringBench {
    private ScoringBench() {}

    private static final int W = 1920, H = 1080;

    /**
     * Rows of ms per frame. A frame takes milliseconds, so each row warms up with 10 x {@code warmup} calls (the JIT
     * needs about 15) and reports the best of 4 x {@code reps} timed calls.
     */
    public static List<CheckpointBench.Row> run(int warmup, int reps) {
        SplittableRandom r = new SplittableRandom(11);
        Map2D pred = blob(r, 0.37, 0.61, 0.05, 0.25), gt = blob(r, 0.55, 0.42, 0.08, 0.1);
        Fixations fix = points(r, 50, 0.37, 0.61, 0.25), neg = points(r, 1000, 0.5, 0.5, 0.4);
        int w = 10 * warmup, n = 4 * reps;
        List<CheckpointBench.Row> rows = new ArrayList<>();
        Scorer exact = Scorer.of(Protocol.MIT).withJitter(false).withAucBorjiAndShuffled(false);
        rows.add(row("metrics: exact five, MIT (ms/frame)", w, n, () -> exact.score(pred, gt, fix, null),
                "CC NSS SIM KLD AUC-Judd without jitter, 1080p, 50 fixations, 1 thread; goal <= 20"));
        rows.add(row("metrics: all seven, MIT (ms/frame)", w, n, () -> Scorer.of(Protocol.MIT).score(pred, gt, fix, neg),
                "with jitter; AUC-Borji and sAUC 100 splits each"));
        rows.add(row("metrics: all seven, AIM 2024 (ms/frame)", w, n, () -> Scorer.of(Protocol.AIM2024).score(pred, gt, fix, neg),
                "bench.py: min-max normalised maps"));
        rows.add(row("metrics: all seven, STAViS (ms/frame)", w, n, () -> Scorer.of(Protocol.STAVIS).score(pred, gt, fix, neg),
                "includes the sigma 2 blur of the prediction"));
        return rows;
    }

    private static CheckpointBench.Row row(String what, int warmup, int reps, Supplier<Object> scoring, String note) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Object sink = null;
        for (int i = 0; i < warmup; i++) sink = scoring.get();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < reps; i++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            sink = scoring.get();
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / 1e6);
        }
        if (sink == null) throw new IllegalStateException("no scores");
        return new CheckpointBench.Row(what, String.format("%.1f", best), note + "; best of " + reps);
    }

    private static Map2D blob(SplittableRandom r, double cy, double cx, double spread, double noise) {
        double[] m = new double[W * H];
        double s2 = spread * W * H;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double dy = y - cy * H, dx = x - cx * W;
                m[y * W + x] = noise * r.nextDouble() + 1 / (1 + (dy * dy + dx * dx) / s2);
            }
        }
        return Map2D.of(W, H, m);
    }

    private static Fixations points(SplittableRandom r, int count, double cy, double cx, double spread) {
        int[] xs = new int[count], ys = new int[count];
        for (int i = 0; i < count; i++) {
            xs[i] = (int) Math.max(0, Math.min(W - 1, (cx + spread * r.nextGaussian()) * W));
            ys[i] = (int) Math.max(0, Math.min(H - 1, (cy + spread * r.nextGaussian()) * H));
        }
        return Fixations.of(W, H, xs, ys);
    }
}
