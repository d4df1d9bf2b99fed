package dev.avsal.predict;

/**
 * Bilinear resampling of a single-channel float map with PyTorch's {@code align_corners=False} convention,
 * generalised by an affine placement so that it also undoes a crop.
 *
 * <p>Destination pixel {@code x} reads the source at {@code s = scale * (x + 0.5) - 0.5 - offset}, clamped to
 * {@code [0, srcSize - 1]}; so with {@code scale = src/dst} and {@code offset = 0} it equals
 * {@code F.interpolate(mode="bilinear", align_corners=False, antialias=False)} (within 2e-7 on maps in [0, 1]), and
 * positions outside the source repeat its edge. The source position is computed in float with a fused
 * multiply-add, as LibTorch's x86 CPU kernel evaluates it: rounding it twice moved positions far from the origin by
 * an ulp and values by up to 1e-6.
 *
 * <p>Stateless and thread-safe.
 */
public final class MapResampler {
    private MapResampler() {}

    /** One axis: for each destination index, the two source indices and the weight of the second. */
    private record Axis(int[] i0, int[] i1, float[] w1) {
        static Axis of(int srcSize, int dstSize, float scale, float offset) {
            int[] i0 = new int[dstSize], i1 = new int[dstSize];
            float[] w1 = new float[dstSize];
            for (int x = 0; x < dstSize; x++) {
                float s = Math.fma(scale, x + 0.5f, -0.5f) - offset;
                s = Math.max(0f, Math.min(s, srcSize - 1));
                int a = (int) s; // s >= 0: truncation is floor
                i0[x] = a;
                i1[x] = a < srcSize - 1 ? a + 1 : a;
                w1[x] = s - a;
            }
            return new Axis(i0, i1, w1);
        }
    }

    /** Plain bilinear resize of {@code src} ({@code srcW x srcH}, row-major) to {@code dstW x dstH}. */
    public static float[] resize(float[] src, int srcW, int srcH, int dstW, int dstH) {
        if (srcW == dstW && srcH == dstH) return src.clone();
        return resample(src, srcW, srcH, dstW, dstH, (float) srcW / dstW, 0f, (float) srcH / dstH, 0f);
    }

    /**
     * General form: destination (x, y) reads the source at ({@code scaleX*(x+0.5)-0.5-offsetX},
     * {@code scaleY*(y+0.5)-0.5-offsetY}), clamped to the source.
     */
    public static float[] resample(float[] src, int srcW, int srcH, int dstW, int dstH, float scaleX, float offsetX,
                                   float scaleY, float offsetY) {
        if (srcW < 1 || srcH < 1 || dstW < 1 || dstH < 1 || (long) srcW * srcH != src.length)
            throw new IllegalArgumentException("resample: bad sizes " + srcW + "x" + srcH + " (" + src.length
                    + " values) -> " + dstW + "x" + dstH);
        Axis ax = Axis.of(srcW, dstW, scaleX, offsetX), ay = Axis.of(srcH, dstH, scaleY, offsetY);
        float[] out = new float[dstW * dstH];
        float[] row = new float[dstW];
        for (int y = 0; y < dstH; y++) {
            int r0 = ay.i0[y] * srcW, r1 = ay.i1[y] * srcW;
            float wy = ay.w1[y];
            for (int x = 0; x < dstW; x++) {
                float wx = ax.w1[x];
                int c0 = ax.i0[x], c1 = ax.i1[x];
                float top = (1 - wx) * src[r0 + c0] + wx * src[r0 + c1];
                float bottom = (1 - wx) * src[r1 + c0] + wx * src[r1 + c1];
                row[x] = (1 - wy) * top + wy * bottom;
            }
            System.arraycopy(row, 0, out, y * dstW, dstW);
        }
        return out;
    }
}
