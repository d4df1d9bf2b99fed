package dev.avsal;

import dev.avsal.image.RgbImage;
import dev.avsal.model.head.GruState;
import dev.avsal.predict.AudioCache;
import java.util.List;

/**
 * Frame-by-frame prediction for one video: each {@link #push} gives the map of that frame, carrying the ConvGRU
 * state from the previous one, and reusing the audio encoding of the last {@value #AUDIO_WINDOWS} windows. The maps
 * equal those of {@link AvSalPredictor#predict(List)} on the same frames (within 1e-5).
 *
 * <p>Open with {@link AvSalPredictor#open()}; {@link #reset()} starts a new video (h = 0, audio keys forgotten, a
 * new frame size allowed). Frames must come in presentation order and keep one size until the next reset.
 *
 * <p>Thread-safety: a session is one video's state, for one thread at a time. Its methods are synchronized, so
 * concurrent use cannot corrupt native memory, but interleaving two videos in one session gives meaningless maps:
 * use one session per stream (sessions of one predictor may run in parallel).
 *
 * <p>The session holds native memory (the GRU state and cached audio tokens) until {@link #close()}; closing the
 * predictor closes its sessions. Use after close throws IllegalStateException.
 */
public final class SaliencySession implements AutoCloseable {
    /** Audio windows whose encodings are kept. */
    public static final int AUDIO_WINDOWS = 4;

    private final AvSalPredictor predictor;
    private final GruState state = new GruState();
    private final AudioCache cache = new AudioCache(AUDIO_WINDOWS);
    private final StageTimings.Counter timings = new StageTimings.Counter();
    private int[] size;
    private long lastTs = Long.MIN_VALUE, frames;
    private boolean closed;

    SaliencySession(AvSalPredictor predictor) { this.predictor = predictor; }

    /** The map of the next frame: an image of any size, its audio window, its presentation time. */
    public SaliencyMap push(RgbImage image, AudioWindow audio, long timestampMicros) throws AvSalException {
        return push(Frame.of(image, audio, timestampMicros));
    }

    /**
     * The map of the next frame.
     *
     * @throws InvalidInputException if the frame is bad (the state is unchanged)
     * @throws IllegalStateException if this session, its predictor or the model is closed
     */
    public synchronized SaliencyMap push(Frame frame) throws AvSalException {
        checkOpen();
        Engine engine = predictor.engine;
        engine.check(frame, "session frame " + frames, size, lastTs);
        SaliencyMap map = predictor.call(() -> {
            Engine.Prepared p = engine.prepare(frame);
            return engine.run(List.of(new Engine.Group(List.of(p), state)), cache, timings, predictor.counter()).get(0).get(0);
        });
        if (size == null) size = engine.sourceSize(frame);
        lastTs = frame.timestampMicros();
        frames++;
        return map;
    }

    /** Starts a new video: the next frame begins from h = 0, cached audio is dropped, any frame size is accepted. */
    public synchronized void reset() {
        checkOpen();
        state.reset();
        cache.clear();
        size = null;
        lastTs = Long.MIN_VALUE;
        frames = 0;
    }

    /** Frames pushed since opening or the last reset. */
    public synchronized long frameCount() { return frames; }

    /** True until the next push after opening or a reset: the GRU starts from h = 0. */
    public synchronized boolean isFresh() { return state.isEmpty(); }

    /** Time spent per stage by this session's pushes. */
    public StageTimings timings() { return timings.snapshot(); }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("SaliencySession is closed");
        predictor.checkOpen();
    }

    /** Frees the GRU state and the cached audio tokens. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        state.close();
        cache.close();
        predictor.forget(this);
    }
}
