package dev.avsal.data;

import dev.avsal.AvSalException;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.nio.file.Path;

/**
 * One video with per-frame ground truth. Frame indices are 0-based and count the frames that have ground truth;
 * ground truth lives at {@link #width()} x {@link #height()} (the annotation size), frames are delivered at the
 * size the model asks for ({@link #open}).
 *
 * <p>Thread-safety: the accessors may be called from several threads; each {@link #open} stream belongs to one.
 */
public interface AnnotatedVideo {
    /** Unique within its dataset and safe as a file name. */
    String id();

    /** The video file or frame folder. */
    Path source();

    /** Frames per second of the annotated frames. */
    double fps();

    /** Number of frames with ground truth. */
    int frameCount();

    /** Ground-truth map width. */
    int width();

    /** Ground-truth map height. */
    int height();

    /** Whether the source has an audio track (without one, frames carry silence). */
    boolean hasAudio();

    /** Frames resized to {@code height x width} (model input), each with its audio window, in order. */
    FrameStream open(int height, int width) throws AvSalException;

    /** Ground-truth density of frame {@code frame}, or null if the dataset has none for it. */
    Map2D density(int frame) throws DatasetException;

    /** Fixations of frame {@code frame} in ground-truth pixel coordinates; possibly empty, never null. */
    Fixations fixations(int frame) throws DatasetException;

    /**
     * A short string that changes when the content changes (file sizes and modification times), for caches keyed
     * by video; empty when the id alone identifies the content.
     */
    default String fingerprint() { return ""; }

    /** Checks a frame index against {@link #frameCount()}. */
    default void checkFrame(int frame) throws DatasetException {
        if (frame < 0 || frame >= frameCount())
            throw new DatasetException(source() + ": frame " + frame + " out of range (video '" + id() + "' has "
                    + frameCount() + " annotated frames)");
    }
}
