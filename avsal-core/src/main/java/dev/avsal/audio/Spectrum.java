package dev.avsal.audio;

/**
 * Power spectrum |X[k]|², k = 0..n/2, of a real frame of length n (even): a radix-2 real FFT when n is a power of
 * two (one complex FFT of n/2 points plus the usual split), otherwise a direct DFT from a precomputed table (only
 * reached with {@code round_to_power_of_two=false}).
 *
 * <p>Immutable tables; every call takes its scratch space from the caller, so one instance serves many threads.
 */
final class Spectrum {
    private final int n;
    private final int half;
    private final boolean radix2;
    // radix-2: bit-reversal permutation and twiddles of the n/2-point complex FFT, then the split twiddles
    private final int[] bitrev;
    private final double[] twCos;
    private final double[] twSin;
    private final double[] splitCos;
    private final double[] splitSin;
    // direct DFT: cos/sin of 2*pi*j/n
    private final double[] dftCos;
    private final double[] dftSin;

    Spectrum(int n) {
        if (n < 2 || (n & 1) != 0) throw new IllegalArgumentException("FFT size must be even and >= 2, got " + n);
        this.n = n;
        this.half = n / 2;
        this.radix2 = Integer.bitCount(n) == 1;
        if (radix2) {
            int m = half;
            int bits = Integer.numberOfTrailingZeros(m);
            bitrev = new int[m];
            for (int i = 0; i < m; i++) bitrev[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            twCos = new double[Math.max(1, m / 2)];
            twSin = new double[twCos.length];
            for (int k = 0; k < m / 2; k++) {
                double a = 2 * Math.PI * k / m;
                twCos[k] = Math.cos(a);
                twSin[k] = Math.sin(a);
            }
            splitCos = new double[m + 1];
            splitSin = new double[m + 1];
            for (int k = 0; k <= m; k++) {
                double a = 2 * Math.PI * k / n;
                splitCos[k] = Math.cos(a);
                splitSin[k] = Math.sin(a);
            }
            dftCos = dftSin = null;
        } else {
            bitrev = null;
            twCos = twSin = splitCos = splitSin = null;
            dftCos = new double[n];
            dftSin = new double[n];
            for (int j = 0; j < n; j++) {
                double a = 2 * Math.PI * j / n;
                dftCos[j] = Math.cos(a);
                dftSin[j] = Math.sin(a);
            }
        }
    }

    int size() { return n; }

    /** Scratch length {@link #power} needs (two arrays of it). */
    int scratchLength() { return Math.max(1, half); }

    /**
     * Writes |X[k]|² for k = 0..n/2 into {@code out} (length >= n/2+1). {@code x} (length >= n) is left unchanged;
     * {@code re} and {@code im} are scratch of length >= {@link #scratchLength()}.
     */
    void power(double[] x, double[] re, double[] im, double[] out) {
        if (!radix2) {
            directPower(x, out);
            return;
        }
        int m = half;
        for (int i = 0; i < m; i++) {
            int r = bitrev[i];
            re[r] = x[2 * i];
            im[r] = x[2 * i + 1];
        }
        for (int size = 2; size <= m; size <<= 1) {
            int hs = size >> 1;
            int step = m / size;
            for (int j = 0; j < hs; j++) {
                double wr = twCos[j * step];
                double wi = -twSin[j * step];
                for (int a = j; a < m; a += size) {
                    int b = a + hs;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
        // Split the packed transform Z (z[m] = x[2m] + i x[2m+1]) into the real-input spectrum:
        // X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i, W = e^{-2 pi i / n}.
        for (int k = 0; k <= m; k++) {
            int k1 = k == m ? 0 : k;
            int k2 = k == 0 ? 0 : m - k;
            double er = 0.5 * (re[k1] + re[k2]);
            double ei = 0.5 * (im[k1] - im[k2]);
            double or = 0.5 * (im[k1] + im[k2]);
            double oi = -0.5 * (re[k1] - re[k2]);
            double c = splitCos[k], s = splitSin[k];
            double xr = er + c * or + s * oi;
            double xi = ei + c * oi - s * or;
            out[k] = xr * xr + xi * xi;
        }
    }

    private void directPower(double[] x, double[] out) {
        for (int k = 0; k <= half; k++) {
            double sr = 0, si = 0;
            int idx = 0;
            for (int j = 0; j < n; j++) {
                sr += x[j] * dftCos[idx];
                si -= x[j] * dftSin[idx];
                idx += k;
                if (idx >= n) idx -= n;
            }
            out[k] = sr * sr + si * si;
        }
    }
}
