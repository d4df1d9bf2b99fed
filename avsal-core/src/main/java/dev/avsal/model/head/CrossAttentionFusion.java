package dev.avsal.model.head;

import dev.avsal.model.Attention;
import java.util.List;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One fusion level: visual tokens attend to audio tokens.
 *
 * <pre>
 *   x  = visual_proj(visual)                       [N, Lq, d]
 *   a  = norm_kv(audio_proj(audio))                [N, Lk, d]
 *   x  = x + out_proj(MHA(q_proj(norm_q(x)), k_proj(a), v_proj(a)))
 *   x  = x + ffn.2(GELU(ffn.0(norm_ffn(x))))
 * </pre>
 *
 * AVSal-R choices, with reasons:
 * <ul>
 *   <li>Visual tokens are the queries, audio the keys/values: the output must stay a spatial map, and in AV saliency
 *       the sound decides where to look, not the reverse (spec §1.3).</li>
 *   <li>Linear projections 768→d per level (not shared): each CLIP depth has its own statistics.</li>
 *   <li>Pre-norm with residuals around attention and FFN: stable training of a small head on frozen features, and
 *       the visual stream passes through unchanged when audio is uninformative.</li>
 *   <li>Separate {@code q_proj/k_proj/v_proj} weights (not one packed in_proj): a fused kernel reads this layout.</li>
 *   <li>Softmax attention scaled by 1/sqrt(head width); GELU in its exact (erf) form, PyTorch's default.</li>
 * </ul>
 * Parameter names equal the PyTorch state-dict keys of {@code tools/avsal_head.py}.
 *
 * <p>Thread-safety: forward passes may run concurrently once the weights are loaded; loading is not thread-safe.
 */
public class CrossAttentionFusion extends Module {
    private final FusionConfig config;
    private final LinearImpl visualProj, audioProj, qProj, kProj, vProj, outProj, ffnIn, ffnOut;
    private final LayerNormImpl normQ, normKv, normFfn;

    public CrossAttentionFusion(FusionConfig config) {
        super("CrossAttentionFusion");
        this.config = config;
        int d = config.dim();
        visualProj = register_module("visual_proj", new LinearImpl(config.visualWidth(), d));
        audioProj = register_module("audio_proj", new LinearImpl(config.audioWidth(), d));
        normQ = register_module("norm_q", layerNorm(d, config.eps()));
        normKv = register_module("norm_kv", layerNorm(d, config.eps()));
        qProj = register_module("q_proj", new LinearImpl(d, d));
        kProj = register_module("k_proj", new LinearImpl(d, d));
        vProj = register_module("v_proj", new LinearImpl(d, d));
        outProj = register_module("out_proj", new LinearImpl(d, d));
        normFfn = register_module("norm_ffn", layerNorm(d, config.eps()));
        // A plain container named like nn.Sequential's children ("0", GELU at "1" has no parameters, "2").
        Module ffn = register_module("ffn", new Module("Sequential"));
        ffnIn = ffn.register_module("0", new LinearImpl(d, (long) config.ffnRatio() * d));
        ffnOut = ffn.register_module("2", new LinearImpl((long) config.ffnRatio() * d, d));
    }

    private static LayerNormImpl layerNorm(int d, double eps) {
        LayerNormOptions o = new LayerNormOptions(new LongVector(new long[] {d})); // not new LongVector(d): size-d vector
        o.eps().put(eps);
        return new LayerNormImpl(o);
    }

    public FusionConfig config() { return config; }

    /**
     * @param visual visual tokens {@code [N, Lq, visualWidth]} (CLS already dropped)
     * @param audio  audio tokens {@code [N, Lk, audioWidth]}
     * @return fused tokens {@code [N, Lq, dim]}
     * @throws IllegalArgumentException on wrong shapes or non-finite values
     */
    public Tensor forward(Tensor visual, Tensor audio) {
        HeadChecks.tensor("visual tokens", visual, -1, -1, config.visualWidth());
        long n = visual.size(0), lq = visual.size(1);
        HeadChecks.tensor("audio tokens", audio, n, -1, config.audioWidth());
        return forwardUnchecked(visual, audio);
    }

    /** The forward pass without validation (callers that validated already). */
    Tensor forwardUnchecked(Tensor visual, Tensor audio) {
        long n = visual.size(0), lq = visual.size(1), lk = audio.size(1);
        long h = config.heads(), hd = config.headDim(), d = config.dim();
        Tensor x = visualProj.forward(visual);
        Tensor ap = audioProj.forward(audio);
        // Fused native kernel (avsal-native) when one takes these tensors; otherwise the LibTorch ops below.
        Tensor fused = KernelHook.fusion(x, ap, this::blockParams, (int) h, config.eps());
        if (fused != null) return fused;
        Tensor a = normKv.forward(ap);
        Tensor q = qProj.forward(normQ.forward(x)).view(n, lq, h, hd).transpose(1, 2);
        Tensor k = kProj.forward(a).view(n, lk, h, hd).transpose(1, 2);
        Tensor v = vProj.forward(a).view(n, lk, h, hd).transpose(1, 2);
        Tensor att = Attention.scaledDotProduct(q, k, v).transpose(1, 2).reshape(n, lq, d);
        x = x.add(outProj.forward(att));
        return x.add(ffnOut.forward(torch.gelu(ffnIn.forward(normFfn.forward(x)))));
    }

    /** The block's parameters after the input projections, in the order of {@link HeadKernels#fusionBlock}. */
    private List<Tensor> blockParams() {
        return List.of(normQ.weight(), normQ.bias(), normKv.weight(), normKv.bias(), qProj.weight(), qProj.bias(),
                kProj.weight(), kProj.bias(), vProj.weight(), vProj.bias(), outProj.weight(), outProj.bias(),
                normFfn.weight(), normFfn.bias(), ffnIn.weight(), ffnIn.bias(), ffnOut.weight(), ffnOut.bias());
    }
}
