package dev.avsal;

import dev.avsal.predict.MapResampler;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One predicted saliency map: {@code width x height} float values, row-major, for the frame shown at
 * {@link #timestampMicros()}.
 *
 * <p>Values are the head's output normalisation applied to its logits: per-pixel probabilities in (0, 1) with the
 * default sigmoid ({@link dev.avsal.model.head.OutputNormalization}). By default a predictor returns maps at the
 * size of the source frame (bilinear, see {@link ResizeMode}); {@link #normalized()} and {@link #toBytes()} give
 * the min-max normalised and 8-bit forms that saliency benchmarks and image files use.
 *
 * <p>Immutable and thread-safe: the accessors that return arrays return copies.
 */
public final class SaliencyMap {
    private final int width, height;
    private final long timestampMicros;
    private final float[] values;

    /**
     * @param values {@code width * height} values, row-major (copied)
     * @throws IllegalArgumentException if the sizes and the array disagree
     */
    public SaliencyMap(int width, int height, long timestampMicros, float[] values) {
        this(width, height, timestampMicros, Objects.requireNonNull(values, "values").clone(), true);
    }

    /** No copy: {@code values} is already this map's own array ({@code unused} only tells the constructors apart). */
    private SaliencyMap(int width, int height, long timestampMicros, float[] values, boolean unused) {
        if (width < 1 || height < 1 || (long) width * height != values.length)
            throw new IllegalArgumentException("saliency map " + width + "x" + height + " needs " + (long) width * height
                    + " values, got " + values.length);
        this.width = width;
        this.height = height;
        this.timestampMicros = timestampMicros;
        this.values = values;
    }

    /** Takes ownership of {@code values} without copying (for the predictor). */
    static SaliencyMap wrap(int width, int height, long timestampMicros, float[] values) {
        return new SaliencyMap(width, height, timestampMicros, values, true);
    }

    public int width() { return width; }

    public int height() { return height; }

    /** Presentation time of the frame, microseconds. */
    public long timestampMicros() { return timestampMicros; }

    /** The values, row-major (a copy). */
    public float[] values() { return values.clone(); }

    /** The value at column x, row y. */
    public float get(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return values[y * width + x];
    }

    /** Smallest value. */
    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : values) m = Math.min(m, v);
        return m;
    }

    /** Largest value. */
    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) m = Math.max(m, v);
        return m;
    }

    /**
     * Min-max normalised values {@code (v - min) / (max - min)} in [0, 1] (a new array); all zeros for a constant
     * map.
     */
    public float[] normalized() {
        float lo = min(), range = max() - lo;
        float[] out = new float[values.length];
        if (!(range > 0)) return out;
        for (int i = 0; i < out.length; i++) out[i] = (values[i] - lo) / range;
        return out;
    }

    /** The normalised map as 8-bit gray: {@code round(255 * normalized)} (what saliency PNGs hold). */
    public byte[] toBytes() {
        float[] n = normalized();
        byte[] out = new byte[n.length];
        for (int i = 0; i < n.length; i++) out[i] = (byte) Math.round(n[i] * 255f);
        return out;
    }

    /** {@link #toBytes()} as a TYPE_BYTE_GRAY image (e.g. to write with ImageIO). */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, toBytes());
        return img;
    }

    /**
     * This map resized bilinearly to {@code newWidth x newHeight} (PyTorch {@code interpolate(mode="bilinear",
     * align_corners=False)}); the same values if the size does not change.
     */
    public SaliencyMap resized(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return this;
        return wrap(newWidth, newHeight, timestampMicros, MapResampler.resize(values, width, height, newWidth, newHeight));
    }

    @Override
    public String toString() {
        return "SaliencyMap[" + width + "x" + height + ", t=" + timestampMicros + " us, range " + min() + ".." + max() + "]";
    }
}
