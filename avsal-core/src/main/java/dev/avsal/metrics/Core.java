package dev.avsal.metrics;

import java.util.Arrays;

/**
 * The metric kernels on same-size row-major arrays. MIT kernels follow cvzoya/saliency {@code code_forMetrics};
 * AIM kernels follow the AIM 2024 {@code bench.py}. Every public-facing class validates and resizes before it
 * calls in here. Stateless.
 */
final class Core {
    private Core() {}

    /** MATLAB's {@code eps} (2^-52), the MIT KL-divergence regulariser. */
    static final double MATLAB_EPS = 2.220446049250313e-16;
    /** numpy's float32 eps, which bench.py adds to the min-max range in {@code read_sm}. */
    static final double FLOAT32_EPS = 1.1920928955078125e-07;
    /** The rounded constant bench.py's {@code kldiv} uses. */
    static final double AIM_KLD_EPS = 2.2204e-16;

    // ---------------------------------------------------------------- statistics

    /**
     * One pass over a map: extremes, plain sum, and sums shifted by the first value (which keeps the centred sum
     * of squares accurate without a second pass).
     */
    static final class Stats {
        int n;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum, shift, s1, s2;

        double mean() { return shift + s1 / n; } // exact for a constant map, unlike sum / n
        /** Σ(x − mean)². */
        double m2() { return Math.max(0, s2 - s1 * s1 / n); }
        /** Σ(x − min). */
        double sumAboveMin() { return s1 + n * (shift - min); }
        boolean anyNonZero() { return min != 0 || max != 0; }
    }

    static Stats stats(double[] a, String what) {
        Stats s = new Stats();
        s.n = a.length;
        double k = a[0], mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY, sum = 0, s1 = 0, s2 = 0;
        for (double v : a) {
            if (v < mn) mn = v; // plain compares: NaN is caught through the sum below
            if (v > mx) mx = v;
            sum += v;
            double d = v - k;
            s1 += d;
            s2 += d * d;
        }
        s.min = mn; s.max = mx; s.sum = sum; s.shift = k; s.s1 = s1; s.s2 = s2;
        check(s, what);
        return s;
    }

    /** Stats of both maps plus their shifted cross sum Σ(p − p₀)(g − g₀), in one pass. */
    static double jointStats(double[] p, double[] g, Stats sp, Stats sg) {
        int n = p.length;
        double kp = p[0], kg = g[0];
        double pmn = Double.POSITIVE_INFINITY, pmx = Double.NEGATIVE_INFINITY, psum = 0, ps1 = 0, ps2 = 0;
        double gmn = Double.POSITIVE_INFINITY, gmx = Double.NEGATIVE_INFINITY, gsum = 0, gs1 = 0, gs2 = 0, x = 0;
        for (int i = 0; i < n; i++) {
            double a = p[i], b = g[i];
            if (a < pmn) pmn = a; // plain compares: NaN is caught through the sums
            if (a > pmx) pmx = a;
            if (b < gmn) gmn = b;
            if (b > gmx) gmx = b;
            psum += a;
            gsum += b;
            double da = a - kp, db = b - kg;
            ps1 += da;
            ps2 += da * da;
            gs1 += db;
            gs2 += db * db;
            x += da * db;
        }
        sp.n = n; sp.min = pmn; sp.max = pmx; sp.sum = psum; sp.shift = kp; sp.s1 = ps1; sp.s2 = ps2;
        sg.n = n; sg.min = gmn; sg.max = gmx; sg.sum = gsum; sg.shift = kg; sg.s1 = gs1; sg.s2 = gs2;
        check(sp, "prediction");
        check(sg, "ground-truth map");
        return x;
    }

    private static void check(Stats s, String what) {
        if (!Double.isFinite(s.sum) || !Double.isFinite(s.min) || !Double.isFinite(s.max) || !Double.isFinite(s.s2)) {
            throw new IllegalArgumentException(what + " holds NaN or infinite values (or overflows a double sum)");
        }
    }

    /** Centred cross sum Σ(p − mean p)(g − mean g) from the shifted sums. */
    static double centredCross(double shiftedCross, Stats sp, Stats sg) {
        return shiftedCross - sp.s1 * sg.s1 / sp.n;
    }

    // ---------------------------------------------------------------- MIT

