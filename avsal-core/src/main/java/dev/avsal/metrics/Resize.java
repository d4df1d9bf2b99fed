package dev.avsal.metrics;

/**
 * The two resampling rules the benchmark protocols use to bring a prediction to the ground-truth size.
 * Stateless and thread-safe; a same-size call returns its input unchanged.
 */
public final class Resize {
    private Resize() {}

    /**
     * MATLAB {@code imresize(A, [height width])} with its defaults: bicubic (Keys, a = -0.5), antialiasing when
     * shrinking (kernel stretched by 1/scale and scaled by scale), weights of each output sample normalised to
     * sum 1, mirrored ('symmetric') borders, the dimension with the smaller scale resized first. Double precision.
     * This follows MATLAB's documented algorithm, not Octave's {@code imresize} (which does not normalise the
     * weights when shrinking). One deliberate difference: a constant map (a 1×1 map included) stays exactly
     * constant. MATLAB's weighted sums leave rounding noise of about 1e-17 there, which the metrics' min-max or
     * z-score normalisation would blow up into meaningless scores instead of the NaN a constant map deserves.
     */
    public static Map2D matlabBicubic(Map2D src, int outWidth, int outHeight) {
        checkSize(outWidth, outHeight);
        if (src.width() == outWidth && src.height() == outHeight) return src;
        double[] d = src.data();
        boolean constant = true;
        for (int i = 1; i < d.length && constant; i++) constant = d[i] == d[0];
        if (constant) return Map2D.filled(outWidth, outHeight, d[0]);
        double scaleRows = (double) outHeight / src.height(), scaleCols = (double) outWidth / src.width();
        Map2D m = src;
        if (scaleRows <= scaleCols) { // MATLAB sorts the scales ascending; a tie keeps rows first
            m = bicubicRows(m, outHeight);
            m = bicubicCols(m, outWidth);
        } else {
            m = bicubicCols(m, outWidth);
            m = bicubicRows(m, outHeight);
        }
        return m;
    }

    /**
     * OpenCV {@code cv2.resize(A, (width, height))} with its default INTER_LINEAR on a float64 map, as the pip
     * wheels of OpenCV compute it: the same as {@code opencvBilinear(src, outWidth, outHeight, OpenCvFlavor.IPP)}.
     */
    public static Map2D opencvBilinear(Map2D src, int outWidth, int outHeight) {
        return opencvBilinear(src, outWidth, outHeight, OpenCvFlavor.IPP);
    }

    /**
     * OpenCV {@code cv2.resize(A, (width, height))} with its default INTER_LINEAR on a float64 map, bit for bit
     * as the given kind of OpenCV build computes it (see {@link OpenCvFlavor}; the two differ by up to about
     * 5e-6). Both sample at half-pixel centres and replicate the border pixels.
     *
     * @throws IllegalArgumentException on a non-positive output size or a null flavour
     */
    public static Map2D opencvBilinear(Map2D src, int outWidth, int outHeight, OpenCvFlavor flavor) {
        checkSize(outWidth, outHeight);
        if (flavor == null) throw new IllegalArgumentException("OpenCV flavour is null");
        if (src.width() == outWidth && src.height() == outHeight) return src;
        // IPP's linear resize needs two source samples per axis; OpenCV falls back to its own code otherwise
        return flavor == OpenCvFlavor.IPP && src.width() >= 2 && src.height() >= 2
                ? ippBilinear(src, outWidth, outHeight)
                : opencvOwnBilinear(src, outWidth, outHeight);
    }

