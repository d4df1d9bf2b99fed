package dev.avsal.model.head;

/**
 * Shape of one {@link CrossAttentionFusion} level.
 *
 * <p>AVSal-R choice (the AVSal paper states only "cross-attention-based fusion at multiple levels"):
 * {@code dim} = 128 by default, a width that keeps fusion + ConvGRU + decoder in the low millions of parameters
 * (spec §1.2 reads ~1–3 M new parameters out of the 1288.7 M total); 4 heads (head width 32, a common width for
 * small attention layers); FFN ratio 2 (half the usual 4, enough for a per-token mix after attention at a
 * quarter of the usual cost); LayerNorm eps 1e-5 (PyTorch's default, so that PyTorch-trained heads port exactly).
 *
 * @param visualWidth channels of the visual tap tokens (768 for CLIP ViT-B/16)
 * @param audioWidth  channels of the audio tokens (768 for ImageBind-huge audio)
 * @param dim         fused width d
 * @param heads       attention heads; must divide {@code dim}
 * @param ffnRatio    hidden width of the FFN as a multiple of {@code dim}
 * @param eps         LayerNorm epsilon
 */
public record FusionConfig(int visualWidth, int audioWidth, int dim, int heads, int ffnRatio, double eps) {
    public FusionConfig {
        HeadChecks.positive("visualWidth", visualWidth);
        HeadChecks.positive("audioWidth", audioWidth);
        HeadChecks.positive("dim", dim);
        HeadChecks.positive("heads", heads);
        HeadChecks.positive("ffnRatio", ffnRatio);
        if (dim % heads != 0) throw new IllegalArgumentException("fusion: dim " + dim + " is not a multiple of heads " + heads);
        if (!(eps > 0) || !Double.isFinite(eps)) throw new IllegalArgumentException("fusion: eps must be finite and > 0, got " + eps);
    }

    /** Defaults: 4 heads, FFN ratio 2, eps 1e-5. */
    public static FusionConfig of(int visualWidth, int audioWidth, int dim) {
        return new FusionConfig(visualWidth, audioWidth, dim, 4, 2, 1e-5);
    }

    /** Width of one attention head. */
    public int headDim() { return dim / heads; }
}
