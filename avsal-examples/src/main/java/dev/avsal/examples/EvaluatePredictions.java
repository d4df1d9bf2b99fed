package dev.avsal.examples;

import dev.avsal.eval.Evaluation;
import dev.avsal.eval.Evaluator;
import dev.avsal.eval.HtmlReport;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.metrics.Protocol;
import java.nio.file.Path;

/**
 * Example: score a folder of saved predictions ({@code PRED/ID/0001.png ...}, or what {@code avsal predict --png}
 * writes, renamed to the video ids) against an AViMoS-layout dataset with the AIM 2024 protocol, and write the
 * CSV/JSON results and the HTML report.
 *
 * <pre>java ... dev.avsal.examples.EvaluatePredictions DATASET_ROOT PRED_DIR OUT_DIR</pre>
 */
public final class EvaluatePredictions {
    private EvaluatePredictions() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EvaluatePredictions DATASET_ROOT PRED_DIR OUT_DIR");
            System.exit(2);
        }
        Evaluation e = evaluate(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.printf("%d videos, %d frames: CC %.4f, NSS %.4f, SIM %.4f%n", e.videos().size(), e.frames().size(),
                e.aggregate().cc(), e.aggregate().nss(), e.aggregate().sim());
    }

    /** Scores {@code predictions} on the dataset's default split and writes the results into {@code out}. */
    public static Evaluation evaluate(Path dataset, Path predictions, Path out) throws Exception {
        Evaluation e = Evaluator.builder()
                .setDataset(Datasets.open(dataset))
                .setPredictions(predictions)
                .optProtocol(Protocol.AIM2024)
                .optProgress((video, i, n, done, total) -> System.err.printf("\r%s (%d/%d) %d/%d frames", video, i + 1,
                        n, done, total))
                .build()
                .run();
        System.err.println();
        e.writeFramesCsv(out.resolve("frames.csv"), true);        // video,frame,cc,...
        e.writeVideosCsv(out.resolve("videos.csv"), true);        // per video, then ALL
        e.writeJson(out.resolve("evaluation.json"), true);
        HtmlReport.write(e, out.resolve("report.html"), true);    // self-contained, open in any browser
        return e;
    }
}
