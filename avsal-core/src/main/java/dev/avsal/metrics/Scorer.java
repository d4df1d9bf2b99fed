package dev.avsal.metrics;

/**
 * Scores one frame under a {@link Protocol}: applies the protocol's preparation once and computes all seven
 * metrics from shared statistics. Immutable and thread-safe; every call draws its random numbers afresh from
 * the seed, so equal inputs give equal scores.
 */
public final class Scorer {
    private final Protocol protocol;
    private final long seed;
    private final boolean jitter, randomNegatives;
    private final int splits;
    private final double step;
    private final OpenCvFlavor openCv;

    private Scorer(Protocol protocol, long seed, boolean jitter, boolean randomNegatives, int splits, double step,
                   OpenCvFlavor openCv) {
        this.protocol = protocol;
        this.seed = seed;
        this.jitter = jitter;
        this.randomNegatives = randomNegatives;
        this.splits = splits;
        this.step = step;
        this.openCv = openCv;
    }

    /**
     * Defaults: seed 0, AUC-Judd jitter on (MIT, STAViS; AIM never jitters), AUC-Borji and sAUC computed with 100
     * splits, threshold step 0.1,
     * OpenCV resize of a pip (IPP) build for {@link Protocol#AIM2024}.
     */
    public static Scorer of(Protocol protocol) {
        if (protocol == null) throw new IllegalArgumentException("protocol is null");
        return new Scorer(protocol, 0, true, true, 100, 0.1, OpenCvFlavor.IPP);
    }

    /** Seed of the AUC-Judd jitter and the AUC-Borji / sAUC negative draws. */
    public Scorer withSeed(long seed) {
        return new Scorer(protocol, seed, jitter, randomNegatives, splits, step, openCv);
    }

    /** Switches the AUC-Judd jitter (MIT's {@code jitter} argument); ignored by {@link Protocol#AIM2024}. */
    public Scorer withJitter(boolean on) {
        return new Scorer(protocol, seed, on, randomNegatives, splits, step, openCv);
    }

    /**
     * Computes AUC-Borji and sAUC (the default) or leaves them NaN. Both draw {@link #splits()} random negative sets;
     * leaving them out when only the exact metrics are wanted saves about a fifth of a 1080p frame's scoring.
     */
    public Scorer withAucBorjiAndShuffled(boolean on) {
        return new Scorer(protocol, seed, jitter, on, splits, step, openCv);
    }

    /** Number of random negative sets for AUC-Borji and sAUC (MIT: 100). */
    public Scorer withSplits(int n) {
        if (n <= 0) throw new IllegalArgumentException("splits must be positive, got " + n);
        return new Scorer(protocol, seed, jitter, randomNegatives, n, step, openCv);
    }

    /** Threshold step for AUC-Borji and sAUC (MIT: 0.1). */
    public Scorer withStep(double s) {
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("step must be positive, got " + s);
        return new Scorer(protocol, seed, jitter, randomNegatives, splits, s, openCv);
    }

    /**
     * Which OpenCV build's {@code cv2.resize} {@link Protocol#AIM2024} reproduces (default {@link OpenCvFlavor#IPP},
     * the pip wheels; {@link OpenCvFlavor#NO_IPP} for a distribution's OpenCV). Ignored by MIT and STAViS, which
     * resize like MATLAB.
     */
    public Scorer withOpenCvFlavor(OpenCvFlavor flavor) {
        if (flavor == null) throw new IllegalArgumentException("OpenCV flavour is null");
        return new Scorer(protocol, seed, jitter, randomNegatives, splits, step, flavor);
    }

    public Protocol protocol() { return protocol; }
    public long seed() { return seed; }
    public boolean jitter() { return jitter; }
    public boolean aucBorjiAndShuffled() { return randomNegatives; }
    public int splits() { return splits; }
    public double step() { return step; }
    public OpenCvFlavor openCvFlavor() { return openCv; }

    /**
     * All seven metrics for one frame. The target grid is the ground-truth map's (or the fixations' when there
     * is no map); the prediction may have any size and is resized as the protocol does.
     *
     * @param prediction  predicted saliency, any size
     * @param groundTruth continuous ground-truth map, or null (CC, SIM, KLD become NaN)
     * @param fixations   fixations on the target grid, or null (NSS and the AUCs become NaN)
     * @param negatives   sAUC negatives on the same grid (fixations of other images, or for STAViS of the same
     *                    video's other frames), or null (sAUC becomes NaN)
     * @throws IllegalArgumentException on a null prediction, grids that disagree, or non-finite map values
     */
    public Scores score(Map2D prediction, Map2D groundTruth, Fixations fixations, Fixations negatives) {
        return score(prediction, groundTruth, fixations, negatives, Randomness.seeded(seed));
    }

