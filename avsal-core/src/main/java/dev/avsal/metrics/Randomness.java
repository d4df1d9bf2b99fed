package dev.avsal.metrics;

import java.util.SplittableRandom;

/**
 * Where the randomised metrics draw their random numbers. The default, {@link #seeded(long)}, is reproducible
 * for a seed; tests substitute streams that replay the reference code's draws. Implementations need not be
 * thread-safe: a scorer makes a fresh one per call.
 */
interface Randomness {
    /** AUC-Judd jitter for pixel {@code rowMajor}, uniform in [0, 1) (MATLAB: {@code rand(size(map))}). */
    double jitter(int rowMajor);

    /** AUC-Borji negatives of one split: {@code out.length} pixel indices uniform on [0, nPixels), with replacement. */
    void uniformPixels(int split, int nPixels, int[] out);

    /** Shuffled-AUC negatives of one split: the first {@code out.length} entries of a random permutation of {@code pool}. */
    void subset(int split, int[] pool, int[] out);

    static Randomness seeded(long seed) { return new Seeded(seed); }

    /** SplitMix64's finaliser: a good 64-bit mix, used as a counter-based generator for the per-pixel jitter. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    final class Seeded implements Randomness {
        private final long jitterKey;
        private final SplittableRandom borji, shuffled;
        private int[] work; // permutation state for subset(); reused across splits (still uniform)
        private int[] workOf;

        Seeded(long seed) {
            jitterKey = mix64(seed ^ 0x6a09e667f3bcc909L);
            borji = new SplittableRandom(mix64(seed ^ 0xbb67ae8584caa73bL));
            shuffled = new SplittableRandom(mix64(seed ^ 0x3c6ef372fe94f82bL));
        }

        // Counter-based, so the jitter of a pixel does not depend on which pixels were visited before:
        // AUC-Judd only evaluates it where it can change a comparison.
        @Override public double jitter(int rowMajor) {
            return (mix64(jitterKey + 0x9e3779b97f4a7c15L * (rowMajor + 1L)) >>> 11) * 0x1.0p-53;
        }

        @Override public void uniformPixels(int split, int nPixels, int[] out) {
            for (int i = 0; i < out.length; i++) out[i] = borji.nextInt(nPixels);
        }

        @Override public void subset(int split, int[] pool, int[] out) {
            if (workOf != pool) { work = pool.clone(); workOf = pool; }
            int n = work.length;
            for (int i = 0; i < out.length; i++) { // partial Fisher-Yates
                int j = i + shuffled.nextInt(n - i);
                int t = work[i]; work[i] = work[j]; work[j] = t;
                out[i] = work[i];
            }
        }
    }
}
