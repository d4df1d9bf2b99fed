package dev.avsal;

import java.util.Objects;

/**
 * The audio heard with a frame: 16 kHz mono float samples, normally ImageBind's 2 s window (32,000 samples). Shorter
 * windows are padded and longer ones cropped to 204 fbank frames (2.06 s) by ImageBind's preprocessing; at least
 * {@link #MIN_SAMPLES} and at most {@link #MAX_SAMPLES} samples are accepted.
 *
 * <p><b>Reuse.</b> The audio encoder runs once per distinct window, and every frame that shares the window reuses its
 * encoding. Windows are matched
 * <ul>
 *   <li>by {@link #key()} when it is not null: equal keys (by {@code equals}) mean the same window, and the samples
 *       of the second and later windows with that key are not even read. Use it when you know the grouping (e.g. the
 *       window's start sample), and never give two different windows one key within a video (keys are forgotten on
 *       {@link SaliencySession#reset()} and between calls of {@link AvSalPredictor#predict});</li>
 *   <li>by content otherwise: a hash of the samples finds the candidate and a full comparison confirms it, so a
 *       decoder that refills one array in place is safe, and equal content is always shared.</li>
 * </ul>
 *
 * <p>The array is not copied: do not change it until the call that receives the window has returned.
 *
 * @param samples 16 kHz mono samples
 * @param key     the window's identity, or null to match by content
 */
public record AudioWindow(float[] samples, Object key) {
    /** Fewest samples: one 25 ms fbank frame. */
    public static final int MIN_SAMPLES = 400;
    /** Most samples: 60 s (a longer window is almost certainly a whole track passed by mistake). */
    public static final int MAX_SAMPLES = 60 * 16_000;
    /** ImageBind's window: 2 s at 16 kHz. */
    public static final int SAMPLES_2S = 32_000;

    public AudioWindow {
        Objects.requireNonNull(samples, "samples");
    }

    /** A window matched by content. */
    public static AudioWindow of(float[] samples) { return new AudioWindow(samples, null); }

    /** A window matched by {@code key} (see the class comment). */
    public static AudioWindow keyed(Object key, float[] samples) {
        return new AudioWindow(samples, Objects.requireNonNull(key, "key"));
    }

    /** 2 s of silence (all zeros), matched by content. */
    public static AudioWindow silence() { return of(new float[SAMPLES_2S]); }

    @Override
    public String toString() {
        return "AudioWindow[" + samples.length + " samples" + (key == null ? "" : ", key " + key) + "]";
    }
}
