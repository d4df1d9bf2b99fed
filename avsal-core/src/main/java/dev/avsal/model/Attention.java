package dev.avsal.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Scaled dot-product attention as the encoders and the head run it. Internal API; stateless and thread-safe.
 */
public final class Attention {
    private Attention() {}

    /**
     * {@code softmax(q kᵀ / √d) v}: LibTorch's {@code scaled_dot_product_attention}, except for bfloat16 work on the
     * CPU (bfloat16 inputs, or CPU autocast to bfloat16), which runs as two bfloat16 matrix products around a
     * float32 softmax and returns bfloat16, as autocast would. Two measured reasons (LibTorch 2.10, 2-core AVX-512
     * EPYC, batch 8 x 12 heads x 197 tokens x 64): its CPU kernel is about 8x slower in bfloat16 than in float32
     * (140 vs 16 ms), and computing it in float32 instead sends the products to OpenBLAS, whose threads keep
     * spinning after each call and halve the speed of the oneDNN/OpenMP work around them. With this path a CLIP
     * block under BF16 autocast takes 70 ms instead of 130 ms in float32. CUDA tensors and float32 work go straight to
     * LibTorch.
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v) {
        if (q.is_cuda() || !bf16Work(q, k, v)) return torch.scaled_dot_product_attention(q, k, v);
        Tensor scores = bf16(q).mul(new Scalar(1 / Math.sqrt(q.size(-1)))).matmul(bf16(k).transpose(-2, -1));
        Tensor p = torch.softmax(scores.to(torch.ScalarType.Float), -1).to(torch.ScalarType.BFloat16);
        return p.matmul(bf16(v));
    }

    private static boolean bf16Work(Tensor q, Tensor k, Tensor v) {
        if (torch.is_autocast_enabled(torch.DeviceType.CPU)
                && torch.get_autocast_dtype(torch.DeviceType.CPU).intern() == torch.ScalarType.BFloat16) return true;
        return isBf16(q) || isBf16(k) || isBf16(v);
    }

    private static boolean isBf16(Tensor t) {
        return t.scalar_type().intern() == torch.ScalarType.BFloat16;
    }

    private static Tensor bf16(Tensor t) {
        return isBf16(t) ? t : t.to(torch.ScalarType.BFloat16);
    }
}
