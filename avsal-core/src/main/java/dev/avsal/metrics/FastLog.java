package dev.avsal.metrics;

/**
 * Natural logarithm for the KL-divergence loop, about three times faster than {@link Math#log} and within a few
 * ulps of it (relative error below 1e-15; near 1 the result keeps full relative accuracy because values within
 * 1/512 of 1 go through log1p directly). Non-positive, subnormal, infinite and NaN arguments defer to
 * {@link Math#log}. Stateless.
 */
final class FastLog {
    private FastLog() {}

    private static final int LO = 66, HI = 128; // table centres 1 + k/256 for k in [-LO, HI] cover [0.745, 1.5)
    private static final double[] LOG_C = new double[LO + HI + 1], INV_C = new double[LO + HI + 1];
    private static final double LN2 = Math.log(2);

    static {
        for (int k = -LO; k <= HI; k++) {
            double c = 1 + k / 256.0;
            LOG_C[k + LO] = Math.log(c);
            INV_C[k + LO] = 1 / c;
        }
    }

    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) (bits >>> 52); // sign bit set for negatives makes e > 2047
        if (e == 0 || e >= 0x7ff) return Math.log(x);
        e -= 1023;
        double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L); // [1, 2)
        if (m >= 1.5 - 1.0 / 512) { m *= 0.5; e++; } // now m in [0.748, 1.498)
        int k = (int) Math.floor((m - 1) * 256 + 0.5);
        double c = 1 + k / 256.0;
        double r = (m - c) * INV_C[k + LO]; // m - c is exact (Sterbenz); |r| < 0.0027
        // log1p(r) by its Taylor series to r^7: truncation below 1e-19 relative
        double p = r * (1 + r * (-0.5 + r * (1.0 / 3 + r * (-0.25 + r * (0.2 + r * (-1.0 / 6 + r * (1.0 / 7)))))));
        return (e * LN2 + LOG_C[k + LO]) + p;
    }
}
