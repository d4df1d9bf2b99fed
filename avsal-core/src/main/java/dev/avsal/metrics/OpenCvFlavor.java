package dev.avsal.metrics;

/**
 * Which OpenCV build's arithmetic {@link Resize#opencvBilinear(Map2D, int, int, OpenCvFlavor)} reproduces for
 * {@code cv2.resize(map, size)} (INTER_LINEAR) on a float64 map. The two kinds of build agree to about 5e-6 on
 * the resized values, which moves SIM, CC, NSS and KLD by about 1e-9 relative and AUC-Judd by up to 1e-4 (its
 * thresholds are the resized values at the fixations, so a changed order of two values changes the curve).
 * Immutable and thread-safe.
 */
public enum OpenCvFlavor {
    /**
     * OpenCV built with Intel IPP, as the pip wheels ({@code opencv-python}, {@code opencv-python-headless}) are:
     * OpenCV hands a float64 INTER_LINEAR resize to IPP's linear resize, which works in double precision
     * throughout. Source coordinate {@code (d + 0.5)·(in/out) − 0.5} as one fused multiply-add, weight = its
     * fractional part, replicated borders, each interpolation {@code a + (b − a)·w} as one fused multiply-add,
     * along each row first, then down the columns. No special case for an exact 2× shrink (IPP runs before OpenCV's INTER_AREA
     * shortcut). A source only one pixel wide or high is refused by IPP's linear resize (it needs two samples
     * per axis), so OpenCV falls back to its own code: that case computes as {@link #NO_IPP}.
     *
     * <p>Verified bit for bit against {@code cv2.resize} of opencv-python 5.0.0 with IPP 2026.0.0 on an x86-64
     * CPU with FMA (shrinking, enlarging, mixed, exact 2× shrink, one-pixel source, all borders). IPP picks its
     * code by CPU at run time; this is its AVX2/AVX-512 code, which every x86-64 CPU since about 2013 selects.
     * Not pinned by the reference: whether IPP forms the step as {@code in/out} or {@code 1/(out/in)} (equal for
     * every size in the reference; they differ in the last bit for some sizes, e.g. 224 → 1080, which changes
     * resized values by about 1e-16).
     */
    IPP,
    /**
     * OpenCV built without IPP, as Linux distributions ship it (e.g. Debian's python3-opencv); an IPP build
     * after {@code cv2.ipp.setUseIPP(False)} takes the same code (not checked against a reference). Source
     * coordinate rounded to float, coefficients held as float, products and sums in double, replicated borders;
     * an exact 2× shrink of both sides takes OpenCV's INTER_AREA shortcut (mean of 2×2 blocks). Verified bit for
     * bit against Debian 12's python3-opencv 4.6.0.
     */
    NO_IPP
}