    /** CC.m: Pearson correlation of the z-scored maps (corr2); NaN if either map is constant. */
    static double mitCc(Stats sp, Stats sg, double shiftedCross) {
        return centredCross(shiftedCross, sp, sg) / Math.sqrt(sp.m2() * sg.m2());
    }

    /** NSS.m: mean of the z-scored map (sample std) over the fixated pixels; NaN if constant or no fixations. */
    static double mitNss(double[] p, Stats sp, int[] fixated) {
        double mean = sp.mean(), std = Math.sqrt(sp.m2() / (sp.n - 1));
        double s = 0;
        for (int i : fixated) s += (p[i] - mean) / std;
        return s / fixated.length;
    }

    /** similarity.m's normalisation as v ↦ (v − offset)·factor: {offset, factor}; NaN factor for a constant map. */
    static double[] mitSimNormaliser(Stats s) {
        if (!s.anyNonZero()) return new double[] {0, 0}; // a zero map stays zero
        if (s.max == s.min) return new double[] {0, Double.NaN}; // 0/0 everywhere: MIT returns NaN
        return new double[] {s.min, 1 / s.sumAboveMin()}; // ((v-min)/range) / Σ((v-min)/range)
    }

    /** KLdiv.m's normalisation factor: 1/Σ, or 1 for a zero map (left unnormalised). */
    static double mitKldFactor(Stats s) { return s.anyNonZero() ? 1 / s.sum : 1; }

    /** similarity.m: histogram intersection of the min-max normalised, sum-normalised maps. */
    static double mitSim(double[] p, double[] g, Stats sp, Stats sg) {
        return simKld(p, g, mitSimNormaliser(sp), mitSimNormaliser(sg), Double.NaN, Double.NaN, 0, true, false)[0];
    }

    /**
     * KLdiv.m: Σ G·log(eps + G/(P + eps)) with both maps sum-normalised (a zero map stays zero). A negative
     * prediction makes MATLAB take the log of a negative number and return a complex value; here that is NaN.
     */
    static double mitKld(double[] p, double[] g, Stats sp, Stats sg) {
        return simKld(p, g, null, null, mitKldFactor(sp), mitKldFactor(sg), MATLAB_EPS, false, true)[1];
    }

    /**
     * SIM and KLD in one pass: SIM = Σ min((p − op)·fp, (g − og)·fg) with {op, fp} = simP, {og, fg} = simG;
     * KLD = Σ G·log(eps + G/(P + eps)) with P = p·kp, G = g·kg.
     */
    static double[] simKld(double[] p, double[] g, double[] simP, double[] simG, double kp, double kg, double eps,
                           boolean wantSim, boolean wantKld) {
        double sim = 0, kld = 0;
        double op = wantSim ? simP[0] : 0, fp = wantSim ? simP[1] : 0, og = wantSim ? simG[0] : 0, fg = wantSim ? simG[1] : 0;
        if (wantSim && !wantKld) {
            for (int i = 0; i < p.length; i++) sim += Math.min((p[i] - op) * fp, (g[i] - og) * fg);
        }
        if (wantKld) {
            // blocks: first the log arguments (a loop the JIT vectorises), then the logs, whose long dependency
            // chains overlap better without the division in between. SIM rides along block by block (same
            // summation order as a separate pass, so the same result) while the block is in cache: one pass over
            // the two 1080p arrays (32 MB) less.
            double[] arg = new double[BLOCK];
            for (int s0 = 0; s0 < p.length; s0 += BLOCK) {
                int n = Math.min(BLOCK, p.length - s0);
                if (wantSim) for (int j = 0; j < n; j++) sim += Math.min((p[s0 + j] - op) * fp, (g[s0 + j] - og) * fg);
                for (int j = 0; j < n; j++) arg[j] = eps + g[s0 + j] * kg / (p[s0 + j] * kp + eps);
                for (int j = 0; j < n; j++) {
                    double gi = g[s0 + j] * kg;
                    if (gi != 0 || p[s0 + j] * kp + eps == 0) kld += gi * FastLog.log(arg[j]); // 0·log(eps) = 0
                }
            }
        }
        return new double[] {sim, kld};
    }

    private static final int BLOCK = 512;

