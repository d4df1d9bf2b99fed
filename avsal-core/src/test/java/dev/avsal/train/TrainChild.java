package dev.avsal.train;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import java.nio.file.Path;
import java.util.List;

/** A training run in its own JVM (killed by {@link TrainerTest}): args output-dir resume(true/false). */
public final class TrainChild {
    static final int VIDEOS = 6, FRAMES = 4, EPOCHS = 4;

    static TrainConfig config(Path out, boolean resume) {
        return TrainConfig.builder().setOutput(out).optCacheDir(out.resolve("cache")).optEpochs(EPOCHS).optBatchClips(2)
                .optClipFrames(3).optLearningRate(3e-3).optCheckpointEvery(1).optThreads(1).optResume(resume).build();
    }

    static Trainer.Result run(Path out, boolean resume) throws Exception {
        List<dev.avsal.data.AnnotatedVideo> train = TinyVideos.make(VIDEOS, FRAMES, 112, 5);
        try (AvSalModel m = AvSalModel.random(AvSalConfig.TINY, 9)) {
            return new Trainer(m, config(out, resume)).fit(train, List.of());
        }
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args[0]), Boolean.parseBoolean(args[1]));
    }
}