    /** IPP's double-precision linear resize: fused coordinate and interpolation, along rows, then columns. */
    private static Map2D ippBilinear(Map2D src, int ow, int oh) {
        int sw = src.width(), sh = src.height();
        int[] x0 = new int[ow], x1 = new int[ow], y0 = new int[oh], y1 = new int[oh];
        double[] fx = ippTaps(sw, ow, x0, x1), fy = ippTaps(sh, oh, y0, y1);
        double[] in = src.data(), tmp = new double[sh * ow];
        for (int y = 0; y < sh; y++) {
            int s = y * sw, d = y * ow;
            for (int x = 0; x < ow; x++) {
                double a = in[s + x0[x]];
                tmp[d + x] = Math.fma(in[s + x1[x]] - a, fx[x], a); // equal border taps give a exactly
            }
        }
        double[] out = new double[oh * ow];
        for (int y = 0; y < oh; y++) {
            int r0 = y0[y] * ow, r1 = y1[y] * ow, d = y * ow;
            double w = fy[y];
            for (int x = 0; x < ow; x++) {
                double a = tmp[r0 + x];
                out[d + x] = Math.fma(tmp[r1 + x] - a, w, a);
            }
        }
        return new Map2D(ow, oh, out);
    }

    /** Fills the two clamped source indices per output sample; returns the weights of the second one. */
    private static double[] ippTaps(int in, int out, int[] i0, int[] i1) {
        double step = (double) in / out;
        double[] f = new double[out];
        for (int d = 0; d < out; d++) {
            double c = Math.fma(d + 0.5, step, -0.5);
            double fl = Math.floor(c);
            f[d] = c - fl; // exact
            int k = (int) fl;
            i0[d] = clamp(k, in);
            i1[d] = clamp(k + 1, in);
        }
        return f;
    }

    /** OpenCV's own (non-IPP) float64 linear resize. */
    private static Map2D opencvOwnBilinear(Map2D src, int outWidth, int outHeight) {
        int sw = src.width(), sh = src.height();
        double invSx = (double) outWidth / sw, invSy = (double) outHeight / sh;
        double sx = 1. / invSx, sy = 1. / invSy;
        long isx = Math.round(sx), isy = Math.round(sy);
        if (Math.abs(sx - isx) < 0x1p-52 && Math.abs(sy - isy) < 0x1p-52 && isx == 2 && isy == 2) {
            return areaHalve(src, outWidth, outHeight);
        }
        double[] in = src.data();
        // horizontal coefficient table
        int[] xofs = new int[outWidth];
        double[] a0 = new double[outWidth], a1 = new double[outWidth];
        int xmax = outWidth;
        for (int dx = 0; dx < outWidth; dx++) {
            float fx = (float) ((dx + 0.5) * sx - 0.5);
            int x0 = (int) Math.floor(fx);
            fx -= x0;
            if (x0 < 0) { fx = 0; x0 = 0; }
            if (x0 + 1 >= sw) {
                xmax = Math.min(xmax, dx);
                if (x0 >= sw - 1) { fx = 0; x0 = sw - 1; }
            }
            xofs[dx] = x0;
            a0[dx] = 1.f - fx;
            a1[dx] = fx;
        }
        // horizontal pass over every source row, then vertical blend of two clamped rows
        double[] tmp = new double[sh * outWidth];
        for (int y = 0; y < sh; y++) {
            int s = y * sw, d = y * outWidth;
            for (int dx = 0; dx < outWidth; dx++) {
                int x0 = s + xofs[dx];
                tmp[d + dx] = dx < xmax ? in[x0] * a0[dx] + in[x0 + 1] * a1[dx] : in[x0];
            }
        }
        double[] out = new double[outHeight * outWidth];
        for (int dy = 0; dy < outHeight; dy++) {
            float fy = (float) ((dy + 0.5) * sy - 0.5);
            int y0 = (int) Math.floor(fy);
            fy -= y0;
            double b0 = 1.f - fy, b1 = fy;
            int r0 = clamp(y0, sh) * outWidth, r1 = clamp(y0 + 1, sh) * outWidth, d = dy * outWidth;
            for (int x = 0; x < outWidth; x++) out[d + x] = tmp[r0 + x] * b0 + tmp[r1 + x] * b1;
        }
        return new Map2D(outWidth, outHeight, out);
    }

