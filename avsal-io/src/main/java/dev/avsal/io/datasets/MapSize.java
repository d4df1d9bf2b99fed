package dev.avsal.io.datasets;

import dev.avsal.data.DatasetException;
import dev.avsal.metrics.Map2D;
import java.nio.file.Path;

/**
 * The size every ground-truth map of one video must have: that of a reference map (its first), read on first use.
 * Thread-safe: a race only reads the reference twice.
 */
final class MapSize {
    private final Path reference;
    private volatile int[] size; // {width, height}

    MapSize(Path reference) { this.reference = reference; }

    /** {width, height}; the reference map's read errors as they are. */
    int[] checked() throws DatasetException {
        int[] s = size;
        if (s == null) {
            Map2D m = FrameImages.grey(reference);
            size = s = new int[] {m.width(), m.height()};
        }
        return s;
    }

    /** {width, height} for the accessors that cannot throw a checked exception (AnnotatedVideo.width/height). */
    int[] get() {
        try {
            return checked();
        } catch (DatasetException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Returns {@code m} if it has the reference size, else a DatasetException naming {@code file} and the reference. */
    Map2D check(Path file, String what, Map2D m) throws DatasetException {
        int[] s = checked();
        if (m.width() != s[0] || m.height() != s[1])
            throw new DatasetException(file + ": " + what + " is " + m.width() + "x" + m.height() + " but the video's maps are "
                    + s[0] + "x" + s[1] + " (" + reference.getFileName() + ")");
        return m;
    }
}
