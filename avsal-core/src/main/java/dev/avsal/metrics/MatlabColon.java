package dev.avsal.metrics;

/**
 * MATLAB's {@code a:d:b} for doubles, as MathWorks documents the colon operator: the element count is rounded
 * with a tolerance of 2·eps·max(|a|,|b|), the end point snaps to {@code b} when within that tolerance, the first
 * half is a + k·d, the second half is end − k·d, and an odd-length vector's middle is (a + end)/2. The MIT
 * AUC-Borji and shuffled-AUC thresholds ({@code 0:0.1:max}) depend on these exact values (Octave's ranges differ
 * in the last bit: 0.6000000000000001 where MATLAB has 0.6). Stateless.
 */
final class MatlabColon {
    private MatlabColon() {}

    static double[] colon(double a, double d, double b) {
        if (d == 0 || Double.isNaN(a) || Double.isNaN(d) || Double.isNaN(b) || (d > 0 && a > b) || (d < 0 && a < b)) {
            return new double[0];
        }
        double tol = 2.0 * Math.ulp(1.0) * Math.max(Math.abs(a), Math.abs(b));
        double sig = Math.signum(d);
        double n = matlabRound((b - a) / d);
        if (sig * (a + n * d - b) > tol) n = n - 1;
        double c = a + n * d;
        if (sig * (c - b) > -tol) c = b;
        int len = (int) n + 1;
        double[] v = new double[len];
        int nn = (int) n;
        for (int k = 0; k <= nn / 2; k++) {
            v[k] = a + k * d;
            v[nn - k] = c - k * d;
        }
        if (nn % 2 == 0) v[nn / 2] = (a + c) / 2;
        return v;
    }

    /** MATLAB round: halves away from zero. */
    static double matlabRound(double x) {
        double f = Math.floor(Math.abs(x));
        double r = Math.abs(x) - f >= 0.5 ? f + 1 : f;
        return Math.copySign(r, x);
    }
}