    private static Map2D areaHalve(Map2D src, int ow, int oh) {
        double[] in = src.data(), out = new double[ow * oh];
        int sw = src.width();
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int s = 2 * y * sw + 2 * x;
                double sum = 0;
                sum += in[s] + in[s + 1] + in[s + sw] + in[s + sw + 1];
                out[y * ow + x] = sum * 0.25;
            }
        }
        return new Map2D(ow, oh, out);
    }

    private static int clamp(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

    /** Per output sample of one dimension: the source indices and normalised weights MATLAB's imresize uses. */
    record Contributions(int[][] index, double[][] weight) {}

    static Contributions contributions(int inLen, int outLen) {
        double scale = (double) outLen / inLen;
        boolean shrink = scale < 1; // antialiasing stretches the kernel only when shrinking
        double kernelWidth = shrink ? 4 / scale : 4;
        int taps = (int) Math.ceil(kernelWidth) + 2;
        int[][] index = new int[outLen][];
        double[][] weight = new double[outLen][];
        double[] w = new double[taps];
        for (int o = 0; o < outLen; o++) {
            double u = (o + 1) / scale + 0.5 * (1 - 1 / scale); // 1-based output coordinate mapped to input
            double left = Math.floor(u - kernelWidth / 2);
            double sum = 0;
            for (int k = 0; k < taps; k++) {
                double d = u - (left + k);
                w[k] = shrink ? scale * cubic(scale * d) : cubic(d);
                sum += w[k];
            }
            int nz = 0;
            for (int k = 0; k < taps; k++) if (w[k] != 0) nz++;
            int[] idx = new int[nz];
            double[] wt = new double[nz];
            for (int k = 0, j = 0; k < taps; k++) {
                if (w[k] == 0) continue; // zero taps add nothing; MATLAB drops all-zero columns likewise
                long i0 = (long) left + k - 1; // 0-based, may lie outside
                long m = Math.floorMod(i0, 2L * inLen);
                idx[j] = (int) (m < inLen ? m : 2L * inLen - 1 - m); // mirror with the edge sample repeated
                wt[j++] = w[k] / sum;
            }
            index[o] = idx;
            weight[o] = wt;
        }
        return new Contributions(index, weight);
    }

    /** Keys' cubic convolution kernel with a = -0.5, written as MATLAB's imresize writes it. */
    static double cubic(double x) {
        double ax = Math.abs(x), ax2 = ax * ax, ax3 = ax2 * ax;
        if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
        if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
        return 0;
    }

    private static Map2D bicubicRows(Map2D m, int outH) {
        if (m.height() == outH) return m;
        Contributions c = contributions(m.height(), outH);
        int w = m.width();
        double[] in = m.data(), out = new double[outH * w];
        for (int o = 0; o < outH; o++) {
            int[] idx = c.index()[o];
            double[] wt = c.weight()[o];
            int d = o * w;
            for (int k = 0; k < idx.length; k++) {
                int s = idx[k] * w;
                double wk = wt[k];
                for (int x = 0; x < w; x++) out[d + x] += wk * in[s + x];
            }
        }
        return new Map2D(w, outH, out);
    }

    private static Map2D bicubicCols(Map2D m, int outW) {
        if (m.width() == outW) return m;
        Contributions c = contributions(m.width(), outW);
        int h = m.height(), w = m.width();
        double[] in = m.data(), out = new double[h * outW];
        for (int y = 0; y < h; y++) {
            int s = y * w, d = y * outW;
            for (int o = 0; o < outW; o++) {
                int[] idx = c.index()[o];
                double[] wt = c.weight()[o];
                double acc = 0;
                for (int k = 0; k < idx.length; k++) acc += wt[k] * in[s + idx[k]];
                out[d + o] = acc;
            }
        }
        return new Map2D(outW, h, out);
    }

    private static void checkSize(int w, int h) {
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("output size must be positive, got " + w + "x" + h);
    }
}
