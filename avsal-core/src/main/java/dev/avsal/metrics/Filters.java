package dev.avsal.metrics;

/** The STAViS prediction post-processing ({@code postprocessMap.m} with sigma 2). Stateless. */
final class Filters {
    private Filters() {}

    static final double STAVIS_SIGMA = 2;

    /**
     * 255·P clipped to [0, 255], rescaled so its maximum is 255, min-max normalised to [0, 1]
     * ({@code normalizeImage1}: a constant map becomes 0.5), then blurred with MATLAB's
     * {@code fspecial('gaussian', 2·ceil(3σ)+1, σ)} under {@code imfilter(..., 'symmetric', 'conv')}.
     * Returns null where the reference produces an all-NaN map (nothing above 0 after clipping: 0/0). A constant
     * map comes out as exactly 0.5 everywhere (MATLAB's blur leaves rounding noise there, see
     * {@link Resize#matlabBicubic}).
     */
    static Map2D stavisPostprocess(Map2D pred, double sigma) {
        double[] a = pred.data();
        int n = a.length;
        double[] s = new double[n];
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = 255 * a[i];
            v = v > 255 ? 255 : (v < 0 ? 0 : v);
            s[i] = v;
            mx = Math.max(mx, v);
        }
        if (!(mx > 0)) return null;
        double hi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            s[i] = (s[i] / mx) * 255;
            hi = Math.max(hi, s[i]);
            lo = Math.min(lo, s[i]);
        }
        if (hi == lo) return Map2D.filled(pred.width(), pred.height(), 0.5);
        for (int i = 0; i < n; i++) s[i] = (s[i] - lo) / (hi - lo);
        return gaussianSymmetric(new Map2D(pred.width(), pred.height(), s), sigma);
    }

    /** Normalised Gaussian of size 2·ceil(3σ)+1, applied separably with mirrored ('symmetric') borders. */
    static Map2D gaussianSymmetric(Map2D m, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(double) (i * i) / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= sum; // the 2-D kernel is the outer product of this one
        int w = m.width(), h = m.height();
        double[] in = m.data(), tmp = new double[w * h], out = new double[w * h], row = new double[w + 2 * r];
        int[] mx = mirror(w, r), my = mirror(h, r);
        // Each output sums its taps in tap order, as a per-pixel loop would (so the result is the same to the
        // bit), but with the tap loop outside the pixel loop: the JIT vectorises the inner loop over x.
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < row.length; i++) row[i] = in[y * w + mx[i]]; // the row with mirrored borders
            int o = y * w;
            for (int j = 0; j < k.length; j++) {
                double kj = k[j];
                for (int x = 0; x < w; x++) tmp[o + x] += kj * row[x + j];
            }
        }
        for (int y = 0; y < h; y++) {
            int o = y * w;
            for (int j = 0; j < k.length; j++) {
                double kj = k[j];
                int src = my[y + j] * w;
                for (int x = 0; x < w; x++) out[o + x] += kj * tmp[src + x];
            }
        }
        return new Map2D(w, h, out);
    }

    /** Source index for padded positions -r..n+r-1 (shifted by r), mirroring with the edge sample repeated. */
    private static int[] mirror(int n, int r) {
        int[] idx = new int[n + 2 * r];
        for (int i = 0; i < idx.length; i++) {
            int m = Math.floorMod(i - r, 2 * n);
            idx[i] = m < n ? m : 2 * n - 1 - m;
        }
        return idx;
    }
}
