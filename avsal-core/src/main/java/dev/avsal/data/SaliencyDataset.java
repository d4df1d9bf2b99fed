package dev.avsal.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A video saliency dataset: named splits of {@link AnnotatedVideo}s. Readers for files on disk live in avsal-io
 * ({@code dev.avsal.io.datasets.Datasets.open(root)}); {@link InMemoryDataset} holds generated data.
 *
 * <p>Thread-safety: implementations are immutable after opening and may be shared between threads; each
 * {@link AnnotatedVideo#open} gives an independent stream.
 */
public interface SaliencyDataset {
    /** Short name, e.g. {@code avimos}, {@code dhf1k}, {@code stavis/AVAD}, {@code synthetic}. */
    String name();

    /** The folder the dataset was read from (or a nominal path for in-memory data). */
    Path root();

    /** The split names, e.g. {@code [train, val, test]}; {@code [all]} when the dataset defines none. */
    List<String> splits();

    /** The videos of one split, in a stable order. */
    List<AnnotatedVideo> videos(String split) throws DatasetException;

    /** The split names as an error message lists them. */
    default DatasetException unknownSplit(String split) {
        return new DatasetException(root() + ": no split '" + split + "' in " + name() + " (splits: "
                + String.join(", ", splits()) + ")");
    }
}
