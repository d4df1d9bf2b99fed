package dev.avsal.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.metrics.CenterPrior;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metrics;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The center-prior baseline source: its scores equal the metric functions applied to CenterPrior's map. */
class CenterPriorEvaluationTest {
    @Test
    void scoresTheCenterPriorAgainstEveryFrame(@TempDir Path root) throws Exception {
        EvalData.write(root, 2, 3);
        SaliencyDataset d = Datasets.open(root);
        Evaluation e = Evaluator.builder().setDataset(d).optScorer(Scorer.of(Protocol.MIT).withJitter(false))
                .optStills(false).setCenterPrior().build().run();
        assertEquals(6, e.frames().size());
        Map2D prior = CenterPrior.predict(EvalData.W, EvalData.H);
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            double[] t = new double[EvalData.W * EvalData.H];
            int[] v = EvalData.truth(1, k);
            for (int i = 0; i < t.length; i++) t[i] = v[i];
            Map2D truth = new Map2D(EvalData.W, EvalData.H, t);
            double cc = Metrics.cc(prior, truth);
            assertEquals(cc, e.frames().get(k).scores().cc(), 1e-12, "frame " + k);
            int[][] f = EvalData.fixations(1, k);
            int[] xs = new int[f.length], ys = new int[f.length];
            for (int i = 0; i < f.length; i++) { ys[i] = f[i][0]; xs[i] = f[i][1]; }
            assertEquals(Metrics.nss(prior, Fixations.of(EvalData.W, EvalData.H, xs, ys)), e.frames().get(k).scores().nss(), 1e-12);
            sum += cc;
        }
        assertEquals(sum / 3, e.videos().get(0).mean().cc(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Evaluator.builder().setDataset(d).setCenterPrior()
                .setPredictions(root).build(), "one source only");
    }
}
