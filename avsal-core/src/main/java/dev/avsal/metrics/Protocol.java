package dev.avsal.metrics;

/**
 * How a benchmark prepares the maps before scoring. Each constant scores a frame through {@link Scorer} with its
 * defaults; use {@link Scorer#of(Protocol)} to change seed, jitter or split settings.
 */
public enum Protocol {
    /**
     * The MIT saliency benchmark code (cvzoya/saliency {@code code_forMetrics}): the prediction is resized to the
     * ground-truth size with MATLAB's bicubic {@code imresize}; fixations are a binary map (a pixel counts once);
     * AUC-Judd adds the 1e-7 jitter; AUC-Borji and sAUC use 100 splits and thresholds 0:0.1:max.
     */
    MIT,
    /**
     * The AIM 2024 challenge's {@code bench.py}: both maps min-max normalised with float32 eps added to the
     * range, the prediction resized with OpenCV's bilinear {@code cv2.resize}; NSS with population std + 1e-7
     * sampled at every fixation coordinate (duplicates count); SIM and CC with bench.py's 1e-7 guards; AUC-Judd
     * without jitter over every coordinate with bench.py's unique-column count in the false-positive
     * denominator; KLD is bench.py's (unused) {@code kldiv} with eps 2.2204e-16. bench.py has no AUC-Borji or
     * sAUC: those two are MIT's functions applied to the prepared prediction.
     *
     * <p>The resize is by default that of a pip build of OpenCV ({@link OpenCvFlavor#IPP}): the challenge's
     * published environment installs {@code opencv-python==4.7.0.72} with pip (README of
     * msu-video-group/ECCVW24_Saliency_Prediction, "Environment setup"), and the pip wheels ship Intel IPP, to
     * which OpenCV hands this resize. (Checked against opencv-python 5.0.0 with IPP 2026.0.0; 4.7.0.72 ships an
     * older IPP whose arithmetic was not checked.) {@link Scorer#withOpenCvFlavor} selects
     * {@link OpenCvFlavor#NO_IPP} to match bench.py run with a distribution's OpenCV: AUC-Judd then differs by up
     * to about 1e-4, the other metrics by about 1e-9 relative, and only where the prediction is resized.
     */
    AIM2024,
    /**
     * The STAViS audio-visual evaluation ({@code eval_*.m}, {@code postprocessMap.m}): the prediction (expected
     * in [0, 1], as {@code im2double} of an 8-bit frame) is scaled by 255, clipped, rescaled to max 255, min-max
     * normalised and blurred with a Gaussian of sigma 2 (13 taps, symmetric borders), then resized like MIT and
     * scored with the MIT functions. sAUC negatives are the fixations of the same video's other frames
     * ({@link Fixations#stavisNegatives}). STAViS reports CC, SIM, NSS, AUC-J and sAUC; KLD and AUC-Borji are
     * MIT's on the same map. A prediction with nothing above 0 gives all NaN, as in the reference.
     */
    STAVIS;

    /** Scores one frame with this protocol's defaults (seed 0); see {@link Scorer#score}. */
    public Scores score(Map2D prediction, Map2D groundTruth, Fixations fixations, Fixations negatives) {
        return Scorer.of(this).score(prediction, groundTruth, fixations, negatives);
    }
}
