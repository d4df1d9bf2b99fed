package dev.avsal.model;

import java.util.Locale;

/**
 * Structure of ImageBind's audio branch (facebookresearch/ImageBind {@code imagebind_model.py}, commit 53680b0):
 * a Conv2d patch stem over a log-mel spectrogram, a CLS token and learned positions, pre-norm transformer blocks
 * whose attention appends learned {@code bias_k}/{@code bias_v} tokens, a LayerNorm + Linear head and the fixed
 * logit scaling. LayerNorm eps is 1e-5 in the stem and 1e-6 in the blocks and the head; the MLP uses exact GELU.
 *
 * @param width        token width ({@code audio_embed_dim})
 * @param layers       transformer blocks ({@code audio_num_blocks})
 * @param heads        attention heads ({@code audio_num_heads}); ImageBind-huge uses {@code width / 64}
 * @param outputDim    embedding size ({@code out_embed_dim})
 * @param kernel       stem kernel side ({@code audio_kernel_size})
 * @param stride       stem stride ({@code audio_stride}); not recorded in the weights
 * @param melBins      mel bins of the input ({@code audio_num_mel_bins})
 * @param targetLength frames of the input ({@code audio_target_len})
 * @param mlpWidth     MLP hidden size ({@code 4 * width})
 */
public record ImageBindAudioConfig(int width, int layers, int heads, int outputDim, int kernel, int stride,
                                   int melBins, int targetLength, int mlpWidth) {

    /** LayerNorm eps of the stem's norm layer (nn.LayerNorm default). */
    public static final double STEM_EPS = 1e-5;
    /** LayerNorm eps inside the blocks and in the head. */
    public static final double BLOCK_EPS = 1e-6;
    /** Upper clamp of the logit scale ({@code LearnableLogitScaling.max_logit_scale}). */
    public static final double MAX_LOGIT_SCALE = 100;
    /** Where the official ImageBind-huge weights are published (no checksum is published). */
    public static final String HUGE_URL = "https://dl.fbaipublicfiles.com/imagebind/imagebind_huge.pth";

    /** ImageBind-huge's audio branch (width 768, 12 blocks, 12 heads, 1024-d embedding, 229 tokens). */
    public static final ImageBindAudioConfig HUGE = new ImageBindAudioConfig(768, 12, 12, 1024, 16, 10, 128, 204,
            3072);

    public ImageBindAudioConfig {
        if (width < 1 || layers < 1 || heads < 1 || outputDim < 1 || mlpWidth < 1 || kernel < 1 || stride < 1)
            throw new IllegalArgumentException("invalid ImageBind audio config: " + describe(width, layers, heads,
                    outputDim, kernel, stride, melBins, targetLength));
        if (width % heads != 0)
            throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        if (melBins < kernel || targetLength < kernel)
            throw new IllegalArgumentException("input " + melBins + "x" + targetLength + " is smaller than the kernel "
                    + kernel);
    }

    /** A config with ImageBind's defaults for the stem and input (kernel 16, stride 10, 128 x 204) and MLP 4x. */
    public ImageBindAudioConfig(int width, int layers, int heads, int outputDim) {
        this(width, layers, heads, outputDim, 16, 10, 128, 204, 4 * width);
    }

    /** Patch rows (frequency): {@code (melBins - kernel) / stride + 1}, 12 for ImageBind. */
    public int freqPatches() { return (melBins - kernel) / stride + 1; }

    /** Patch columns (time): {@code (targetLength - kernel) / stride + 1}, 19 for ImageBind. */
    public int timePatches() { return (targetLength - kernel) / stride + 1; }

    /** Tokens: CLS plus the patches, 229 for ImageBind. */
    public int tokens() { return 1 + freqPatches() * timePatches(); }

    /** Width of one attention head. */
    public int headDim() { return width / heads; }

    /** A copy with another head count. */
    public ImageBindAudioConfig withHeads(int h) {
        return new ImageBindAudioConfig(width, layers, h, outputDim, kernel, stride, melBins, targetLength, mlpWidth);
    }

    /** A copy with another stem stride and input size (neither is recorded in the weights). */
    public ImageBindAudioConfig withInput(int newStride, int newMelBins, int newTargetLength) {
        return new ImageBindAudioConfig(width, layers, heads, outputDim, kernel, newStride, newMelBins,
                newTargetLength, mlpWidth);
    }

    @Override
    public String toString() {
        return describe(width, layers, heads, outputDim, kernel, stride, melBins, targetLength) + ", mlp " + mlpWidth;
    }

    private static String describe(int width, int layers, int heads, int outputDim, int kernel, int stride,
                                   int melBins, int targetLength) {
        return String.format(Locale.ROOT, "ImageBind audio (width %d, %d layers, %d heads, out %d, kernel %d stride %d,"
                + " input %dx%d)", width, layers, heads, outputDim, kernel, stride, melBins, targetLength);
    }
}
