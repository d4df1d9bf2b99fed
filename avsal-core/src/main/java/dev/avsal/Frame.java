package dev.avsal;

import dev.avsal.image.RgbImage;
import java.util.Objects;

/**
 * One video frame with its audio window and presentation time, the input unit of {@link AvSalPredictor} and
 * {@link SaliencySession}.
 *
 * <p>A frame is either an {@link RgbImage} of any size, which the predictor preprocesses (see {@link ResizeMode})
 * and whose size the map gets back, or an already preprocessed float array: CLIP-normalised, channel-major
 * {@code [3][H][W]} at exactly the predictor's input size (e.g. from
 * {@link dev.avsal.image.ClipImagePreprocessor}); its map stays at the input size.
 *
 * <p>Arrays are not copied: do not change them until the call that receives the frame has returned. Immutable in
 * that sense and safe to share.
 */
public final class Frame {
    private final RgbImage image;
    private final float[] chw;
    private final AudioWindow audio;
    private final long timestampMicros;

    private Frame(RgbImage image, float[] chw, AudioWindow audio, long timestampMicros) {
        this.image = image;
        this.chw = chw;
        this.audio = audio;
        this.timestampMicros = timestampMicros;
    }

    /** A decoded frame (any size), its audio window and its presentation time in microseconds. */
    public static Frame of(RgbImage image, AudioWindow audio, long timestampMicros) {
        return new Frame(Objects.requireNonNull(image, "image"), null, audio, timestampMicros);
    }

    /** A preprocessed frame {@code [3][H][W]} at the predictor's input size. */
    public static Frame preprocessed(float[] chw, AudioWindow audio, long timestampMicros) {
        return new Frame(null, Objects.requireNonNull(chw, "chw"), audio, timestampMicros);
    }

    /** The image, or null for a preprocessed frame. */
    public RgbImage image() { return image; }

    /** The preprocessed values, or null for an image frame (not a copy). */
    public float[] preprocessed() { return chw; }

    /** The audio window (null is refused by the predictor with an {@link InvalidInputException}). */
    public AudioWindow audio() { return audio; }

    public long timestampMicros() { return timestampMicros; }

    @Override
    public String toString() {
        return "Frame[" + (image != null ? image.width() + "x" + image.height() : "preprocessed " + chw.length)
                + ", t=" + timestampMicros + " us, " + audio + "]";
    }
}
