package dev.avsal.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge cases with closed-form answers, NaN rules, input validation and cross-API consistency. */
class EdgeCaseTest {
    static final int W = 32, H = 24, N = W * H;

    static Map2D smooth(int w, int h, long seed) {
        return RefGen.map(new String[] {"smooth", "" + h, "" + w, "" + seed, "0.37", "0.61", "0.05", "0.25"});
    }

    static Fixations fix(int w, int h, long seed, int k) { return RefGen.fixations(h, w, seed, k, 0.37, 0.61, 0.5); }

    @Test void constantPredictionIsNaNWhereMitIs() {
        Map2D c = Map2D.filled(W, H, 0.7), gt = smooth(W, H, 5);
        Fixations f = fix(W, H, 9, 12), other = fix(W, H, 10, 40);
        assertTrue(Double.isNaN(Metrics.cc(c, gt)));
        assertTrue(Double.isNaN(Metrics.nss(c, f)));
        assertTrue(Double.isNaN(Metrics.similarity(c, gt)));
        assertTrue(Double.isNaN(Metrics.aucJudd(c, f, false, 0)));
        assertTrue(Double.isNaN(Metrics.aucBorji(c, f, 0)));
        assertTrue(Double.isNaN(Metrics.aucShuffled(c, f, other, 0)));
        assertTrue(Double.isFinite(Metrics.kld(c, gt)));
        double j = Metrics.aucJudd(c, f, true, 3); // the jitter orders the pixels at random
        assertTrue(j > 0 && j < 1);
        // a 1x1 prediction is constant at any size too
        assertTrue(Double.isNaN(Metrics.cc(Map2D.of(1, 1, 0.3), gt)));
    }

    @Test void zeroPredictionStaysZero() {
        Map2D z = Map2D.filled(W, H, 0), gt = smooth(W, H, 5);
        assertEquals(0.0, Metrics.similarity(z, gt), 0.0);
        // KLD with an unnormalised zero map: sum G' log(eps + G'/eps), G' = G / sum(G)
        double s = 0, sum = 0;
        for (double g : gt.data()) sum += g;
        for (double g : gt.data()) s += g / sum * Math.log(Core.MATLAB_EPS + g / sum / Core.MATLAB_EPS);
        assertEquals(s, Metrics.kld(z, gt), 1e-12 * s);
    }

    @Test void singlePixelMapClosedForms() {
        double[] d = new double[N];
        int at = 5 * W + 7;
        d[at] = 1;
        Map2D delta = Map2D.of(W, H, d);
        Fixations one = Fixations.of(W, H, new int[] {7}, new int[] {5});
        // z-score of the lit pixel: (1 - 1/n) / sqrt(1/n) with the sample std
        assertEquals((N - 1) / Math.sqrt(N), Metrics.nss(delta, one), 1e-12);
        assertEquals(1.0, Metrics.aucJudd(delta, one, false, 0), 0.0);
        // a second fixation on a zero pixel: ROC (0,0) (0,1/2) (1,1) -> 0.75
        Fixations two = Fixations.of(W, H, new int[] {7, 0}, new int[] {5, 0});
        assertEquals(0.75, Metrics.aucJudd(delta, two, false, 0), 1e-15);
        assertTrue(Double.isNaN(Metrics.aucBorji(delta, one, 0)), "AUC-Borji needs two fixated pixels");
    }

    @Test void fixationCountRules() {
        Map2D p = smooth(W, H, 1);
        Fixations none = Fixations.none(W, H), f = fix(W, H, 9, 12);
        assertTrue(Double.isNaN(Metrics.nss(p, none)));
        assertTrue(Double.isNaN(Metrics.aucJudd(p, none, true, 0)));
        assertTrue(Double.isNaN(Metrics.aucBorji(p, none, 0)));
        assertTrue(Double.isNaN(Metrics.aucShuffled(p, f, none, 0)), "no negatives");
        assertTrue(Double.isNaN(Metrics.aucShuffled(p, none, f, 0)), "no fixations");
        // duplicates count once (MIT's binary map)
        Fixations dup = Fixations.of(W, H, new int[] {3, 3, 3, 9}, new int[] {4, 4, 4, 2});
        Fixations uniq = Fixations.of(W, H, new int[] {3, 9}, new int[] {4, 2});
        assertEquals(Metrics.nss(p, uniq), Metrics.nss(p, dup), 0.0);
        assertEquals(Metrics.aucJudd(p, uniq, true, 4), Metrics.aucJudd(p, dup, true, 4), 0.0);
    }

