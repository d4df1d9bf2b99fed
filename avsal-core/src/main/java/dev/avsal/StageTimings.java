package dev.avsal;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where prediction time went, summed over calls: frames and audio windows processed, and wall-clock nanoseconds
 * per stage as seen by the calling threads (concurrent calls add up their own times).
 *
 * @param frames        frames predicted
 * @param audioWindows  audio windows encoded (frames that reused a window do not count)
 * @param preprocess    frame preprocessing (resize, normalise, copy into a tensor) and audio-window hashing
 * @param clip          the CLIP tower
 * @param audio         ImageBind fbank and audio branch
 * @param head          fusion, ConvGRU and decoder, and the output normalisation
 * @param postprocess   copying maps out and resizing them to the frame size
 */
public record StageTimings(long frames, long audioWindows, long preprocess, long clip, long audio, long head,
                           long postprocess) {
    /** Total nanoseconds. */
    public long total() { return preprocess + clip + audio + head + postprocess; }

    /** Milliseconds per frame of a stage's nanoseconds. */
    public double msPerFrame(long nanos) { return frames == 0 ? 0 : nanos / 1e6 / frames; }

    /** Milliseconds per encoded audio window. */
    public double msPerAudioWindow() { return audioWindows == 0 ? 0 : audio / 1e6 / audioWindows; }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d frames, %d audio windows; ms/frame: preprocess %.2f, CLIP %.2f, "
                        + "audio %.2f (%.2f per window), head %.2f, postprocess %.2f, total %.2f", frames, audioWindows,
                msPerFrame(preprocess), msPerFrame(clip), msPerFrame(audio), msPerAudioWindow(), msPerFrame(head),
                msPerFrame(postprocess), msPerFrame(total()));
    }

    /** Thread-safe accumulator. */
    static final class Counter {
        final LongAdder frames = new LongAdder(), windows = new LongAdder(), preprocess = new LongAdder(),
                clip = new LongAdder(), audio = new LongAdder(), head = new LongAdder(), post = new LongAdder();

        StageTimings snapshot() {
            return new StageTimings(frames.sum(), windows.sum(), preprocess.sum(), clip.sum(), audio.sum(), head.sum(),
                    post.sum());
        }

        void reset() {
            for (LongAdder a : new LongAdder[] {frames, windows, preprocess, clip, audio, head, post}) a.reset();
        }
    }
}
