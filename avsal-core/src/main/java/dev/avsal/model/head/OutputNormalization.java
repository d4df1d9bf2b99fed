package dev.avsal.model.head;

import org.bytedeco.pytorch.Tensor;

/**
 * How saliency logits become a map. Applied by {@link AvSalHead#normalize(Tensor)}, separately from the forward
 * pass, so that training can take the logits (numerically stable losses) and inference the map.
 *
 * <p>AVSal-R choice: {@link #SIGMOID} by default. It gives per-pixel values in (0, 1), matches a BCE-trained head,
 * and the AIM benchmark min-max normalises anyway (spec §1.3). {@link #SPATIAL_SOFTMAX} gives a probability
 * distribution per frame (sums to 1), the natural output for KLD-trained heads.
 */
public enum OutputNormalization {
    /** Per-pixel logistic: values in (0, 1). */
    SIGMOID("sigmoid"),
    /** Softmax over the H x W pixels of each map: non-negative, sums to 1 per map. */
    SPATIAL_SOFTMAX("spatial_softmax");

    private final String jsonName;

    OutputNormalization(String jsonName) { this.jsonName = jsonName; }

    /** The name used in the config JSON (and by tools/avsal_head.py). */
    public String jsonName() { return jsonName; }

    /** Parses {@link #jsonName()}. */
    public static OutputNormalization fromJson(String name) {
        for (OutputNormalization o : values()) if (o.jsonName.equals(name)) return o;
        throw new IllegalArgumentException("output normalisation: unknown name '" + name + "' (sigmoid, spatial_softmax)");
    }

    /** Maps logits {@code [..., H, W]} (at least 2-d) to saliency maps of the same shape. */
    public Tensor apply(Tensor logits) {
        if (logits.dim() < 2) throw new IllegalArgumentException("logits: need at least 2 dimensions, got " + logits.dim());
        return switch (this) {
            case SIGMOID -> logits.sigmoid();
            case SPATIAL_SOFTMAX -> logits.flatten(-2, -1).softmax(-1).view(logits.sizes().vec().get());
        };
    }
}
