package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.avsal.model.LibTorch;
import dev.avsal.predict.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

/** AdamW against LibTorch's own C++ torch::optim::AdamW; the schedule against its closed form. */
class OptimTest {
    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void adamWMatchesLibTorchAdamW() {
        LibTorch.load();
        Random r = new Random(3);
        float[] w0 = random(r, 12), b0 = random(r, 3);
        float[][] grads = new float[5][];
        for (int s = 0; s < 5; s++) grads[s] = random(r, 15);
        try (PointerScope scope = new PointerScope()) {
            Tensor w1 = Tensors.fromFloats(w0, 4, 3).set_requires_grad(true), b1 = Tensors.fromFloats(b0, 3).set_requires_grad(true);
            Tensor w2 = Tensors.fromFloats(w0, 4, 3).set_requires_grad(true), b2 = Tensors.fromFloats(b0, 3).set_requires_grad(true);
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("w", w1);
            params.put("b", b1);
            AdamWOptions o = new AdamWOptions(0.01);
            o.weight_decay().put(0.05);
            org.bytedeco.pytorch.AdamW ref = new org.bytedeco.pytorch.AdamW(new TensorVector(w2, b2), o);
            try (AdamW ours = new AdamW(params, 0.9, 0.999, 1e-8, 0.05)) {
                for (int s = 0; s < 5; s++) {
                    float[] gw = new float[12], gb = new float[3];
                    System.arraycopy(grads[s], 0, gw, 0, 12);
                    System.arraycopy(grads[s], 12, gb, 0, 3);
                    try (NoGradGuard g = new NoGradGuard()) {
                        for (Tensor[] pg : new Tensor[][] {{w1, Tensors.fromFloats(gw, 4, 3)}, {b1, Tensors.fromFloats(gb, 3)},
                                {w2, Tensors.fromFloats(gw, 4, 3)}, {b2, Tensors.fromFloats(gb, 3)}})
                            pg[0].mutable_grad().put(pg[1].clone());
                    }
                    ours.step(0.01);
                    ref.step();
                    assertArrayEquals(Tensors.toFloats(w2), Tensors.toFloats(w1), 1e-6f, "step " + s);
                    assertArrayEquals(Tensors.toFloats(b2), Tensors.toFloats(b1), 1e-6f, "step " + s);
                }
                assertEquals(5, ours.steps());
            }
        }
    }

    @Test
    void clipGradNormScalesToTheLimit() {
        LibTorch.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor p = Tensors.fromFloats(new float[] {1, 2}, 2).set_requires_grad(true);
            try (NoGradGuard g = new NoGradGuard()) {
                p.mutable_grad().put(Tensors.fromFloats(new float[] {3, 4}, 2));
            }
            try (AdamW opt = new AdamW(Map.of("p", p), 0.9, 0.999, 1e-8, 0)) {
                assertEquals(5.0, opt.clipGradNorm(1.0), 1e-6);
                float[] g = Tensors.toFloats(p.grad());
                assertEquals(0.6, g[0], 1e-5);
                assertEquals(0.8, g[1], 1e-5);
                assertEquals(1.0, opt.clipGradNorm(0), 1e-5); // measuring only
            }
        }
    }

    @Test
    void scheduleWarmsUpThenFollowsTheCosine() {
        LrSchedule s = new LrSchedule(1.0, 4, 104, 0.1);
        assertEquals(0.2, s.at(0), 1e-12);
        assertEquals(0.8, s.at(3), 1e-12);
        assertEquals(1.0, s.at(4), 1e-12);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)), s.at(54), 1e-12);
        assertEquals(0.1, s.at(104), 1e-12);
        assertEquals(0.1, s.at(500), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 1, 10, 0));
    }
}
