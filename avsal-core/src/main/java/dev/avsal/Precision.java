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
     * 2e-3 (max abs difference measured on avsal-r-tiny with random weights; see the predictor tests). On a CPU with
     * bfloat16 instructions (AVX512_BF16, AMX) the encoders run about 1.7x faster than in FP32 (the matrix products
     * go to oneDNN; attention is computed as in {@link dev.avsal.model.Attention}); on CPUs without them bfloat16 is
     * emulated and may be slower than FP32. {@code avsal bench --section encoders} times both on your machine.
     */
    BF16,
    /** float16 autocast; CUDA only (LibTorch's CPU kernels have no fast float16 path): refused on the CPU. */
    FP16
}
