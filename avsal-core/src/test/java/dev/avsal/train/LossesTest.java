package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metrics;
import dev.avsal.model.LibTorch;
import dev.avsal.predict.Tensors;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The differentiable losses equal the reference metrics of dev.avsal.metrics on the same maps. */
class LossesTest {
    private static final int W = 9, H = 7, N = 3;

    @Test
    void lossesEqualTheMetrics() {
        LibTorch.load();
        Random r = new Random(11);
        float[] p = new float[N * W * H], g = new float[N * W * H], fix = new float[N * W * H];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextDouble() + 0.01f;
            g[i] = (float) Math.pow(r.nextDouble(), 3);
        }
        for (int n = 0; n < N; n++) { // p rows sum to 1
            double s = 0;
            for (int j = 0; j < W * H; j++) s += p[n * W * H + j];
            for (int j = 0; j < W * H; j++) p[n * W * H + j] /= (float) s;
        }
        int[][] fx = {{1, 5, 8}, {2, 2, 0}, {6, 3, 4}}, fy = {{0, 6, 3}, {1, 5, 6}, {3, 3, 0}};
        double cc = 0, kld = 0, sim = 0, nss = 0;
        for (int n = 0; n < N; n++) {
            double[] pd = new double[W * H], gd = new double[W * H];
            for (int j = 0; j < W * H; j++) {
                pd[j] = p[n * W * H + j];
                gd[j] = g[n * W * H + j];
            }
            for (int k = 0; k < 3; k++) fix[n * W * H + fy[n][k] * W + fx[n][k]] = 1;
            Map2D pm = new Map2D(W, H, pd), gm = new Map2D(W, H, gd);
            cc += Metrics.cc(pm, gm) / N;
            kld += Metrics.kld(pm, gm) / N;
            sim += Metrics.similarity(pm, gm) / N;
            nss += Metrics.nss(pm, Fixations.of(W, H, fx[n], fy[n])) / N;
        }
        try (PointerScope s = new PointerScope()) {
            Tensor pt = Tensors.fromFloats(p, N, W * H), gt = Tensors.fromFloats(g, N, W * H), ft = Tensors.fromFloats(fix, N, W * H);
            assertEquals(cc, Losses.cc(pt, gt).item_double(), 1e-5);
            assertEquals(kld, Losses.kld(pt, gt).item_double(), 1e-4);
            assertEquals(sim, Losses.sim(pt, gt).item_double(), 1e-5);
            assertEquals(nss, Losses.nss(pt, ft).item_double(), 1e-4);
            double obj = Losses.objective(pt, gt, null, LossWeights.DEFAULT).item_double();
            assertEquals(kld + 1 - cc, obj, 1e-4);
            assertEquals(kld + 1 - cc - 0.5 * nss + 2 * (1 - sim),
                    Losses.objective(pt, gt, ft, new LossWeights(1, 1, 0.5, 2)).item_double(), 1e-4);
            assertThrows(IllegalArgumentException.class, () -> Losses.objective(pt, gt, null, new LossWeights(0, 0, 1, 0)));
            // a perfect prediction: CC 1, KLD ~0
            Tensor q = Losses.distribution(gt);
            assertTrue(Losses.cc(q, gt).item_double() > 0.99999);
            assertTrue(Math.abs(Losses.kld(q, gt).item_double()) < 1e-4);
        }
        assertThrows(IllegalArgumentException.class, () -> new LossWeights(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LossWeights(-1, 0, 0, 0));
    }
}
