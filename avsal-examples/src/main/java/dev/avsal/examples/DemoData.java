package dev.avsal.examples;

import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.datasets.Datasets;
import java.nio.file.Path;
import java.util.List;

/** The demo's dataset, read back from its files through the dataset readers, split into train/val/test. */
record DemoData(String source, Path root, List<AnnotatedVideo> train, List<AnnotatedVideo> val, List<AnnotatedVideo> test) {
    Path videoFile(AnnotatedVideo v) { return v.source(); }

    /** Opens the generated dataset with {@link Datasets#open(Path)} (the AViMoS reader). */
    static DemoData open(Path root) throws DatasetException {
        SaliencyDataset d = Datasets.open(root);
        return new DemoData(d.name() + " layout, read from " + root, root, d.videos("train"), d.videos("val"), d.videos("test"));
    }
}
