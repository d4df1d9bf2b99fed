package dev.avsal.model.head;

import org.bytedeco.pytorch.Tensor;

/**
 * The hidden state a {@link ConvGru} carries from frame to frame when streaming: empty (h = 0) after creation or
 * {@link #reset()}, then the last hidden state {@code [B, d, h, w]}.
 *
 * <p>The held tensor is retained (JavaCPP reference count), so it survives the caller's per-frame
 * {@code PointerScope}; it is released when replaced, on {@link #reset()} and on {@link #close()}.
 * Reset the state at a cut or when a new video starts.
 *
 * <p>Not thread-safe: one state belongs to one stream.
 */
public final class GruState implements AutoCloseable {
    private Tensor hidden;

    /** An empty state (h = 0). */
    public GruState() {}

    /** True while no frame has been processed since creation or the last reset. */
    public boolean isEmpty() { return hidden == null; }

    /** A new handle on the hidden state {@code [B, d, h, w]} (shares storage), or null when empty. */
    public Tensor hidden() { return hidden == null ? null : new Tensor(hidden); }

    /** The held tensor itself, for the GRU (no new handle). */
    Tensor raw() { return hidden; }

    /** Replaces the hidden state with {@code next}. */
    void set(Tensor next) {
        Tensor old = hidden;
        hidden = new Tensor(next).retainReference(); // own handle: the caller may free theirs
        if (old != null) old.releaseReference();
    }

    /** Forgets the hidden state: the next frame starts from h = 0. */
    public void reset() {
        if (hidden != null) hidden.releaseReference();
        hidden = null;
    }

    @Override
    public void close() { reset(); }
}
