/**
 * Frozen foundation encoders on LibTorch (bytedeco pytorch presets), float32: the CLIP ViT image tower
 * ({@link dev.avsal.model.ClipVisionEncoder}) and ImageBind's audio branch
 * ({@link dev.avsal.model.ImageBindAudioEncoder}), loaded from official, open_clip and Hugging Face weight files
 * through {@link dev.avsal.checkpoint.Checkpoints} with complete mismatch reports
 * ({@link dev.avsal.model.WeightMismatchException}).
 *
 * <p>Memory rule for the whole package: objects own their native memory until {@code close()}; every forward
 * pass frees its temporaries itself, and its results belong to the caller's innermost open
 * {@link org.bytedeco.javacpp.PointerScope}, or to the caller when none is open. Natives are loaded by
 * {@link dev.avsal.model.LibTorch}; run with {@code OMP_WAIT_POLICY=PASSIVE}.
 */
package dev.avsal.model;
