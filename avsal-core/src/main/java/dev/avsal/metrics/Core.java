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

    /** Stats of one map, summed exactly as {@link #jointStats} sums each of its maps (so both agree bit for bit). */
    static Stats stats(double[] a, String what) {
        int n = a.length;
        double k = a[0], mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY, s1 = 0, s2 = 0, t1 = 0, t2 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            double v = a[i], w = a[i + 1];
            if (v < mn) mn = v; // plain compares: NaN is caught through the sums below
            if (v > mx) mx = v;
            if (w < mn) mn = w;
            if (w > mx) mx = w;
            double d = v - k, e = w - k;
            s1 += d;
            s2 += d * d;
            t1 += e;
            t2 += e * e;
        }
        if (i < n) {
            double v = a[i], d = v - k;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            s1 += d;
            s2 += d * d;
        }
        Stats s = new Stats();
        s1 += t1;
        s.n = n; s.min = mn; s.max = mx; s.shift = k; s.s1 = s1; s.s2 = s2 + t2; s.sum = n * k + s1;
        check(s, what);
        return s;
    }

    /**
     * Stats of both maps plus their shifted cross sum Σ(p − p₀)(g − g₀), in one pass. Two interleaved sets of
     * sums (even and odd pixels) halve the dependency chains of the additions, which bound this loop otherwise;
     * plain sums come from the shifted ones (n·p₀ + Σ(p − p₀), no less accurate than a running sum).
     */
    static double jointStats(double[] p, double[] g, Stats sp, Stats sg) {
        int n = p.length;
        double kp = p[0], kg = g[0];
        double pmn = Double.POSITIVE_INFINITY, pmx = Double.NEGATIVE_INFINITY, gmn = pmn, gmx = pmx;
        double ps1 = 0, ps2 = 0, gs1 = 0, gs2 = 0, x = 0, qs1 = 0, qs2 = 0, hs1 = 0, hs2 = 0, y = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            double a = p[i], b = g[i], c = p[i + 1], d = g[i + 1];
            // plain compares: NaN is caught through the sums
            if (a < pmn) pmn = a;
            if (a > pmx) pmx = a;
            if (c < pmn) pmn = c;
            if (c > pmx) pmx = c;
            if (b < gmn) gmn = b;
            if (b > gmx) gmx = b;
            if (d < gmn) gmn = d;
            if (d > gmx) gmx = d;
            double da = a - kp, db = b - kg, dc = c - kp, dd = d - kg;
            ps1 += da;
            ps2 += da * da;
            gs1 += db;
            gs2 += db * db;
            x += da * db;
            qs1 += dc;
            qs2 += dc * dc;
            hs1 += dd;
            hs2 += dd * dd;
            y += dc * dd;
        }
        if (i < n) {
            double a = p[i], b = g[i], da = a - kp, db = b - kg;
            if (a < pmn) pmn = a;
            if (a > pmx) pmx = a;
            if (b < gmn) gmn = b;
            if (b > gmx) gmx = b;
            ps1 += da;
            ps2 += da * da;
            gs1 += db;
            gs2 += db * db;
            x += da * db;
        }
        ps1 += qs1;
        gs1 += hs1;
        sp.n = n; sp.min = pmn; sp.max = pmx; sp.shift = kp; sp.s1 = ps1; sp.s2 = ps2 + qs2; sp.sum = n * kp + ps1;
        sg.n = n; sg.min = gmn; sg.max = gmx; sg.shift = kg; sg.s1 = gs1; sg.s2 = gs2 + hs2; sg.sum = n * kg + gs1;
        check(sp, "prediction");
        check(sg, "ground-truth map");
        return x + y;
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
        return simKld(p, g, mitSimNormaliser(sp), mitSimNormaliser(sg), Double.NaN, Double.NaN, 0, true, false, null)[0];
    }

    /**
     * KLdiv.m: Σ G·log(eps + G/(P + eps)) with both maps sum-normalised (a zero map stays zero). A negative
     * prediction makes MATLAB take the log of a negative number and return a complex value; here that is NaN.
     */
    static double mitKld(double[] p, double[] g, Stats sp, Stats sg) {
        return simKld(p, g, null, null, mitKldFactor(sp), mitKldFactor(sg), MATLAB_EPS, false, true, null)[1];
    }

    /**
     * SIM and KLD in one pass: SIM = Σ min((p − op)·fp, (g − og)·fg) with {op, fp} = simP, {og, fg} = simG;
     * KLD = Σ G·log(eps + G/(P + eps)) with P = p·kp, G = g·kg. A non-null {@code judd} tallies the prediction
     * on the way (AUC-Judd), which saves it a pass of its own over the map; it needs {@code wantKld}.
     */
    static double[] simKld(double[] p, double[] g, double[] simP, double[] simG, double kp, double kg, double eps,
                           boolean wantSim, boolean wantKld, ThresholdCounter judd) {
        double sim = 0, kld = 0;
        double op = wantSim ? simP[0] : 0, fp = wantSim ? simP[1] : 0, og = wantSim ? simG[0] : 0, fg = wantSim ? simG[1] : 0;
        if (!wantKld) {
            if (judd != null) throw new IllegalArgumentException("the AUC-Judd tally rides on the KLD pass");
            for (int i = 0; i < p.length; i++) sim += Math.min((p[i] - op) * fp, (g[i] - og) * fg);
            return new double[] {sim, kld};
        }
        // Blocks of 512 pixels, each in two loops. The first does all that vectorises (the JIT turns it into
        // AVX code): the log arguments with their division, SIM's minima, and the AUC-Judd bucket positions. The
        // second does the rest in order: SIM's sum (the same order as a plain loop), the logarithms, and the
        // tally; their independent chains overlap in the CPU. Everything rides in one pass while the block is in
        // cache: reading the 1080p maps from memory costs as much as the arithmetic. A pixel with G = 0 adds
        // 0·log(eps) = 0, as in MATLAB, or NaN where P + eps = 0 (the argument is then 0/0), also as in MATLAB.
        boolean tallyInline = judd != null && judd.chunk >= BLOCK, jittered = judd != null && judd.jitter != null;
        double[] arg = new double[BLOCK], least = new double[BLOCK], at = new double[BLOCK];
        double lo = tallyInline ? judd.lo : 0, scale = tallyInline ? judd.scale : 0;
        for (int s0 = 0; s0 < p.length; s0 += BLOCK) {
            int n = Math.min(BLOCK, p.length - s0);
            for (int j = 0; j < n; j++) {
                double pv = p[s0 + j], gv = g[s0 + j];
                arg[j] = eps + gv * kg / (pv * kp + eps);
                least[j] = Math.min((pv - op) * fp, (gv - og) * fg); // 0 when SIM is not wanted (finite maps)
                at[j] = (pv - lo) * scale;
            }
            long tallies = 0;
            for (int j = 0; j < n; j++) {
                sim += least[j];
                kld += g[s0 + j] * kg * FastLog.log(arg[j]);
                if (tallyInline) {
                    tallies += jittered ? judd.tallyJittered(at[j], p[s0 + j], s0 + j) : judd.tallyAt(at[j], p[s0 + j]);
                }
            }
            if (tallyInline) judd.add(tallies);
            else if (judd != null) judd.tally(p, s0, s0 + n);
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
        if (fixated.length == 0) return Double.NaN;
        ThresholdCounter judd = mitJuddCounter(p, sp, fixated, rnd);
        if (judd == null) return Double.NaN;
        judd.tally(p, 0, p.length);
        return judd.area(p.length - fixated.length);
    }

    /**
     * The AUC-Judd counter of a map (jittered by {@code rnd}, or not when null) before its pixels are tallied,
     * so that a pass over the map made for other metrics can tally them on the way; null when the normalised map
     * is undefined (constant). With jitter this reads the map once for the jittered extremes: only pixels within
     * 1e-7 of the plain extremes can hold them, so the jitter is drawn for those alone.
     */
    static ThresholdCounter mitJuddCounter(double[] p, Stats sp, int[] fixated, Randomness rnd) {
        double lo = sp.min, hi = sp.max;
        double[] fixVal = new double[fixated.length];
        for (int k = 0; k < fixated.length; k++) fixVal[k] = p[fixated[k]];
        if (rnd != null) {
            double minBound = sp.min + JITTER_MAX;
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < p.length; i++) {
                double v = p[i];
                if (v <= minBound) lo = Math.min(lo, v + rnd.jitter(i) / 1e7);
                if (v + JITTER_MAX >= sp.max) hi = Math.max(hi, v + rnd.jitter(i) / 1e7);
            }
            for (int k = 0; k < fixated.length; k++) fixVal[k] += rnd.jitter(fixated[k]) / 1e7;
        }
        return ThresholdCounter.of(rawThresholds(lo, hi, fixVal), hi, rnd);
    }

    /**
     * Raw thresholds, ascending: for each fixation the smallest raw value whose normalised value reaches the
     * fixation's normalised value; null when the map is constant (its normalised map is all NaN).
     */
    private static double[] rawThresholds(double lo, double hi, double[] fixVal) {
        double range = hi - lo;
        if (range == 0) return null;
        double[] raw = new double[fixVal.length];
        for (int k = 0; k < raw.length; k++) raw[k] = smallestReaching(lo, hi, fixVal[k], (fixVal[k] - lo) / range);
        Arrays.sort(raw);
        return raw;
    }

    /** Upper bound of the MIT jitter rand/1e7 as rounded in double arithmetic. */
    private static final double JITTER_MAX = 1 / 1e7;

    /**
     * Counts how many of a few ascending thresholds each pixel reaches, without a binary search per pixel and
     * without a data-dependent branch for the common pixel: values are bucketed by a monotone map into 4096
     * buckets over [lowest threshold, hi] (bucket 0 holds everything below); a bucket holding no threshold
     * gives the count directly, only the rare buckets holding thresholds compare against them. Exact, because
     * the bucket map is monotone. Only two sums are kept: the sum of the counts over the pixels and the number
     * of pixels reaching at least one threshold, which is all {@link #area} needs.
     */
    static final class ThresholdCounter {
        private static final int BUCKETS = 4096;
        /** Tally layout: count << 32 | (count > 0); bit 31 of a table entry marks a bucket holding thresholds. */
        private static final long MIXED = 1L << 31, LOW = 0xffffffffL;
        private final double[] raw;
        final double lo, scale;
        private final long[] table = new long[BUCKETS + 3];
        final int chunk; // pixels per tally chunk, so that the packed sum cannot overflow
        /** The AUC-Judd jitter added to each pixel, or null. */
        final Randomness jitter;
        private long sumCounts, reached;

        /**
         * A counter over {@code ascending} thresholds for values up to {@code hi}, whose pixels get MIT's jitter
         * from {@code jitter} (null: none); null if there are no thresholds.
         */
        static ThresholdCounter of(double[] ascending, double hi, Randomness jitter) {
            return ascending == null || ascending.length == 0 ? null : new ThresholdCounter(ascending, hi, jitter);
        }

        private ThresholdCounter(double[] ascending, double hi, Randomness jitter) {
            this.jitter = jitter;
            raw = ascending;
            lo = ascending[0];
            double span = hi - lo;
            scale = span > 0 ? BUCKETS / span : 0;
            int[] first = new int[table.length + 1]; // first[b]: index of the first threshold in bucket >= b
            for (int b = 0, j = 0; b < first.length; b++) {
                while (j < raw.length && bucket(raw[j]) < b) j++;
                first[b] = j;
            }
            for (int b = 0; b < table.length; b++) {
                table[b] = tallyFor(first[b]) | (first[b] != first[b + 1] ? MIXED : 0);
            }
            chunk = Math.max(1, Integer.MAX_VALUE / raw.length);
        }

        private int bucket(double v) { return bucketAt((v - lo) * scale); }

        /** The bucket of a value whose (v − lo)·scale is {@code at}: below lo, at + 1 < 1, so bucket 0. */
        private static int bucketAt(double at) { return Math.max(0, Math.min(BUCKETS + 1, (int) (at + 1.0))); }

        private static long tallyFor(int count) { return (long) count << 32 | (count > 0 ? 1 : 0); }

        /** Tallies p[from..to). */
        void tally(double[] p, int from, int to) {
            for (int c0 = from, end; c0 < to; c0 = end) {
                end = (int) Math.min(to, (long) c0 + chunk);
                long sum = 0;
                if (jitter == null) for (int i = c0; i < end; i++) sum += tallyOf(p[i]);
                else for (int i = c0; i < end; i++) sum += tallyJittered((p[i] - lo) * scale, p[i], i);
                add(sum);
            }
        }

        /** Adds a tally (or a sum of tallies of fewer than 2^31 / thresholds pixels). */
        void add(long tallies) {
            sumCounts += tallies >>> 32;
            reached += tallies & LOW;
        }

        /** {@link #tallyOf} for v whose (v − lo)·scale is {@code at} (computed ahead, in a vectorised loop). */
        long tallyAt(double at, double v) {
            int b = bucketAt(at);
            long t = table[b];
            return (t & MIXED) == 0 ? t : countInBucket(v, b, t);
        }

        /** The tally of v: count << 32 | (count > 0), count = number of thresholds ≤ v. */
        long tallyOf(double v) { return tallyAt((v - lo) * scale, v); }

        private long countInBucket(double v, int b, long t) {
            int c = (int) (t >>> 32), end = (int) (table[b + 1] >>> 32);
            while (c < end && raw[c] <= v) c++;
            return tallyFor(c);
        }

        /**
         * The tally of pixel i of value v, jittered, where (v − lo)·scale is {@code at}. The jittered value lies
         * in [v, v + 1e-7]; when both ends fall in one bucket without thresholds, so does it, and the jitter is
         * not drawn (it can change a comparison only near a threshold).
         */
        long tallyJittered(double at, double v, int i) {
            int b = bucketAt(at);
            long t = table[b];
            return b == bucket(v + JITTER_MAX) && (t & MIXED) == 0 ? t : tallyOf(v + jitter.jitter(i) / 1e7);
        }

        /**
         * trapz(fp, tp) of AUC_Judd.m from the two sums. With N thresholds tp = [0, 1/N, ..., 1, 1] has equal
         * steps, so summation by parts turns the trapezoids into 1 − (Σᵢ fpᵢ − fp_N / 2) / N, where
         * fpᵢ = (aboveᵢ − i) / negatives and Σᵢ aboveᵢ is the sum over pixels of the thresholds each reaches.
         */
        double area(double negatives) {
            int n = raw.length;
            double fpSum = (sumCounts - n * (n + 1.0) / 2) / negatives, fpLast = (reached - n) / negatives;
            return 1 - (fpSum - fpLast / 2) / n;
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
        if (coords.length == 0) return Double.NaN;
        ThresholdCounter judd = aimJuddCounter(p, sp, coords);
        judd.tally(p, 0, p.length);
        return aimJuddArea(judd, p.length, allDiagonal);
    }

    /** bench.py's AUC-Judd counter (thresholds: the raw values at every coordinate), before tallying. */
    static ThresholdCounter aimJuddCounter(double[] p, Stats sp, int[] coords) {
        double[] thr = new double[coords.length];
        for (int k = 0; k < coords.length; k++) thr[k] = p[coords[k]];
        Arrays.sort(thr);
        return ThresholdCounter.of(thr, sp.max, null);
    }

    /** bench.py's false-positive denominator: #pixels − U (see {@link #aimAucJudd}). */
    static double aimJuddArea(ThresholdCounter judd, int nPix, boolean allDiagonal) {
        return judd.area(nPix - (allDiagonal ? 1 : 2));
    }
}
