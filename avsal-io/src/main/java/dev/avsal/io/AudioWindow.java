package dev.avsal.io;

/**
 * Where the audio window of a frame lies relative to the frame's timestamp t (its display time, see
 * {@link VideoFrame#ptsMicros()}); the window length is set separately (ImageBind: 2 s). Samples outside the audio
 * track (before its start, after its end, or in a video without audio) are zeros.
 */
public enum AudioWindow {
    /** [t - length, t): the sound heard up to the moment the frame appears (default; causal, streaming friendly). */
    ENDING_AT_FRAME,
    /** [t - length/2, t + length/2): the sound around the frame. */
    CENTERED,
    /** [t, t + length). */
    STARTING_AT_FRAME;

    /** First sample (at {@code rate} Hz, may be negative) of the {@code length}-sample window of a frame at t. */
    long firstSample(long ptsMicros, int rate, int length) {
        long at = Math.round(ptsMicros * (double) rate / 1e6);
        return switch (this) {
            case ENDING_AT_FRAME -> at - length;
            case CENTERED -> at - length / 2;
            case STARTING_AT_FRAME -> at;
        };
    }
}
