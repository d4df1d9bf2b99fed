package dev.avsal.metrics;

import java.util.Arrays;

/**
 * Bit-exact Java twin of the input generators in tools/metrics_octave/ and tools/make_metric_fixtures.py:
 * Park-Miller streams and IEEE-exact map recipes, so reference values need no stored inputs.
 */
final class RefGen {
    private RefGen() {}

    /** n successive Park-Miller uniforms in (0,1) from state s (pm_draws.m). */
    static double[] draws(long s, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            s = (16807 * s) % 2147483647L;
            v[k] = s / 2147483647.0;
        }
        return v;
    }

    /** A map from recipe tokens: "smooth R C seed cyf cxf s2f noise [ops]" or "const R C value [ops]" (gen_map). */
    static Map2D map(String[] t) {
        int r = Integer.parseInt(t[1]), c = Integer.parseInt(t[2]);
        double[] m = new double[r * c];
        int k;
        if (t[0].equals("smooth")) {
            long seed = Long.parseLong(t[3]);
            double cyf = d(t[4]), cxf = d(t[5]), s2f = d(t[6]), noise = d(t[7]);
            double[] u = draws(seed, r * c);
            double cy = cyf * r, cx = cxf * c, s2 = s2f * r * c;
            for (int y = 0; y < r; y++) {
                for (int x = 0; x < c; x++) {
                    double dr = y - cy, dc = x - cx, q = (dr * dr + dc * dc) / s2;
                    m[y * c + x] = noise * u[y * c + x] + 1 / (1 + q);
                }
            }
            k = 8;
        } else if (t[0].equals("const")) {
            Arrays.fill(m, d(t[3]));
            k = 4;
        } else {
            throw new IllegalArgumentException("unknown recipe " + t[0]);
        }
        while (k < t.length) {
            switch (t[k]) {
                case "add" -> { double a = d(t[k + 1]); for (int i = 0; i < m.length; i++) m[i] += a; k += 2; }
                case "mul" -> { double a = d(t[k + 1]); for (int i = 0; i < m.length; i++) m[i] *= a; k += 2; }
                case "quant" -> { for (int i = 0; i < m.length; i++) m[i] = Math.floor(m[i] * 64) / 64; k += 1; }
                case "sparse" -> { double a = d(t[k + 1]); for (int i = 0; i < m.length; i++) if (m[i] < a) m[i] = 0; k += 2; }
                case "delta" -> {
                    Arrays.fill(m, 0);
                    m[Integer.parseInt(t[k + 1]) * c + Integer.parseInt(t[k + 2])] = 1;
                    k += 3;
                }
                default -> throw new IllegalArgumentException("unknown op " + t[k]);
            }
        }
        return new Map2D(c, r, m);
    }

    /** K fixations spread around (cyf·R, cxf·C) (gen_fix): tokens "R C seed K cyf cxf spread". */
    static Fixations fixations(String[] t) {
        return fixations(Integer.parseInt(t[0]), Integer.parseInt(t[1]), Long.parseLong(t[2]), Integer.parseInt(t[3]),
                d(t[4]), d(t[5]), d(t[6]));
    }

    static Fixations fixations(int rows, int cols, long seed, int k, double cyf, double cxf, double spread) {
        double[] u = draws(seed, 2 * k);
        int[] xs = new int[k], ys = new int[k];
        for (int i = 0; i < k; i++) {
            ys[i] = (int) Math.min(Math.max(Math.floor((cyf + spread * (u[2 * i] - 0.5)) * rows), 0), rows - 1);
            xs[i] = (int) Math.min(Math.max(Math.floor((cxf + spread * (u[2 * i + 1] - 0.5)) * cols), 0), cols - 1);
        }
        return Fixations.of(cols, rows, xs, ys);
    }

    static double d(String s) { return RefData.num(s); }

    /**
     * Replays the random streams of tools/metrics_octave/stubs: rand (jitter, column-major), randi (AUC-Borji,
     * column-major 1-based linear indices) and randperm (sAUC, Fisher-Yates continuing across splits, applied to
     * MATLAB's column-major list of negative pixels).
     */
    static final class Replay implements Randomness {
        private final int w, h, splits;
        private final long bseed;
        private long pstate;
        private final double[] jit;
        private double[] borji;

        Replay(int w, int h, long jseed, long bseed, long pstate, int splits) {
            this.w = w; this.h = h; this.bseed = bseed; this.pstate = pstate; this.splits = splits;
            jit = draws(jseed, w * h);
        }

        private int fromColumnMajor(long i0) { return (int) (i0 % h) * w + (int) (i0 / h); }

        @Override public double jitter(int rowMajor) { return jit[(rowMajor % w) * h + rowMajor / w]; }

        @Override public void uniformPixels(int split, int nPixels, int[] out) {
            if (borji == null) borji = draws(bseed, out.length * splits);
            for (int i = 0; i < out.length; i++) {
                long v = 1 + (long) Math.floor(borji[split * out.length + i] * nPixels);
                out[i] = fromColumnMajor(v - 1);
            }
        }

        @Override public void subset(int split, int[] pool, int[] out) {
            Integer[] cm = Arrays.stream(pool).boxed().toArray(Integer[]::new);
            Arrays.sort(cm, (a, b) -> Integer.compare((a % w) * h + a / w, (b % w) * h + b / w));
            int n = cm.length;
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i + 1;
            long s = pstate;
            for (int i = n; i >= 2; i--) {
                s = (16807 * s) % 2147483647L;
                int j = 1 + (int) Math.floor(s / 2147483647.0 * i);
                int t = p[i - 1]; p[i - 1] = p[j - 1]; p[j - 1] = t;
            }
            pstate = s;
            for (int i = 0; i < out.length; i++) out[i] = cm[p[i] - 1];
        }
    }
}
