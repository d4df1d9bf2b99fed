package dev.avsal.data;

import dev.avsal.AvSalException;
import dev.avsal.Frame;

/** The frames of one {@link AnnotatedVideo}, in order, with their audio windows. Owned by one thread; close it. */
public interface FrameStream extends AutoCloseable {
    /** The next frame, or null at the end. */
    Frame next() throws AvSalException;

    @Override
    void close();
}
