package dev.avsal.metrics;

/**
 * The seven saliency metrics with the semantics of the MIT saliency benchmark code (cvzoya/saliency,
 * {@code code_forMetrics}), in double precision. Each call first resizes the prediction to the ground-truth
 * grid with {@link Resize#matlabBicubic} when the sizes differ. Fixations are read as MIT's binary fixation map:
 * several fixations on one pixel count once.
 *
 * <p>NaN where MIT gives NaN:
 * <ul>
 * <li>CC, NSS: a constant prediction (std 0), also a 1×1 map; CC also for a constant ground truth;
 *     NSS with no fixations (mean of nothing).</li>
 * <li>SIM: a constant non-zero map (0/0 in the min-max normalisation); an all-zero map stays zero instead.</li>
 * <li>KLD: never for valid non-negative maps (an all-zero map is left unnormalised); a prediction with
 *     negative values makes MATLAB return a complex number, here NaN.</li>
 * <li>AUC-Judd: no fixations; a constant prediction without jitter (with jitter it scores about 0.5).</li>
 * <li>AUC-Borji: at most one fixated pixel; a constant prediction.</li>
 * <li>sAUC: no fixations, no negatives, or a constant prediction.</li>
 * </ul>
 * Randomised metrics (AUC-Judd's 1e-7 jitter, AUC-Borji's and sAUC's negative draws) are reproducible for a
 * seed but cannot replay MATLAB's random stream: they agree with the reference in distribution.
 *
 * <p>Inputs must be finite ({@link IllegalArgumentException} otherwise). Stateless and thread-safe.
 */
public final class Metrics {
    private Metrics() {}

    /** MIT's defaults for AUC-Borji and sAUC. */
    public static final int SPLITS = 100;
    public static final double STEP = 0.1;

    /** Pearson's linear correlation coefficient (CC.m). */
    public static double cc(Map2D prediction, Map2D groundTruth) {
        double[] p = resized(prediction, groundTruth.width(), groundTruth.height());
        Core.Stats sp = new Core.Stats(), sg = new Core.Stats();
        double cross = Core.jointStats(p, groundTruth.data(), sp, sg);
        return Core.mitCc(sp, sg, cross);
    }

    /** Normalized scanpath saliency (NSS.m): mean z-score (sample std) at the fixated pixels. */
    public static double nss(Map2D prediction, Fixations fixations) {
        double[] p = resized(prediction, fixations.width(), fixations.height());
        return Core.mitNss(p, Core.stats(p, "prediction"), fixations.uniquePixels());
    }

    /** Similarity / histogram intersection (similarity.m). */
    public static double similarity(Map2D prediction, Map2D groundTruth) {
        double[] p = resized(prediction, groundTruth.width(), groundTruth.height());
        Core.Stats sp = new Core.Stats(), sg = new Core.Stats();
        Core.jointStats(p, groundTruth.data(), sp, sg);
        return Core.mitSim(p, groundTruth.data(), sp, sg);
    }

    /** KL divergence of the prediction from the ground truth (KLdiv.m), eps = 2.220446049250313e-16. */
    public static double kld(Map2D prediction, Map2D groundTruth) {
        double[] p = resized(prediction, groundTruth.width(), groundTruth.height());
        Core.Stats sp = new Core.Stats(), sg = new Core.Stats();
        Core.jointStats(p, groundTruth.data(), sp, sg);
        return Core.mitKld(p, groundTruth.data(), sp, sg);
    }

    /**
     * AUC-Judd (AUC_Judd.m). With {@code jitter} every pixel gets uniform noise in [0, 1e-7) before
     * normalisation, drawn from {@code seed}; without it the result is exact and ties count together.
     */
    public static double aucJudd(Map2D prediction, Fixations fixations, boolean jitter, long seed) {
        double[] p = resized(prediction, fixations.width(), fixations.height());
        return Core.mitAucJudd(p, Core.stats(p, "prediction"), fixations.uniquePixels(),
                jitter ? Randomness.seeded(seed) : null);
    }

    /** AUC-Borji (AUC_Borji.m) with 100 splits and step 0.1. */
    public static double aucBorji(Map2D prediction, Fixations fixations, long seed) {
        return aucBorji(prediction, fixations, SPLITS, STEP, seed);
    }

    /** AUC-Borji: negatives are as many uniformly drawn pixels as fixated pixels, per split. */
    public static double aucBorji(Map2D prediction, Fixations fixations, int splits, double step, long seed) {
        checkSplits(splits, step);
        double[] p = resized(prediction, fixations.width(), fixations.height());
        return Core.mitAucBorji(p, Core.stats(p, "prediction"), fixations.uniquePixels(), splits, step,
                Randomness.seeded(seed));
    }

    /** Shuffled AUC (AUC_shuffled.m) with 100 splits and step 0.1. */
    public static double aucShuffled(Map2D prediction, Fixations fixations, Fixations negatives, long seed) {
        return aucShuffled(prediction, fixations, negatives, SPLITS, STEP, seed);
    }

    /**
     * Shuffled AUC: negatives are min(N, |negatives|) of the pixels fixated in {@code negatives} (the union of
     * other images' fixations, MIT's {@code otherMap}), drawn afresh per split.
     */
    public static double aucShuffled(Map2D prediction, Fixations fixations, Fixations negatives, int splits,
                                     double step, long seed) {
        checkSplits(splits, step);
        fixations.checkSameGrid(negatives, "shuffled AUC negatives");
        double[] p = resized(prediction, fixations.width(), fixations.height());
        return Core.mitAucShuffled(p, Core.stats(p, "prediction"), fixations.uniquePixels(),
                negatives.uniquePixels(), splits, step, Randomness.seeded(seed));
    }

    private static double[] resized(Map2D prediction, int w, int h) {
        if (prediction == null) throw new IllegalArgumentException("prediction is null");
        return Resize.matlabBicubic(prediction, w, h).data();
    }

    private static void checkSplits(int splits, double step) {
        if (splits <= 0) throw new IllegalArgumentException("splits must be positive, got " + splits);
        if (!(step > 0) || Double.isInfinite(step)) throw new IllegalArgumentException("step must be positive, got " + step);
    }
}
