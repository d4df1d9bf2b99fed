package dev.avsal.model.head;

/**
 * Shape of the {@link ConvGru}.
 *
 * <p>AVSal-R choice: hidden width = fused width d (the GRU runs on the fused deepest level in place, so the decoder
 * sees the same width at every level); 3x3 kernels for both input and hidden convolutions (as UNISAL, spec §1.3:
 * a 3x3 receptive field per step lets saliency drift by one patch per frame).
 *
 * @param dim    input and hidden channels
 * @param kernel odd square kernel size; padding kernel/2 keeps the grid size
 */
public record ConvGruConfig(int dim, int kernel) {
    public ConvGruConfig {
        HeadChecks.positive("gru dim", dim);
        if (kernel < 1 || kernel % 2 == 0) throw new IllegalArgumentException("gru: kernel must be odd and >= 1, got " + kernel);
    }

    /** 3x3 kernels. */
    public static ConvGruConfig of(int dim) { return new ConvGruConfig(dim, 3); }
}
