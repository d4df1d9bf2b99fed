package dev.avsal.model.head;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Service interface for fused native kernels of the head (implemented by avsal-native, found with
 * {@link java.util.ServiceLoader}). {@link CrossAttentionFusion} and {@link ConvGru} hand a tensor to the provider
 * only when it {@link #accepts accepts} it, gradients are off and the provider supports the shapes; otherwise
 * they use LibTorch ops. The first provider on the class path wins; without one (avsal-core alone) everything
 * runs on LibTorch ops.
 *
 * <p>Implementations must compute exactly the functions of the LibTorch ops (same parameters, same layout), so
 * that switching changes only rounding. Thread-safety: implementations must be safe for concurrent calls.
 */
public interface HeadKernels {
    /** One line on the provider's state: which library loaded from where, or why none did. */
    String describe();

    /** True when this provider computes on tensors of {@code t}'s device (e.g. CUDA tensors with a usable GPU). */
    boolean accepts(Tensor t);

    /**
     * The fusion block after the two input projections (see {@link CrossAttentionFusion}): {@code x + attention},
     * then {@code + FFN}.
     *
     * @param x      projected visual tokens {@code [N, Lq, d]}
     * @param ap     projected audio tokens {@code [N, Lk, d]} (before {@code norm_kv})
     * @param params the 18 tensors {@code norm_q.weight, norm_q.bias, norm_kv.weight, norm_kv.bias,
     *               q_proj.weight, q_proj.bias, k_proj.weight, k_proj.bias, v_proj.weight, v_proj.bias,
     *               out_proj.weight, out_proj.bias, norm_ffn.weight, norm_ffn.bias, ffn.0.weight, ffn.0.bias,
     *               ffn.2.weight, ffn.2.bias}, PyTorch layout
     * @return the block output {@code [N, Lq, d]}, or null when this provider does not support these shapes or
     *         dtypes (the caller then uses LibTorch ops)
     */
    Tensor fusionBlock(Tensor x, Tensor ap, List<Tensor> params, int heads, double eps);

    /**
     * All steps of the ConvGRU of {@link ConvGru} (3x3 kernels, gates in channel blocks r, z, n).
     *
     * @param seq input {@code [B, T, d, H, W]}
     * @param h0  the state before the first step {@code [B, d, H, W]}, or null for zeros
     * @return every state {@code [B, T, d, H, W]}, or null when not supported here
     */
    Tensor convGru(Tensor seq, Tensor convXWeight, Tensor convXBias, Tensor convHWeight, Tensor h0);

    /** The state of the kernels the head uses: the provider's {@link #describe()}, or why there is none. */
    static String status() { return KernelHook.describe(); }

    /**
     * Replaces the discovered provider (null: back to LibTorch ops only), for tests and applications that
     * configure their own; affects every head in this JVM.
     */
    static void install(HeadKernels provider) { KernelHook.install(provider); }
}
