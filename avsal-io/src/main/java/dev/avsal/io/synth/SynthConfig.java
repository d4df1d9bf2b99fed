package dev.avsal.io.synth;

/**
 * Settings of the synthetic audio-visual saliency task ({@link SynthGenerator}). Immutable; build with
 * {@link #builder()}.
 *
 * <p>Every value here is an avsal choice (the AVSal paper has no synthetic task): small discs of distinct colours
 * wander over a textured grey background, each colour has its own pure tone, exactly one disc per clip sounds, and the
 * ground truth follows the sounding disc. The tones are spread over the mel range so that each lands in its own row of
 * audio patches (300, 700, 1600 and 3600 Hz sit in mel bins of about 18, 35, 60 and 94 of 128).
 *
 * @param clips           number of clips
 * @param frames          frames per clip
 * @param fps             frame rate
 * @param width           frame width in pixels (even)
 * @param height          frame height in pixels (even)
 * @param minObjects      fewest discs per clip (at least 2: with one disc vision alone would suffice)
 * @param maxObjects      most discs per clip (at most the number of colours)
 * @param radius          disc radius in pixels
 * @param fixationsPerFrame fixations drawn per frame around the sounding disc
 * @param fixationSigma   standard deviation of fixations and of the density Gaussian, in pixels
 * @param noise           white-noise amplitude added to the audio
 * @param seed            random seed (clip i depends only on seed and i)
 */
public record SynthConfig(int clips, int frames, double fps, int width, int height, int minObjects, int maxObjects,
                          double radius, int fixationsPerFrame, double fixationSigma, double noise, long seed) {
    /** Disc colours (RGB) and their tones (Hz), index-aligned. */
    static final int[][] COLOURS = {{230, 40, 40}, {40, 200, 60}, {50, 90, 245}, {240, 215, 40}};
    static final double[] TONES = {300, 700, 1600, 3600};
    /** Audio sample rate of the generated clips (ImageBind's). */
    public static final int SAMPLE_RATE = 16_000;

    public SynthConfig {
        if (clips < 1) throw new IllegalArgumentException("clips must be >= 1, got " + clips);
        if (frames < 1) throw new IllegalArgumentException("frames must be >= 1, got " + frames);
        if (!(fps > 0 && fps <= 120)) throw new IllegalArgumentException("fps must be in (0, 120], got " + fps);
        if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0)
            throw new IllegalArgumentException("frame size must be even and at least 16x16, got " + width + "x" + height);
        if (minObjects < 2 || maxObjects < minObjects || maxObjects > COLOURS.length)
            throw new IllegalArgumentException("objects per clip must satisfy 2 <= min <= max <= " + COLOURS.length
                    + ", got " + minObjects + ".." + maxObjects);
        if (!(radius >= 2 && radius * 4 < Math.min(width, height)))
            throw new IllegalArgumentException("radius " + radius + " does not fit a " + width + "x" + height + " frame");
        if (fixationsPerFrame < 1) throw new IllegalArgumentException("fixationsPerFrame must be >= 1");
        if (!(fixationSigma > 0)) throw new IllegalArgumentException("fixationSigma must be > 0");
        if (!(noise >= 0 && noise < 1)) throw new IllegalArgumentException("noise must be in [0, 1)");
    }

    /** Number of colours (= tones) available. */
    public static int colours() { return COLOURS.length; }

    /** The tone of colour {@code c} in Hz. */
    public static double tone(int c) { return TONES[c]; }

    /** A builder with the demo's defaults: 112x112, 16 frames at 8 fps, 2-3 discs of radius 12. */
    public static Builder builder() { return new Builder(); }

    /** Builder: {@code set*} for the dataset size, {@code opt*} for the rest. */
    public static final class Builder {
        private int clips = 48, frames = 16, width = 112, height = 112, minObjects = 2, maxObjects = 3, fixations = 12;
        private double fps = 8, radius = 12, sigma = 6, noise = 0.02;
        private long seed = 1;

        private Builder() {}

        public Builder setClips(int n) { clips = n; return this; }
        public Builder optFrames(int n) { frames = n; return this; }
        public Builder optFps(double f) { fps = f; return this; }
        public Builder optSize(int w, int h) { width = w; height = h; return this; }
        public Builder optObjects(int min, int max) { minObjects = min; maxObjects = max; return this; }
        public Builder optRadius(double r) { radius = r; return this; }
        public Builder optFixationsPerFrame(int n) { fixations = n; return this; }
        public Builder optFixationSigma(double s) { sigma = s; return this; }
        public Builder optNoise(double a) { noise = a; return this; }
        public Builder optSeed(long s) { seed = s; return this; }

        public SynthConfig build() {
            return new SynthConfig(clips, frames, fps, width, height, minObjects, maxObjects, radius, fixations, sigma,
                    noise, seed);
        }
    }
}
