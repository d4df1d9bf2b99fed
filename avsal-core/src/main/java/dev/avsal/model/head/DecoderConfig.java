package dev.avsal.model.head;

/**
 * Shape of the {@link SaliencyDecoder}.
 *
 * <p>AVSal-R choice: width d at every pyramid level (no channel pyramid: the ViT taps all have the same width, and
 * a single width keeps the top-down sums free of projections); the prediction head narrows to d/2 before the 1x1
 * output convolution (a cheap bottleneck as in DPT's head).
 *
 * @param dim    channels of every level
 * @param output how logits become maps ({@link OutputNormalization#SIGMOID} by default)
 */
public record DecoderConfig(int dim, OutputNormalization output) {
    public DecoderConfig {
        if (dim < 2) throw new IllegalArgumentException("decoder: dim must be >= 2, got " + dim);
        if (output == null) throw new IllegalArgumentException("decoder: output normalisation is null");
    }

    /** Sigmoid output. */
    public static DecoderConfig of(int dim) { return new DecoderConfig(dim, OutputNormalization.SIGMOID); }

    /** Channels of the prediction head's hidden convolution: d/2. */
    public int headChannels() { return dim / 2; }
}
