/**
 * Saliency metrics (CC, NSS, SIM, KLD, AUC-Judd, AUC-Borji, shuffled AUC) with the exact semantics of three
 * benchmark protocols, in double precision, pure Java.
 *
 * <ul>
 * <li>{@link dev.avsal.metrics.Metrics}: single metrics with the MIT saliency benchmark semantics
 *     (cvzoya/saliency {@code code_forMetrics}); the NaN rules are listed there.</li>
 * <li>{@link dev.avsal.metrics.Protocol} / {@link dev.avsal.metrics.Scorer}: all seven values of one frame under
 *     MIT, AIM 2024 ({@code bench.py}) or STAViS preparation, returned as {@link dev.avsal.metrics.Scores}.</li>
 * <li>{@link dev.avsal.metrics.Resize}: MATLAB's bicubic {@code imresize} and OpenCV's bilinear
 *     {@code cv2.resize}, the latter as either kind of OpenCV build computes it
 *     ({@link dev.avsal.metrics.OpenCvFlavor}: pip wheels with Intel IPP, the AIM 2024 default, or a
 *     distribution's build without IPP); {@link dev.avsal.metrics.CenterPrior}: the centre-bias baseline
 *     predictor.</li>
 * <li>Data: {@link dev.avsal.metrics.Map2D} (row-major double map), {@link dev.avsal.metrics.Fixations}
 *     (integer pixel coordinates, duplicates kept).</li>
 * </ul>
 *
 * <p>Verification (tests in this package): the MIT and STAViS MATLAB code run under GNU Octave
 * ({@code tools/metrics_octave_reference.m}), with the reference's own random draws replayed, agree within 1e-13
 * relative; the randomised metrics on their own generator agree with Octave's over 200 seeds in mean and spread;
 * {@link dev.avsal.metrics.Resize#matlabBicubic} matches outputs saved by MATLAB itself within 6e-14; the AIM
 * 2024 {@code bench.py} run with numpy and OpenCV ({@code tools/make_metric_fixtures.py}) agrees within 5e-14
 * (AUC-Judd within 2e-16) and its {@code cv2.resize} bit for bit, both for pip opencv-python 5.0.0 with IPP
 * 2026.0.0 ({@link dev.avsal.metrics.OpenCvFlavor#IPP}) and for Debian's python3-opencv 4.6.0 without IPP
 * ({@link dev.avsal.metrics.OpenCvFlavor#NO_IPP}).
 *
 * <p>Deliberate differences from the reference code, all for inputs where it computes with rounding noise or
 * complex numbers: a constant prediction scores NaN where the metric divides by its spread (MATLAB's
 * {@code mean} of a constant map, or a resize or blur of one, is off by an ulp and the normalisation inflates
 * that into arbitrary scores); KLD of a prediction with negative values is NaN (MATLAB: complex). Octave-only
 * quirks (its {@code corr} of a single pixel is 1) are not reproduced.
 *
 * <p>Every class is stateless or immutable and thread-safe; none starts threads.
 */
package dev.avsal.metrics;
