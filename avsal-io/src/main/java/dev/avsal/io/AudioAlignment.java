package dev.avsal.io;

/**
 * Where the audio window of a frame lies relative to the frame's timestamp t (its display time, see
 * {@link VideoFrame#ptsMicros()}); the window length is set separately (ImageBind: 2 s). Samples outside the audio
 * track (before its start, after its end, or in a video without audio) are zeros.
 *
 * <p>With an audio hop h &gt; 0 ({@link VideoReader.Builder#optAudioHop}) the frames are grouped into hop slots
 * [k h, (k + 1) h) counted from time 0 of the file, and every frame of slot k gets the same window, placed by the
 * same rule relative to the slot instead of the frame: ending at the slot's end, centred on its middle, or starting
 * at its start. The window then contains the whole slot (when h is at most the window length), so each frame's own
 * moment is inside its window. Our choice (the paper does not say how windows follow frames).
 */
public enum AudioAlignment {
    /**
     * [t - length, t): the sound heard up to the moment the frame appears (default). Causal with hop 0; with a hop
     * the window ends at the slot's end, so it may hear up to one hop past the frame.
     */
    ENDING_AT_FRAME,
    /** [t - length/2, t + length/2): the sound around the frame (with a hop: around the slot's middle). */
    CENTERED,
    /** [t, t + length) (with a hop: from the slot's start). */
    STARTING_AT_FRAME;

    /**
     * First sample (at {@code rate} Hz, may be negative) of the {@code length}-sample window of a frame at t, with
     * frames grouped into slots of {@code hop} samples (0: each frame its own window).
     */
    long firstSample(long ptsMicros, int rate, int length, long hop) {
        long at = Math.round(ptsMicros * (double) rate / 1e6);
        if (hop > 0) {
            long k = Math.floorDiv(at, hop);
            at = switch (this) {
                case ENDING_AT_FRAME -> (k + 1) * hop;
                case CENTERED -> k * hop + hop / 2;
                case STARTING_AT_FRAME -> k * hop;
            };
        }
        return switch (this) {
            case ENDING_AT_FRAME -> at - length;
            case CENTERED -> at - length / 2;
            case STARTING_AT_FRAME -> at;
        };
    }
}
