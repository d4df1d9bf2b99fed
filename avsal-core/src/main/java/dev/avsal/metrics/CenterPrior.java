package dev.avsal.metrics;

/**
 * The centre-bias baseline predictor: an axis-aligned Gaussian centred on the frame,
 * P(x, y) = exp(−(x − cx)²/(2σx²) − (y − cy)²/(2σy²)) with cx = (W − 1)/2, cy = (H − 1)/2 (pixel centres),
 * σx = f·W and σy = f·H, so it stretches with the aspect ratio like the classic MIT "center" model. The default
 * f = 1/4 is our choice: the AIM 2024 CenterPrior submission's exact parameters are not published. The peak
 * is 1; every metric here is invariant to that scale. Stateless and thread-safe.
 */
public final class CenterPrior {
    private CenterPrior() {}

    /** Default σ as a fraction of the width and height. */
    public static final double DEFAULT_SIGMA_FRACTION = 0.25;

    /** The default centre prior for a width×height frame. */
    public static Map2D predict(int width, int height) { return predict(width, height, DEFAULT_SIGMA_FRACTION); }

    /** A centre prior with σx = fraction·width, σy = fraction·height. */
    public static Map2D predict(int width, int height, double sigmaFraction) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        if (!(sigmaFraction > 0) || Double.isInfinite(sigmaFraction)) {
            throw new IllegalArgumentException("sigma fraction must be positive, got " + sigmaFraction);
        }
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        double sx = sigmaFraction * width, sy = sigmaFraction * height;
        double[] gx = new double[width], gy = new double[height];
        for (int x = 0; x < width; x++) gx[x] = Math.exp(-(x - cx) * (x - cx) / (2 * sx * sx));
        for (int y = 0; y < height; y++) gy[y] = Math.exp(-(y - cy) * (y - cy) / (2 * sy * sy));
        double[] d = new double[Math.multiplyExact(width, height)];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) d[y * width + x] = gy[y] * gx[x];
        return new Map2D(width, height, d);
    }
}
