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
     * bfloat16 autocast, on CPU or CUDA. bfloat16 keeps 8 bits of mantissa, so maps differ from FP32 by about
     * 2e-3 (max abs difference measured on avsal-r-tiny with random weights; see the predictor tests). On the CPU
     * it is slower, not faster: the float32 weights are cast on every call, and the 2-core development machine
     * streamed avsal-r-b16 at 441 ms/frame in BF16 against 273 ms in FP32 (224x224). Use it for memory, or on CUDA.
     */
    BF16,
    /** float16 autocast; CUDA only (LibTorch's CPU kernels have no fast float16 path): refused on the CPU. */
    FP16
}
