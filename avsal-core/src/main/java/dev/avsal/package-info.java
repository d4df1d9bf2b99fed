/**
 * avsal's public API: audio-visual video saliency with AVSal-R.
 *
 * <ul>
 *   <li>{@link dev.avsal.AvSalConfig}: the presets ({@code avsal-r-b16}, {@code avsal-r-tiny}) with their structure,
 *       weight sources and licences.</li>
 *   <li>{@link dev.avsal.AvSalModel}: the loaded model (combined file, head-only file + official encoder files,
 *       PyTorch head conversion, random init); immutable, shareable, AutoCloseable.</li>
 *   <li>{@link dev.avsal.AvSalPredictor}: built with {@code set*} (weights) and {@code opt*} (device, precision,
 *       threads, clip length, input size, resize mode); predicts clips, batches of clips and videos;
 *       thread-safe.</li>
 *   <li>{@link dev.avsal.SaliencySession}: frame-by-frame streaming with the GRU state carried; one per video.</li>
 *   <li>Inputs {@link dev.avsal.Frame} and {@link dev.avsal.AudioWindow} (plain Java arrays, no native types); output
 *       {@link dev.avsal.SaliencyMap}.</li>
 *   <li>Errors: {@link dev.avsal.AvSalException} and its subclasses ({@link dev.avsal.InvalidInputException},
 *       {@link dev.avsal.DeviceException}, the checkpoint and model exceptions); use after close is an
 *       IllegalStateException.</li>
 * </ul>
 *
 * Native memory: every prediction frees its temporaries in its own {@code PointerScope} before returning; what
 * lives longer (weights, GRU states, cached audio encodings) is owned by a model, predictor or session and freed by
 * its {@code close()}.
 */
package dev.avsal;
