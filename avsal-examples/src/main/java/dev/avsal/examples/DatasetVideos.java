package dev.avsal.examples;

import dev.avsal.AvSalException;
import dev.avsal.train.TrainException;
import dev.avsal.train.TrainVideo;
import java.nio.file.Path;
import java.util.List;

/** Dataset videos of one split as training videos (through the dataset readers of dev.avsal.io.datasets). */
final class DatasetVideos {
    private DatasetVideos() {}

    static List<TrainVideo> videos(Path root, String split) throws AvSalException {
        throw new TrainException(root + ": the dataset readers (dev.avsal.io.datasets) are not in this build yet");
    }
}
