package dev.avsal.train;

import dev.avsal.AvSalException;
import dev.avsal.Frame;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.util.List;

/**
 * One annotated video as the trainer sees it: frames at the model input size with their audio windows, and per-frame
 * ground truth at the annotation size. Adapters exist for dataset videos ({@link Videos}).
 */
public interface TrainVideo {
    /** Unique, filesystem-safe id (the feature-cache key). */
    String id();

    /** Frames with ground truth. */
    int frameCount();

    /** Ground-truth map width. */
    int width();

    /** Ground-truth map height. */
    int height();

    /** The frames resized to {@code height x width}, in order, with their audio windows. */
    List<Frame> frames(int height, int width) throws AvSalException;

    /** Ground-truth density of frame i (not null). */
    Map2D density(int frame) throws AvSalException;

    /** Fixations of frame i (possibly empty, never null). */
    Fixations fixations(int frame) throws AvSalException;

    /**
     * A short string that changes when the video's content changes (e.g. from its file's size and modification
     * time), part of the feature-cache entry name; empty if the id alone identifies the content.
     */
    default String fingerprint() { return ""; }
}
