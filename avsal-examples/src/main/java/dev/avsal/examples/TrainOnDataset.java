package dev.avsal.examples;

import dev.avsal.AvSalException;
import dev.avsal.AvSalModel;
import dev.avsal.train.TrainConfig;
import dev.avsal.train.TrainException;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Example: train the AVSal-R head on a dataset folder with frozen encoders.
 *
 * <pre>{@code
 * try (AvSalModel m = AvSalModel.random("avsal-r-tiny", 42)) {
 *     TrainConfig c = TrainConfig.builder().setOutput(Path.of("runs/tiny")).optEpochs(10).optProgress(true).build();
 *     TrainOnDataset.train(m, Path.of("avsal-demo-out/data"), c, System.out);
 * }
 * }</pre>
 * The model's head then holds the best validation weights; {@code runs/tiny/best.safetensors} is the combined model
 * file ({@link AvSalModel#load(Path)}).
 */
public final class TrainOnDataset {
    private TrainOnDataset() {}

    /**
     * Trains on the dataset's "train" split ({@link Datasets#open(Path)} detects the layout), validating on "val", else
     * "public_test" (AViMoS' TrainTestSplit.json), else "test", else nothing.
     */
    public static Trainer.Result train(AvSalModel model, Path root, TrainConfig config, PrintStream out) throws AvSalException {
        SaliencyDataset d = Datasets.open(root);
        List<String> splits = d.splits();
        if (!splits.contains("train"))
            throw new TrainException(root + ": the dataset has no 'train' split (splits: " + splits + ")");
        List<AnnotatedVideo> train = d.videos("train");
        String valSplit = splits.contains("val") ? "val" : splits.contains("public_test") ? "public_test"
                : splits.contains("test") ? "test" : null;
        List<AnnotatedVideo> val = valSplit == null ? List.of() : d.videos(valSplit);
        if (train.isEmpty()) throw new TrainException(root + ": the dataset has no training videos");
        out.printf(Locale.ROOT, "training %s on %s: %d train, %d validation videos%n", model.config().name(), root,
                train.size(), val.size());
        Trainer.Result r = new Trainer(model, config).fit(train, val);
        for (Trainer.Epoch e : r.epochs())
            out.printf(Locale.ROOT, "epoch %d: train loss %.4f%s (%.1f s)%n", e.epoch() + 1, e.trainLoss(),
                    e.validation() == null ? "" : ", validation " + e.validation(), e.seconds());
        out.printf(Locale.ROOT, "best validation CC %.4f (epoch %d); model: %s%n", r.bestValidationCc(), r.bestEpoch() + 1, r.best());
        return r;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TrainOnDataset DATASET_ROOT OUTPUT_DIR");
            System.exit(2);
        }
        try (AvSalModel m = AvSalModel.random("avsal-r-tiny", 42)) {
            train(m, Path.of(args[0]), TrainConfig.builder().setOutput(Path.of(args[1])).optProgress(true).build(), System.out);
        }
    }
}
