package dev.avsal;

/**
 * How a predictor brings an {@link dev.avsal.image.RgbImage} frame of any size to the model's input size, and how
 * the map is brought back to the frame.
 */
public enum ResizeMode {
    /**
     * Pillow-bicubic resize of the whole frame to exactly the input size (aspect ratio not kept). Every pixel of the
     * frame is seen, and the map is resized back bilinearly to the frame size. Default: saliency needs the whole
     * frame.
     */
    EXACT,
    /**
     * CLIP's own transform: shorter side to the input size, then the central square (square input sizes only).
     * The map covers the crop; back in the frame, pixels outside the crop take the value of the nearest crop edge
     * (the model never saw them).
     */
    CENTER_CROP
}
