package dev.avsal.image;

import java.util.Objects;

/**
 * Bicubic resampling of 8-bit RGB images that reproduces Pillow's {@code Image.resize(size, Image.BICUBIC)}
 * (Pillow 12.3, {@code src/libImaging/Resample.c} and {@code Image.resize}) to the bit:
 * <ul>
 *   <li>separable, one pass per axis; the cubic kernel has a = -0.5 and support 2, widened by the scale factor
 *       when downscaling (antialiasing), and each output pixel's weights are normalised to sum 1;</li>
 *   <li>weights are converted to fixed point with 22 fractional bits (rounded half away from zero), sums start
 *       at one half and are shifted back and clamped to 0..255 after each pass (the intermediate image is
 *       8-bit);</li>
 *   <li>the horizontal pass runs first, except that Pillow >= 12.2 runs the vertical pass first for images more
 *       than 100 times taller than wide whose height shrinks; this class does the same;</li>
 *   <li>a pass whose size does not change is skipped; the same size gives a copy. No {@code reducing_gap}
 *       pre-reduction (Pillow's default, and what torchvision calls).</li>
 * </ul>
 * An instance is a plan for one source size, output size and optional crop of the output: the crop is computed
 * directly (only the output pixels inside it), which gives exactly the pixels of resize-then-crop for less work.
 *
 * <p>Immutable and thread-safe; build one per source size and reuse it for every frame.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private final int srcW, srcH, dstW, dstH, left, top, cropW, cropH;
    private final boolean needH, needV, verticalFirst;
    private final Coeffs hCoeffs, vCoeffs; // for the cropped outputs only; null when the pass is skipped

    private PilResize(int srcW, int srcH, int dstW, int dstH, int left, int top, int cropW, int cropH) {
        RgbImage.checkSize("source", srcW, srcH);
        RgbImage.checkSize("output", dstW, dstH);
        RgbImage.checkSize("crop", cropW, cropH);
        if (left < 0 || top < 0 || left > dstW - cropW || top > dstH - cropH) {
            throw new IllegalArgumentException("crop " + cropW + "x" + cropH + " at (" + left + ", " + top
                    + ") does not fit in the " + dstW + "x" + dstH + " output");
        }
        this.srcW = srcW; this.srcH = srcH; this.dstW = dstW; this.dstH = dstH;
        this.left = left; this.top = top; this.cropW = cropW; this.cropH = cropH;
        needH = dstW != srcW;
        needV = dstH != srcH;
        verticalFirst = srcH > srcW * 100L && dstH < srcH;
        hCoeffs = needH ? Coeffs.bicubic(srcW, dstW, left, cropW) : null;
        vCoeffs = needV ? Coeffs.bicubic(srcH, dstH, top, cropH) : null;
    }

    /** A plan resizing {@code srcW x srcH} images to {@code dstW x dstH}. */
    public static PilResize of(int srcW, int srcH, int dstW, int dstH) {
        return new PilResize(srcW, srcH, dstW, dstH, 0, 0, dstW, dstH);
    }

    /**
     * A plan that resizes to {@code dstW x dstH} and keeps the {@code cropW x cropH} region at (left, top) of the
     * result (as {@code img.resize((dstW, dstH), BICUBIC).crop((left, top, left + cropW, top + cropH))}).
     */
    public static PilResize of(int srcW, int srcH, int dstW, int dstH, int left, int top, int cropW, int cropH) {
        return new PilResize(srcW, srcH, dstW, dstH, left, top, cropW, cropH);
    }

    /** {@code Image.resize((width, height), BICUBIC)} of one image. */
    public static RgbImage resize(RgbImage src, int width, int height) {
        return of(src.width(), src.height(), width, height).apply(src);
    }

    public int sourceWidth() { return srcW; }
    public int sourceHeight() { return srcH; }
    /** Width of the images {@link #apply} returns (the crop width). */
    public int outputWidth() { return cropW; }
    /** Height of the images {@link #apply} returns (the crop height). */
    public int outputHeight() { return cropH; }

    /** Resamples one image of the plan's source size. */
    public RgbImage apply(RgbImage src) {
        Objects.requireNonNull(src, "image");
        if (src.width() != srcW || src.height() != srcH) {
            throw new IllegalArgumentException("image is " + src.width() + "x" + src.height() + ", this plan resizes "
                    + srcW + "x" + srcH + " images");
        }
        byte[] in = src.rgb();
        byte[] out = new byte[cropW * cropH * 3];
        if (!needH && !needV) {
            for (int y = 0; y < cropH; y++) {
                System.arraycopy(in, ((top + y) * srcW + left) * 3, out, y * cropW * 3, cropW * 3);
            }
        } else if (!needV) {
            horizontal(in, srcW, top, cropH, 0, hCoeffs, out);
        } else if (!needH) {
            vertical(in, srcW, 0, left, cropW, vCoeffs, out);
        } else if (!verticalFirst) {
            // horizontal pass over the source rows the kept output rows read, then the vertical pass
            int y0 = vCoeffs.firstInput(), y1 = vCoeffs.endInput();
            byte[] tmp = new byte[cropW * (y1 - y0) * 3];
            horizontal(in, srcW, y0, y1 - y0, 0, hCoeffs, tmp);
            vertical(tmp, cropW, y0, 0, cropW, vCoeffs, out);
        } else {
            int x0 = hCoeffs.firstInput(), x1 = hCoeffs.endInput();
            byte[] tmp = new byte[(x1 - x0) * cropH * 3];
            vertical(in, srcW, 0, x0, x1 - x0, vCoeffs, tmp);
            horizontal(tmp, x1 - x0, 0, cropH, x0, hCoeffs, out);
        }
        return new RgbImage(cropW, cropH, out);
    }

    /**
     * Horizontal pass: for rows [rowStart, rowStart + rows) of {@code in} (inW pixels per row, whose first column is
     * source column {@code colOffset}), writes c.count output columns per row into {@code out}.
     */
    private static void horizontal(byte[] in, int inW, int rowStart, int rows, int colOffset, Coeffs c, byte[] out) {
        int n = c.count, k = c.ksize;
        int[] start = c.start, len = c.len, w = c.weights;
        // one row's channels as separate int arrays: contiguous, branch-free inner loops the JIT handles well
        int[] r = new int[inW], g = new int[inW], b = new int[inW];
        for (int y = 0; y < rows; y++) {
            int inRow = (rowStart + y) * inW * 3;
            for (int x = 0, p = inRow; x < inW; x++, p += 3) {
                r[x] = in[p] & 0xFF;
                g[x] = in[p + 1] & 0xFF;
                b[x] = in[p + 2] & 0xFF;
            }
            int o = y * n * 3;
            for (int xx = 0; xx < n; xx++) {
                int s0 = HALF, s1 = HALF, s2 = HALF;
                int x0 = start[xx] - colOffset;
                int kb = xx * k - x0;
                for (int x = x0, end = x0 + len[xx]; x < end; x++) {
                    int wt = w[kb + x];
                    s0 += r[x] * wt;
                    s1 += g[x] * wt;
                    s2 += b[x] * wt;
                }
                out[o++] = clip8(s0);
                out[o++] = clip8(s1);
                out[o++] = clip8(s2);
            }
        }
    }

    /**
     * Vertical pass: {@code in} has inW pixels per row and its first row is source row {@code rowOffset}; reads
     * columns [colStart, colStart + cols) and writes c.count output rows of {@code cols} pixels into {@code out}.
     */
    private static void vertical(byte[] in, int inW, int rowOffset, int colStart, int cols, Coeffs c, byte[] out) {
        int k = c.ksize;
        int[] acc = new int[cols * 3];
        for (int yy = 0; yy < c.count; yy++) {
            java.util.Arrays.fill(acc, HALF);
            int kb = yy * k;
            // accumulate row by row: contiguous reads, and the same integer sums as Pillow's per-pixel loop
            for (int t = 0, l = c.len[yy]; t < l; t++) {
                int wt = c.weights[kb + t];
                int p = ((c.start[yy] + t - rowOffset) * inW + colStart) * 3;
                for (int i = 0; i < acc.length; i++) acc[i] += (in[p + i] & 0xFF) * wt;
            }
            int o = yy * cols * 3;
            for (int i = 0; i < acc.length; i++) out[o + i] = clip8(acc[i]);
        }
    }

    private static byte clip8(int s) {
        int v = s >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Bicubic kernel with a = -0.5, as Pillow's {@code bicubic_filter} (same operation order). */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** Fixed-point weights of the outputs [first, first + count) of one axis. */
    record Coeffs(int count, int ksize, int[] start, int[] len, int[] weights) {
        int firstInput() { return start[0]; }

        int endInput() {
            int end = 0;
            for (int i = 0; i < count; i++) end = Math.max(end, start[i] + len[i]);
            return end;
        }

        /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for box (0, inSize), support 2. */
        static Coeffs bicubic(int inSize, int outSize, int first, int count) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = 2.0 * filterscale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            double inv = 1.0 / filterscale;
            int[] start = new int[count], len = new int[count], weights = new int[count * ksize];
            double[] k = new double[ksize];
            for (int i = 0; i < count; i++) {
                int xx = first + i;
                double center = 0.0 + (xx + 0.5) * scale;
                double ww = 0.0;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) xmin = 0;
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) xmax = inSize;
                xmax -= xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = PilResize.bicubic((x + xmin - center + 0.5) * inv);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    weights[i * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[i] = xmin;
                len[i] = xmax;
            }
            return new Coeffs(count, ksize, start, len, weights);
        }
    }
}