    /**
     * AUC_Judd.m. Thresholds are the normalised values at the fixated pixels; the count of pixels at or above
     * each threshold is exact. With {@code rnd == null} no jitter is added; otherwise every pixel gets
     * rnd.jitter(i)/1e7 before normalisation, evaluated only where it can change a comparison.
     */
    static double mitAucJudd(double[] p, Stats sp, int[] fixated, Randomness rnd) {
        int nFix = fixated.length, nPix = p.length;
        if (nFix == 0) return Double.NaN;
        double lo, hi;
        double[] fixVal = new double[nFix];
        if (rnd == null) {
            lo = sp.min;
            hi = sp.max;
            for (int k = 0; k < nFix; k++) fixVal[k] = p[fixated[k]];
        } else {
            // extremes of the jittered map: only pixels within 1e-7 of the plain extremes can hold them
            double minBound = sp.min + JITTER_MAX;
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < nPix; i++) {
                double v = p[i];
                if (v <= minBound) lo = Math.min(lo, v + rnd.jitter(i) / 1e7);
                if (v + JITTER_MAX >= sp.max) hi = Math.max(hi, v + rnd.jitter(i) / 1e7);
            }
            for (int k = 0; k < nFix; k++) fixVal[k] = p[fixated[k]] + rnd.jitter(fixated[k]) / 1e7;
        }
        double range = hi - lo;
        if (range == 0) return Double.NaN; // normalised map all NaN
        // raw thresholds: the smallest raw value whose normalised value reaches each fixation's normalised value
        double[] raw = new double[nFix];
        for (int k = 0; k < nFix; k++) raw[k] = smallestReaching(lo, hi, fixVal[k], (fixVal[k] - lo) / range);
        Arrays.sort(raw); // ascending; threshold i (descending order) is raw[nFix-1-i]
        double rLow = raw[0];
        ThresholdCounter counter = new ThresholdCounter(raw, hi);
        int[] hist = new int[4 * (nFix + 1)]; // four interleaved histograms: neighbours often share a count
        for (int i = 0; i < nPix; i++) {
            double v = p[i];
            int c;
            if (rnd != null) {
                double up = v + JITTER_MAX; // the jittered value lies in [v, up]
                if (up < rLow) continue;
                c = counter.countIfCertain(v, up); // the jitter rarely matters: only near a threshold
                if (c < 0) {
                    v += rnd.jitter(i) / 1e7;
                    if (v < rLow) continue;
                    c = counter.count(v);
                }
            } else {
                if (v < rLow) continue;
                c = counter.count(v);
            }
            hist[(i & 3) * (nFix + 1) + c]++; // number of thresholds this pixel reaches
        }
        hist = fold(hist, nFix + 1);
        // pixels at or above the i-th largest threshold = those reaching at least nFix-i+1 thresholds
        double[] tp = new double[nFix + 2], fp = new double[nFix + 2];
        tp[nFix + 1] = 1;
        fp[nFix + 1] = 1;
        long above = 0;
        for (int i = 1; i <= nFix; i++) {
            above += hist[nFix - i + 1]; // pixels reaching exactly the i largest thresholds
            tp[i] = (double) i / nFix;
            fp[i] = (double) (above - i) / (nPix - nFix);
        }
        return trapz(fp, tp);
    }

    private static int[] fold(int[] h, int n) {
        int[] r = new int[n];
        for (int i = 0; i < h.length; i++) r[i % n] += h[i];
        return r;
    }

    /** Upper bound of the MIT jitter rand/1e7 as rounded in double arithmetic. */
    private static final double JITTER_MAX = 1 / 1e7;

    /**
     * Counts how many of a few ascending thresholds a value reaches, without a binary search per pixel: values
     * are bucketed by a monotone map into 4096 buckets over [lowest threshold, hi]; a bucket holding no threshold
     * gives the count directly, only buckets holding thresholds compare against them. Exact, because the bucket
     * map is monotone: a smaller bucket means a smaller value.
     */
    static final class ThresholdCounter {
        private static final int BUCKETS = 4096;
        private final double[] raw;
        private final double lo, scale;
        private final int[] first = new int[BUCKETS + 2]; // first[b]: index of the first threshold in bucket >= b

        ThresholdCounter(double[] ascending, double hi) {
            raw = ascending;
            lo = ascending[0];
            double span = hi - lo;
            scale = span > 0 ? BUCKETS / span : 0;
            for (int b = 0, j = 0; b < first.length; b++) {
                while (j < raw.length && bucket(raw[j]) < b) j++;
                first[b] = j;
            }
        }

        private int bucket(double v) {
            int b = (int) ((v - lo) * scale);
            return b < 0 ? 0 : (b > BUCKETS ? BUCKETS : b);
        }

        /** The count shared by every value in [a, b] when they fall in one bucket without thresholds, else -1. */
        int countIfCertain(double a, double b) {
            int ba = bucket(a);
            return ba == bucket(b) && first[ba] == first[ba + 1] && a >= lo ? first[ba] : -1;
        }

        /** Number of thresholds ≤ v. */
        int count(double v) {
            int b = bucket(v), c = first[b], end = first[b + 1];
            while (c < end && raw[c] <= v) c++;
            return c;
        }
    }

    /**
     * The smallest double x in [lo, v] with (x − lo)/(hi − lo) ≥ target, where v itself reaches the target.
     * Normalisation can map neighbouring doubles to one value, so x may lie below v; bisection over the ordered
     * bit patterns finds it exactly.
     */
    static double smallestReaching(double lo, double hi, double v, double target) {
        double range = hi - lo;
        if ((lo - lo) / range >= target) return lo;
        long kl = key(lo), kh = key(v); // f(kl) < target <= f(kh)
        while (kh - kl > 1) {
            long mid = (kl >> 1) + (kh >> 1) + (kl & kh & 1);
            if ((unkey(mid) - lo) / range >= target) kh = mid; else kl = mid;
        }
        return unkey(kh);
    }

    private static long key(double d) {
        long b = Double.doubleToRawLongBits(d);
        return b >= 0 ? b : b ^ Long.MAX_VALUE;
    }

    private static double unkey(long k) { return Double.longBitsToDouble(k >= 0 ? k : k ^ Long.MAX_VALUE); }

    /** AUC_Borji.m: negatives are uniformly drawn pixels (with replacement), one set per split. */
    static double mitAucBorji(double[] p, Stats sp, int[] fixated, int splits, double step, Randomness rnd) {
        int nFix = fixated.length;
        if (nFix <= 1) return Double.NaN; // MIT: "sum(fixationMap(:)>0)<=1" returns NaN
        double range = sp.max - sp.min;
        if (range == 0) return Double.NaN;
        double[] sth = normalisedAt(p, fixated, sp.min, range);
        int[] idx = new int[nFix];
        double[] neg = new double[nFix];
        double sum = 0;
        for (int s = 0; s < splits; s++) {
            rnd.uniformPixels(s, p.length, idx);
            for (int k = 0; k < nFix; k++) neg[k] = (p[idx[k]] - sp.min) / range;
            sum += stepRocAuc(sth, neg, step);
        }
        return sum / splits;
    }

    /**
     * AUC_shuffled.m: negatives are min(N, |pool|) pixels of {@code pool} (fixations of other images), a fresh
     * random choice per split. NaN without fixations or without negatives.
     */
    static double mitAucShuffled(double[] p, Stats sp, int[] fixated, int[] pool, int splits, double step,
                                 Randomness rnd) {
        int nFix = fixated.length;
        if (nFix == 0) return Double.NaN;
        double range = sp.max - sp.min;
        if (range == 0) return Double.NaN;
        int nNeg = Math.min(nFix, pool.length);
        if (nNeg == 0) return Double.NaN; // MATLAB divides 0 by 0 there
        double[] sth = normalisedAt(p, fixated, sp.min, range);
        int[] idx = new int[nNeg];
        double[] neg = new double[nNeg];
        double sum = 0;
        for (int s = 0; s < splits; s++) {
            rnd.subset(s, pool, idx);
            for (int k = 0; k < nNeg; k++) neg[k] = (p[idx[k]] - sp.min) / range;
            sum += stepRocAuc(sth, neg, step);
        }
        return sum / splits;
    }

    private static double[] normalisedAt(double[] p, int[] at, double min, double range) {
        double[] v = new double[at.length];
        for (int k = 0; k < at.length; k++) v[k] = (p[at[k]] - min) / range;
        return v;
    }

    /** One split of AUC-Borji/shuffled: thresholds 0:step:max descending, trapezoidal area. */
    static double stepRocAuc(double[] pos, double[] neg, double step) {
        double mx = Double.NEGATIVE_INFINITY;
        for (double v : pos) mx = Math.max(mx, v);
        for (double v : neg) mx = Math.max(mx, v);
        double[] thr = MatlabColon.colon(0, step, mx);
        int t = thr.length;
        double[] tp = new double[t + 2], fp = new double[t + 2];
        tp[t + 1] = 1;
        fp[t + 1] = 1;
        for (int i = 0; i < t; i++) {
            double th = thr[t - 1 - i];
            int a = 0, b = 0;
            for (double v : pos) if (v >= th) a++;
            for (double v : neg) if (v >= th) b++;
            tp[i + 1] = (double) a / pos.length;
            fp[i + 1] = (double) b / neg.length;
        }
        return trapz(fp, tp);
    }

    /** MATLAB trapz(x, y) for vectors. */
    static double trapz(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i + 1 < x.length; i++) s += (x[i + 1] - x[i]) * (y[i + 1] + y[i]);
        return s / 2;
    }

    // ---------------------------------------------------------------- AIM 2024 bench.py

    /** read_sm: (x − min)/(max − min + float32 eps), in place on a copy. */
    static double[] aimNormalise(double[] a, String what) {
        Stats s = stats(a, what);
        double den = (s.max - s.min) + FLOAT32_EPS;
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (a[i] - s.min) / den;
        return r;
    }

    /** bench.py nss: population std + 1e-7, sampled at every fixation coordinate (duplicates count). */
    static double aimNss(double[] p, Stats sp, int[] coords) {
        if (coords.length == 0) return Double.NaN;
        double mean = sp.mean(), den = Math.sqrt(sp.m2() / sp.n) + 1e-7, s = 0;
        for (int i : coords) s += (p[i] - mean) / den;
        return s / coords.length;
    }

    /** bench.py cc: z-scores with (population std + 1e-7), r = Σab / sqrt(Σa²·Σb² + 1e-7). */
    static double aimCc(Stats sp, Stats sg, double shiftedCross) {
        double dp = Math.sqrt(sp.m2() / sp.n) + 1e-7, dg = Math.sqrt(sg.m2() / sg.n) + 1e-7;
        double ab = centredCross(shiftedCross, sp, sg) / (dp * dg);
        double aa = sp.m2() / (dp * dp), bb = sg.m2() / (dg * dg);
        return ab / Math.sqrt(aa * bb + 1e-7);
    }

    /** bench.py similarity: each map divided by (its sum + 1e-7), then Σ min; as {offset, factor}. */
    static double[] aimSimNormaliser(Stats s) { return new double[] {0, 1 / (s.sum + 1e-7)}; }

    /** bench.py kldiv (unused in its ranking): sum-normalised maps, eps 2.2204e-16; NaN for a zero map. */
    static double aimKldFactor(Stats s) { return 1 / s.sum; }

    /**
     * bench.py auc_judd: no jitter, no re-normalisation, thresholds at every coordinate (duplicates included),
     * false-positive denominator #pixels − U where U = number of unique columns of the N×2 coordinate array
     * (1 when every fixation has x == y, else 2), as {@code np.unique(F, axis=1)} computes it.
     */
    static double aimAucJudd(double[] p, Stats sp, int[] coords, boolean allDiagonal) {
        int nFix = coords.length, nPix = p.length;
        if (nFix == 0) return Double.NaN;
        int u = allDiagonal ? 1 : 2;
        double[] thr = new double[nFix];
        for (int k = 0; k < nFix; k++) thr[k] = p[coords[k]];
        Arrays.sort(thr);
        ThresholdCounter counter = new ThresholdCounter(thr, sp.max);
        double rLow = thr[0];
        int[] hist = new int[4 * (nFix + 1)];
        for (int i = 0; i < nPix; i++) if (p[i] >= rLow) hist[(i & 3) * (nFix + 1) + counter.count(p[i])]++;
        hist = fold(hist, nFix + 1);
        double[] tp = new double[nFix + 2], fp = new double[nFix + 2];
        tp[nFix + 1] = 1;
        fp[nFix + 1] = 1;
        long above = 0;
        for (int i = 1; i <= nFix; i++) {
            above += hist[nFix - i + 1];
            tp[i] = (double) i / nFix;
            fp[i] = (double) (above - i) / (nPix - u);
        }
        return trapz(fp, tp);
    }
}
