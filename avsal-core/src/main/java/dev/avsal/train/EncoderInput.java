package dev.avsal.train;

import dev.avsal.AvSalConfig;

/**
 * What the encoders take and give for a model config: the frame size, the CLIP patch grid and the tapped CLIP blocks.
 * One derivation for {@link FeatureCache} and {@link EncoderFeatures}, whose features must agree.
 */
record EncoderInput(int height, int width, int gridH, int gridW, int[] taps) {
    static EncoderInput of(AvSalConfig c) {
        int p = c.clip().patchSize();
        return new EncoderInput(c.inputHeight(), c.inputWidth(), c.inputHeight() / p, c.inputWidth() / p,
                c.head().taps().stream().mapToInt(Integer::intValue).toArray());
    }

    /** Patches per frame (the CLS token excluded). */
    long patches() { return (long) gridH * gridW; }
}
