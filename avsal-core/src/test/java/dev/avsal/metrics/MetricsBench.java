package dev.avsal.metrics;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * Timing of all seven metrics on a 1080p map with 50 fixations, on the calling thread (the metrics never
 * start threads). Run after {@code mvn -o -q -pl avsal-core test-compile}:
 * {@code java -cp avsal-core/target/classes:avsal-core/target/test-classes dev.avsal.metrics.MetricsBench [scorer]}.
 * With {@code scorer} it times only what Scorer runs, in a JVM that has seen nothing else (the headline: the full
 * table calls the kernels in every pattern, and the JIT's shared profile then slows some of them by 10-30%).
 * Prints the median of 15 timed runs after 5 warm-up runs, in milliseconds, then the exact kernels again as
 * thread CPU time, best of 40 runs (steadier than wall time on a shared machine), ending with the exact five
 * computed in Scorer's two passes. Not a test: no timing assertions.
 */
public final class MetricsBench {
    /** Scorer computing only the exact five (MIT, no jitter, no AUC-Borji or sAUC). */
    static final Scorer EXACT_FIVE = Scorer.of(Protocol.MIT).withJitter(false).withAucBorjiAndShuffled(false);

    public static void main(String[] args) {
        int w = 1920, h = 1080;
        Map2D pred = RefGen.map(new String[] {"smooth", "" + h, "" + w, "1234567", "0.37", "0.61", "0.05", "0.25"});
        Map2D gt = RefGen.map(new String[] {"smooth", "" + h, "" + w, "7654321", "0.55", "0.42", "0.08", "0.1"});
        Fixations fix = RefGen.fixations(h, w, 1111111, 50, 0.37, 0.61, 0.5);
        Fixations neg = RefGen.fixations(h, w, 2222222, 1000, 0.5, 0.5, 0.8);
        Map2D half = Resize.matlabBicubic(pred, w / 2, h / 2);
        System.out.printf("1080p (%dx%d), %d fixations, %d negatives, single thread, %s%n", w, h, fix.count(),
                neg.count(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        if (args.length > 0 && args[0].equals("scorer")) {
            // what an application that scores frames sees: a JVM whose JIT profile holds only Scorer's calls
            System.out.println("thread CPU time, best of 40, fresh JVM, Scorer's call patterns only:");
            cpu("= exact five, as Scorer (CPU)", () -> EXACT_FIVE.score(pred, gt, fix, null).cc());
            cpu("Scorer MIT, no jitter, no sAUC", () -> Scorer.of(Protocol.MIT).withJitter(false).score(pred, gt, fix, null).cc());
            cpu("Scorer MIT, all seven", () -> Protocol.MIT.score(pred, gt, fix, neg).cc());
            return;
        }
        double exact = 0;
        exact += time("CC", () -> Metrics.cc(pred, gt));
        exact += time("NSS", () -> Metrics.nss(pred, fix));
        exact += time("SIM", () -> Metrics.similarity(pred, gt));
        exact += time("KLD", () -> Metrics.kld(pred, gt));
        exact += time("AUC-Judd (jitter)", () -> Metrics.aucJudd(pred, fix, true, 1));
        time("AUC-Judd (no jitter)", () -> Metrics.aucJudd(pred, fix, false, 1));
        System.out.printf("%-34s %8.2f ms%n", "= exact five, separate calls", exact);
        double b = time("AUC-Borji (100 splits)", () -> Metrics.aucBorji(pred, fix, 1));
        double s = time("sAUC (100 splits)", () -> Metrics.aucShuffled(pred, fix, neg, 1));
        System.out.printf("%-34s %8.2f ms%n", "= AUC-Borji + sAUC", b + s);
        double[] pd = pred.data(), gd = gt.data();
        Core.Stats sp = Core.stats(pd, "p"), sg = Core.stats(gd, "g");
        int[] fx = fix.uniquePixels();
        time("  kernel: joint stats pass", () -> Core.jointStats(pd, gd, new Core.Stats(), new Core.Stats()));
        time("  kernel: SIM+KLD pass", () -> Core.simKld(pd, gd, Core.mitSimNormaliser(sp), Core.mitSimNormaliser(sg),
                Core.mitKldFactor(sp), Core.mitKldFactor(sg), Core.MATLAB_EPS, true, true, null)[1]);
        time("  kernel: AUC-Judd count, no jitter", () -> Core.mitAucJudd(pd, sp, fx, null));
        time("  kernel: AUC-Judd count, jitter", () -> Core.mitAucJudd(pd, sp, fx, Randomness.seeded(1)));
        time("Scorer MIT, no jitter, no sAUC", () -> Scorer.of(Protocol.MIT).withJitter(false).score(pred, gt, fix, null).cc());
        time("Scorer MIT, all seven", () -> Protocol.MIT.score(pred, gt, fix, neg).cc());
        time("Scorer AIM2024, all seven", () -> Protocol.AIM2024.score(pred, gt, fix, neg).cc());
        time("Scorer STAViS, all seven", () -> Protocol.STAVIS.score(pred, gt, fix, neg).cc());
        time("MIT with 960x540 prediction", () -> Protocol.MIT.score(half, gt, fix, neg).cc());
        time("Resize.matlabBicubic 960x540->1080p", () -> Resize.matlabBicubic(half, w, h).data()[0]);
        time("Resize.opencvBilinear IPP 960x540->1080p", () -> Resize.opencvBilinear(half, w, h, OpenCvFlavor.IPP).data()[0]);
        time("Resize.opencvBilinear NO_IPP 960x540->1080p", () -> Resize.opencvBilinear(half, w, h, OpenCvFlavor.NO_IPP).data()[0]);
        System.out.println("thread CPU time, best of 40 (the exact five as Scorer computes them, shared passes):");
        cpu("  joint stats (CC, stats for all)", () -> Core.jointStats(pd, gd, new Core.Stats(), new Core.Stats()));
        cpu("  SIM+KLD", () -> Core.simKld(pd, gd, Core.mitSimNormaliser(sp), Core.mitSimNormaliser(sg),
                Core.mitKldFactor(sp), Core.mitKldFactor(sg), Core.MATLAB_EPS, true, true, null)[1]);
        cpu("  SIM+KLD with AUC-Judd tally", () -> {
            Core.ThresholdCounter judd = Core.mitJuddCounter(pd, sp, fx, null);
            return Core.simKld(pd, gd, Core.mitSimNormaliser(sp), Core.mitSimNormaliser(sg), Core.mitKldFactor(sp),
                    Core.mitKldFactor(sg), Core.MATLAB_EPS, true, true, judd)[1] + judd.area(pd.length - fx.length);
        });
        cpu("  AUC-Judd alone, no jitter", () -> Core.mitAucJudd(pd, sp, fx, null));
        cpu("= exact five, as Scorer (CPU)", () -> EXACT_FIVE.score(pred, gt, fix, null).cc());
    }


    static double cpu(String label, DoubleSupplier f) {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 8; i++) sink += f.getAsDouble();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 40; i++) {
            long c0 = t.getCurrentThreadCpuTime();
            sink += f.getAsDouble();
            best = Math.min(best, (t.getCurrentThreadCpuTime() - c0) / 1e6);
        }
        System.out.printf("%-34s %8.2f ms%n", label, best);
        return best;
    }

    static double sink;

    static double time(String label, DoubleSupplier f) {
        for (int i = 0; i < 5; i++) sink += f.getAsDouble();
        double[] t = new double[15];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            sink += f.getAsDouble();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        System.out.printf("%-34s %8.2f ms%n", label, t[t.length / 2]);
        return t[t.length / 2];
    }
}