    @Test void negativePredictions() {
        Map2D p = smooth(W, H, 1), gt = smooth(W, H, 5);
        double[] s = p.data().clone();
        for (int i = 0; i < s.length; i++) s[i] -= 0.9;
        Map2D neg = Map2D.of(W, H, s);
        Fixations f = fix(W, H, 9, 12);
        assertEquals(Metrics.cc(p, gt), Metrics.cc(neg, gt), 1e-12);
        assertEquals(Metrics.nss(p, f), Metrics.nss(neg, f), 1e-12);
        assertEquals(Metrics.similarity(p, gt), Metrics.similarity(neg, gt), 1e-12);
        assertTrue(Double.isNaN(Metrics.kld(neg, gt)), "MATLAB's KLD is complex here");
    }

    @Test void mismatchedSizesResizeLikeMatlab() {
        Map2D small = smooth(20, 15, 2), gt = smooth(W, H, 5);
        Map2D up = Resize.matlabBicubic(small, W, H);
        assertEquals(Metrics.cc(up, gt), Metrics.cc(small, gt), 0.0);
        assertEquals(Metrics.kld(up, gt), Metrics.kld(small, gt), 0.0);
        Fixations f = fix(W, H, 9, 12);
        assertEquals(Metrics.aucBorji(up, f, 11), Metrics.aucBorji(small, f, 11), 0.0);
    }

    @Test void scorerWithoutTheRandomisedAucsKeepsTheOtherFive() {
        Map2D p = smooth(40, 30, 1), gt = smooth(W, H, 5);
        Fixations f = fix(W, H, 9, 12), other = fix(W, H, 10, 40);
        for (Protocol protocol : Protocol.values()) {
            Scores all = Scorer.of(protocol).withSeed(3).score(p, gt, f, other);
            Scores five = Scorer.of(protocol).withSeed(3).withAucBorjiAndShuffled(false).score(p, gt, f, other);
            assertTrue(Double.isNaN(five.aucBorji()) && Double.isNaN(five.sauc()), protocol + ": " + five);
            assertTrue(!Double.isNaN(all.aucBorji()) && !Double.isNaN(all.sauc()), protocol + ": " + all);
            assertEquals(new Scores(all.cc(), all.nss(), all.sim(), all.kld(), all.aucJudd(), Double.NaN, Double.NaN), five,
                    protocol.toString());
        }
    }

    @Test void scorerMatchesTheStaticMetrics() {
        Map2D p = smooth(40, 30, 1), gt = smooth(W, H, 5);
        Fixations f = fix(W, H, 9, 12), other = fix(W, H, 10, 40);
        Scores s = Scorer.of(Protocol.MIT).withSeed(42).score(p, gt, f, other);
        assertEquals(Metrics.cc(p, gt), s.cc(), 1e-15);
        assertEquals(Metrics.nss(p, f), s.nss(), 1e-15);
        assertEquals(Metrics.similarity(p, gt), s.sim(), 1e-15);
        assertEquals(Metrics.kld(p, gt), s.kld(), 1e-15);
        assertEquals(Metrics.aucJudd(p, f, true, 42), s.aucJudd(), 0.0);
        assertEquals(Metrics.aucBorji(p, f, 42), s.aucBorji(), 0.0);
        assertEquals(Metrics.aucShuffled(p, f, other, 42), s.sauc(), 0.0);
        assertEquals(s, Scorer.of(Protocol.MIT).withSeed(42).score(p, gt, f, other), "reproducible");
        // missing inputs give NaN for the metrics that need them
        Scores onlyMap = Protocol.MIT.score(p, gt, null, null);
        assertTrue(Double.isNaN(onlyMap.nss()) && Double.isNaN(onlyMap.sauc()) && Double.isFinite(onlyMap.cc()));
        Scores onlyFix = Protocol.MIT.score(p, null, f, null);
        assertTrue(Double.isNaN(onlyFix.cc()) && Double.isNaN(onlyFix.sauc()) && Double.isFinite(onlyFix.nss()));
    }

    @Test void stavisIsMitOnThePostprocessedMap() {
        Map2D p = smooth(40, 30, 1), gt = smooth(W, H, 5);
        Fixations f = fix(W, H, 9, 12);
        List<Fixations> frames = List.of(fix(W, H, 20, 30), f, fix(W, H, 21, 30));
        Fixations neg = Fixations.stavisNegatives(frames, 1);
        for (int px : f.uniquePixels()) {
            for (int q : neg.uniquePixels()) assertTrue(px != q, "current frame's pixels are removed");
        }
        Scores st = Protocol.STAVIS.score(p, gt, f, neg);
        Scores mit = Protocol.MIT.score(Filters.stavisPostprocess(p, 2), gt, f, neg);
        assertEquals(mit, st);
        assertEquals(Scores.NAN, Protocol.STAVIS.score(Map2D.filled(40, 30, -0.5), gt, f, neg), "nothing above 0");
    }