    Scores score(Map2D prediction, Map2D groundTruth, Fixations fixations, Fixations negatives, Randomness rnd) {
        if (prediction == null) throw new IllegalArgumentException("prediction is null");
        if (groundTruth == null && fixations == null) {
            throw new IllegalArgumentException("need a ground-truth map or fixations to score against");
        }
        int w = groundTruth != null ? groundTruth.width() : fixations.width();
        int h = groundTruth != null ? groundTruth.height() : fixations.height();
        if (fixations != null && (fixations.width() != w || fixations.height() != h)) {
            throw new IllegalArgumentException("fixations grid " + fixations.width() + "x" + fixations.height()
                    + " differs from the ground-truth map " + w + "x" + h);
        }
        if (negatives != null && (negatives.width() != w || negatives.height() != h)) {
            throw new IllegalArgumentException("negatives grid " + negatives.width() + "x" + negatives.height()
                    + " differs from the target grid " + w + "x" + h);
        }
        return protocol == Protocol.AIM2024
                ? aim(prediction, groundTruth, fixations, negatives, w, h, rnd)
                : mit(prediction, groundTruth, fixations, negatives, w, h, rnd);
    }

    private Scores mit(Map2D prediction, Map2D gt, Fixations fix, Fixations neg, int w, int h, Randomness rnd) {
        Map2D pm = prediction;
        if (protocol == Protocol.STAVIS) {
            Core.stats(prediction.data(), "prediction"); // reject NaN/inf before the clipping hides them
            pm = Filters.stavisPostprocess(prediction, Filters.STAVIS_SIGMA);
            if (pm == null) return Scores.NAN;
        }
        double[] p = Resize.matlabBicubic(pm, w, h).data();
        Core.Stats sp = new Core.Stats();
        double cc = Double.NaN, sim = Double.NaN, kld = Double.NaN, judd = Double.NaN;
        int[] fixated = fix != null ? fix.uniquePixels() : null;
        boolean juddDone = false;
        if (gt != null) {
            Core.Stats sg = new Core.Stats();
            double cross = Core.jointStats(p, gt.data(), sp, sg);
            cc = Core.mitCc(sp, sg, cross);
            // AUC-Judd's thresholds are known once the extremes are, so the SIM/KLD pass tallies the pixels too
            boolean withJudd = fixated != null && fixated.length > 0;
            Core.ThresholdCounter counter = withJudd ? Core.mitJuddCounter(p, sp, fixated, jitter ? rnd : null) : null;
            double[] sk = Core.simKld(p, gt.data(), Core.mitSimNormaliser(sp), Core.mitSimNormaliser(sg),
                    Core.mitKldFactor(sp), Core.mitKldFactor(sg), Core.MATLAB_EPS, true, true, counter);
            sim = sk[0];
            kld = sk[1];
            if (counter != null) judd = counter.area(p.length - fixated.length);
            juddDone = withJudd; // a null counter: constant map, NaN
        } else {
            sp = Core.stats(p, "prediction");
        }
        double nss = Double.NaN, borji = Double.NaN, sauc = Double.NaN;
        if (fix != null) {
            nss = Core.mitNss(p, sp, fixated);
            if (!juddDone) judd = Core.mitAucJudd(p, sp, fixated, jitter ? rnd : null);
            if (randomNegatives) {
                borji = Core.mitAucBorji(p, sp, fixated, splits, step, rnd);
                if (neg != null) sauc = Core.mitAucShuffled(p, sp, fixated, neg.uniquePixels(), splits, step, rnd);
            }
        }
        return new Scores(cc, nss, sim, kld, judd, borji, sauc);
    }

    private Scores aim(Map2D prediction, Map2D gt, Fixations fix, Fixations neg, int w, int h, Randomness rnd) {
        Map2D pn = new Map2D(prediction.width(), prediction.height(), Core.aimNormalise(prediction.data(), "prediction"));
        double[] p = Resize.opencvBilinear(pn, w, h, openCv).data();
        Core.Stats sp = new Core.Stats();
        double cc = Double.NaN, sim = Double.NaN, kld = Double.NaN, judd = Double.NaN;
        int[] coords = fix != null ? fix.pixelIndices() : null;
        boolean diagonal = true;
        for (int i = 0; fix != null && i < fix.count(); i++) diagonal &= fix.x(i) == fix.y(i);
        boolean juddDone = false;
        if (gt != null) {
            double[] g = Core.aimNormalise(gt.data(), "ground-truth map");
            Core.Stats sg = new Core.Stats();
            double cross = Core.jointStats(p, g, sp, sg);
            cc = Core.aimCc(sp, sg, cross);
            Core.ThresholdCounter counter = coords != null && coords.length > 0 ? Core.aimJuddCounter(p, sp, coords) : null;
            double[] sk = Core.simKld(p, g, Core.aimSimNormaliser(sp), Core.aimSimNormaliser(sg), Core.aimKldFactor(sp),
                    Core.aimKldFactor(sg), Core.AIM_KLD_EPS, true, true, counter);
            sim = sk[0];
            kld = sk[1];
            if (counter != null) {
                judd = Core.aimJuddArea(counter, p.length, diagonal);
                juddDone = true;
            }
        } else {
            sp = Core.stats(p, "prediction");
        }
        double nss = Double.NaN, borji = Double.NaN, sauc = Double.NaN;
        if (fix != null) {
            nss = Core.aimNss(p, sp, coords);
            if (!juddDone) judd = Core.aimAucJudd(p, sp, coords, diagonal);
            if (randomNegatives) {
                int[] fixated = fix.uniquePixels();
                borji = Core.mitAucBorji(p, sp, fixated, splits, step, rnd);
                if (neg != null) sauc = Core.mitAucShuffled(p, sp, fixated, neg.uniquePixels(), splits, step, rnd);
            }
        }
        return new Scores(cc, nss, sim, kld, judd, borji, sauc);
    }
}
