package dev.avsal;

/**
 * Arithmetic precision of a predictor's forward passes. Weights stay float32; lower precisions run LibTorch's
 * autocast for the device (matrix products, convolutions and attention in the lower precision, normalisations and
 * the output in float32), entered and left on the calling thread for each call.
 */
public enum Precision {
    /** float32 everywhere (default; the reference for every accuracy statement). */
    FP32,
    /**
     * bfloat16 autocast, on CPU or CUDA. bfloat16 keeps 8 bits of mantissa, so maps differ from FP32 by up to a
     * few 1e-3 (measured on avsal-r-tiny with random weights; see the predictor tests); on this project's 2-core
     * CPU it is not faster than FP32 (the weights are cast per call).
     */
    BF16,
    /** float16 autocast; CUDA only (LibTorch's CPU kernels have no fast float16 path): refused on the CPU. */
    FP16
}