    @Test void stavisBlurEqualsTheTwoDimensionalKernel() {
        Map2D m = smooth(9, 7, 3); // smaller than the 13-tap kernel: mirroring wraps
        Map2D got = Filters.gaussianSymmetric(m, 2);
        double[] h = new double[13 * 13];
        double sum = 0;
        for (int y = -6; y <= 6; y++) for (int x = -6; x <= 6; x++) sum += h[(y + 6) * 13 + x + 6] = Math.exp(-(x * x + y * y) / 8.0);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 9; x++) {
                double acc = 0;
                for (int dy = -6; dy <= 6; dy++) {
                    for (int dx = -6; dx <= 6; dx++) {
                        acc += h[(dy + 6) * 13 + dx + 6] / sum * m.get(sym(x + dx, 9), sym(y + dy, 7));
                    }
                }
                assertEquals(acc, got.get(x, y), 1e-14);
            }
        }
    }

    /** MATLAB padarray 'symmetric': ... c b a | a b c | c b a ... */
    static int sym(int i, int n) {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        return i;
    }

    @Test void aimTreatsConstantsAndDuplicatesLikeBenchPy() {
        Map2D gt = smooth(W, H, 5);
        Fixations f = Fixations.of(W, H, new int[] {3, 3, 9}, new int[] {4, 4, 2});
        Scores s = Protocol.AIM2024.score(Map2D.filled(W, H, 90), gt, f, null);
        assertEquals(0.0, s.cc(), 0.0);   // read_sm maps a constant to 0: r = 0 / sqrt(1e-7)
        assertEquals(0.0, s.nss(), 0.0);
        assertEquals(0.0, s.sim(), 0.0);
        assertTrue(Double.isNaN(s.kld()));
        // duplicates count at every coordinate in AIM's NSS, once in MIT's
        Map2D p = smooth(W, H, 1);
        double aim = Protocol.AIM2024.score(p, null, f, null).nss();
        double aimUnique = Protocol.AIM2024.score(p, null, Fixations.of(W, H, new int[] {3, 9}, new int[] {4, 2}), null).nss();
        assertTrue(Math.abs(aim - aimUnique) > 1e-6);
    }

    /** Bilinear on half-pixel centres reproduces a linear ramp exactly inside and clamps it at the borders. */
    @Test void openCvFlavoursResampleARampAsBilinear() {
        int sw = 7, sh = 5;
        double[] ramp = new double[sw * sh];
        for (int i = 0; i < ramp.length; i++) ramp[i] = 3 * (i % sw) - 2 * (i / sw);
        for (int[] o : new int[][] {{17, 11}, {3, 2}, {9, 4}, {14, 10}}) { // enlarge, shrink, mixed, exact 2x
            for (OpenCvFlavor fl : OpenCvFlavor.values()) {
                double[] out = Resize.opencvBilinear(Map2D.of(sw, sh, ramp), o[0], o[1], fl).data();
                double tol = fl == OpenCvFlavor.IPP ? 1e-13 : 1e-5; // NO_IPP rounds coordinates to float
                for (int y = 0; y < o[1]; y++) {
                    for (int x = 0; x < o[0]; x++) {
                        double u = Math.min(Math.max((x + 0.5) * sw / o[0] - 0.5, 0), sw - 1);
                        double v = Math.min(Math.max((y + 0.5) * sh / o[1] - 0.5, 0), sh - 1);
                        assertEquals(3 * u - 2 * v, out[y * o[0] + x], tol, fl + " " + o[0] + "x" + o[1] + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    @Test void openCvFlavourSelection() {
        Map2D src = smooth(13, 9, 3);
        assertArrayEquals(Resize.opencvBilinear(src, 20, 7, OpenCvFlavor.IPP).data(), Resize.opencvBilinear(src, 20, 7).data());
        double diff = 0;
        double[] ipp = Resize.opencvBilinear(src, 20, 7, OpenCvFlavor.IPP).data();
        double[] own = Resize.opencvBilinear(src, 20, 7, OpenCvFlavor.NO_IPP).data();
        for (int i = 0; i < ipp.length; i++) diff = Math.max(diff, Math.abs(ipp[i] - own[i]));
        assertTrue(diff > 1e-9 && diff < 1e-5, "flavours differ by " + diff);
        // IPP refuses a one-pixel source axis: OpenCV (and we) fall back to its own arithmetic
        Map2D column = smooth(1, 9, 4), row = smooth(9, 1, 4);
        assertArrayEquals(Resize.opencvBilinear(column, 3, 14, OpenCvFlavor.NO_IPP).data(),
                Resize.opencvBilinear(column, 3, 14, OpenCvFlavor.IPP).data());
        assertArrayEquals(Resize.opencvBilinear(row, 14, 3, OpenCvFlavor.NO_IPP).data(),
                Resize.opencvBilinear(row, 14, 3, OpenCvFlavor.IPP).data());
        // the scorer: IPP by default, kept by the other withers, used only where the prediction is resized
        Scorer aim = Scorer.of(Protocol.AIM2024);
        assertEquals(OpenCvFlavor.IPP, aim.openCvFlavor());
        Scorer noIpp = aim.withOpenCvFlavor(OpenCvFlavor.NO_IPP).withSeed(4).withSplits(3).withStep(0.2).withJitter(false);
        assertEquals(OpenCvFlavor.NO_IPP, noIpp.openCvFlavor());
        Map2D gt = smooth(W, H, 5);
        Fixations f = fix(W, H, 9, 12);
        Map2D small = smooth(W * 2 / 3, H * 2 / 3, 1);
        assertTrue(aim.score(small, gt, f, null).sim() != aim.withOpenCvFlavor(OpenCvFlavor.NO_IPP).score(small, gt, f, null).sim());
        Map2D same = smooth(W, H, 1);
        assertEquals(aim.score(same, gt, f, null), aim.withOpenCvFlavor(OpenCvFlavor.NO_IPP).score(same, gt, f, null));
        assertThrows(IllegalArgumentException.class, () -> aim.withOpenCvFlavor(null));
        assertThrows(IllegalArgumentException.class, () -> Resize.opencvBilinear(src, 4, 4, null));
    }

    @Test void badInputIsRejectedWithAClearMessage() {
        Map2D gt = smooth(W, H, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Map2D(3, 2, new double[5]));
        assertTrue(e.getMessage().contains("3x2"));
        e = assertThrows(IllegalArgumentException.class, () -> Fixations.of(W, H, new int[] {W}, new int[] {0}));
        assertTrue(e.getMessage().contains("fixation 0"));
        double[] bad = gt.data().clone();
        bad[17] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.cc(Map2D.of(W, H, bad), gt));
        assertTrue(e.getMessage().contains("prediction"));
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.cc(gt, Map2D.of(W, H, bad)));
        assertTrue(e.getMessage().contains("ground-truth"));
        assertThrows(IllegalArgumentException.class, () -> Protocol.MIT.score(gt, gt, Fixations.none(W + 1, H), null));
        assertThrows(IllegalArgumentException.class, () -> Protocol.MIT.score(gt, gt, Fixations.none(W, H), Fixations.none(W, 1)));
        assertThrows(IllegalArgumentException.class, () -> Protocol.MIT.score(null, gt, null, null));
        assertThrows(IllegalArgumentException.class, () -> Protocol.MIT.score(gt, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> Fixations.fromMask(Map2D.of(2, 1, 1, -1)));
        assertThrows(IllegalArgumentException.class, () -> Scorer.of(Protocol.MIT).withSplits(0));
        assertThrows(IllegalArgumentException.class, () -> Scorer.of(Protocol.MIT).withStep(Double.NaN));
    }

    @Test void fixationsHelpers() {
        Fixations f = Fixations.of(4, 3, new int[] {1, 3, 1, 0}, new int[] {2, 0, 2, 1});
        assertEquals(4, f.count());
        assertEquals(List.of(3, 4, 9), java.util.Arrays.stream(f.uniquePixels()).boxed().toList());
        Fixations m = Fixations.fromMask(f.toMask());
        assertEquals(List.of(3, 4, 9), java.util.Arrays.stream(m.uniquePixels()).boxed().toList());
        Fixations u = Fixations.union(List.of(f, Fixations.of(4, 3, new int[] {2}, new int[] {2})));
        assertEquals(List.of(3, 4, 9, 10), java.util.Arrays.stream(u.uniquePixels()).boxed().toList());
    }

    @Test void centerPrior() {
        Map2D c = CenterPrior.predict(9, 5);
        assertEquals(1.0, c.get(4, 2), 0.0);
        assertEquals(c.get(1, 1), c.get(7, 3), 0.0);
        assertEquals(Math.exp(-0.5 * (2.0 / 2.25) * (2.0 / 2.25)), c.get(6, 2), 1e-15); // sigma_x = 9/4
        assertEquals(Math.exp(-0.5 * (1.0 / 1.25) * (1.0 / 1.25)), c.get(4, 1), 1e-15); // sigma_y = 5/4
        // a centre-biased viewer: the prior predicts better than chance
        Fixations central = RefGen.fixations(H, W, 77, 50, 0.5, 0.5, 0.3);
        assertTrue(Metrics.aucJudd(CenterPrior.predict(W, H), central, true, 0) > 0.7);
    }
}
