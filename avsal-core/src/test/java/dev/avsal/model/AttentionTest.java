package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.predict.Autocast;
import dev.avsal.predict.Tensors;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * {@link Attention#scaledDotProduct} against softmax(q kᵀ / √d) v computed here in float64: float32 work through
 * LibTorch, and the CPU bfloat16 path (bfloat16 inputs, or CPU autocast) with its own products and float32 softmax.
 */
class AttentionTest {
    // batch 2, 3 heads, 17 queries, 23 keys (cross-attention: other lengths), head width 24 (1/√24 is not a power of 2)
    static final int B = 2, H = 3, LQ = 17, LK = 23, D = 24;

    @Test
    void float32MatchesTheDefinition() {
        float[][] in = inputs(1);
        try (PointerScope s = new PointerScope(); InferenceMode im = new InferenceMode()) {
            Tensor out = Attention.scaledDotProduct(t(in[0], LQ), t(in[1], LK), t(in[2], LK));
            assertEquals(torch.ScalarType.Float, out.scalar_type().intern());
            assertTrue(maxRelError(Tensors.toFloats(out), reference(in)) < 1e-5);
        }
    }

    @Test
    void bfloat16InputsOnTheCpu() {
        float[][] in = inputs(2);
        try (PointerScope s = new PointerScope(); InferenceMode im = new InferenceMode()) {
            Tensor q = t(in[0], LQ).to(torch.ScalarType.BFloat16), k = t(in[1], LK).to(torch.ScalarType.BFloat16),
                    v = t(in[2], LK).to(torch.ScalarType.BFloat16);
            // the reference sees the same (rounded) inputs, so only the path's own rounding is measured
            float[][] rounded = {Tensors.toFloats(q), Tensors.toFloats(k), Tensors.toFloats(v)};
            Tensor out = Attention.scaledDotProduct(q, k, v);
            assertEquals(torch.ScalarType.BFloat16, out.scalar_type().intern());
            double e = maxRelError(Tensors.toFloats(out), reference(rounded));
            assertTrue(e < 2e-2 && e > 0, "bf16 error " + e);
        }
    }

    @Test
    void cpuAutocastToBfloat16() {
        float[][] in = inputs(3);
        try (PointerScope s = new PointerScope(); InferenceMode im = new InferenceMode();
             Autocast ac = Autocast.enter(torch.DeviceType.CPU, torch.ScalarType.BFloat16)) {
            Tensor out = Attention.scaledDotProduct(t(in[0], LQ), t(in[1], LK), t(in[2], LK));
            assertEquals(torch.ScalarType.BFloat16, out.scalar_type().intern());
            double e = maxRelError(Tensors.toFloats(out), reference(in));
            assertTrue(e < 3e-2 && e > 0, "autocast bf16 error " + e);
        }
    }

    @Test
    void gradientsFlowUnderAutocast() {
        float[][] in = inputs(4);
        try (PointerScope s = new PointerScope()) {
            Tensor q = t(in[0], LQ).requires_grad_(true), k = t(in[1], LK), v = t(in[2], LK);
            Tensor loss;
            try (Autocast ac = Autocast.enter(torch.DeviceType.CPU, torch.ScalarType.BFloat16)) {
                loss = Attention.scaledDotProduct(q, k, v).to(torch.ScalarType.Float).square().sum();
            }
            loss.backward();
            Tensor q32 = t(in[0], LQ).requires_grad_(true);
            torch.scaled_dot_product_attention(q32, k, v).square().sum().backward();
            assertTrue(maxRelError(Tensors.toFloats(q.grad()), Tensors.toFloats(q32.grad())) < 5e-2);
        }
    }

    private static float[][] inputs(long seed) {
        Random r = new Random(seed);
        float[][] in = {new float[B * H * LQ * D], new float[B * H * LK * D], new float[B * H * LK * D]};
        for (float[] a : in) for (int i = 0; i < a.length; i++) a[i] = (float) (1.5 * r.nextGaussian());
        return in;
    }

    private static Tensor t(float[] v, int l) {
        return Tensors.fromFloats(v, B, H, l, D);
    }

    private static double[] reference(float[][] in) {
        double[] out = new double[B * H * LQ * D];
        double scale = 1 / Math.sqrt(D);
        for (int bh = 0; bh < B * H; bh++)
            for (int i = 0; i < LQ; i++) {
                double[] p = new double[LK];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < LK; j++) {
                    double dot = 0;
                    for (int c = 0; c < D; c++) dot += in[0][(bh * LQ + i) * D + c] * (double) in[1][(bh * LK + j) * D + c];
                    p[j] = dot * scale;
                    max = Math.max(max, p[j]);
                }
                for (int j = 0; j < LK; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int c = 0; c < D; c++) {
                    double acc = 0;
                    for (int j = 0; j < LK; j++) acc += p[j] / sum * in[2][(bh * LK + j) * D + c];
                    out[(bh * LQ + i) * D + c] = acc;
                }
            }
        return out;
    }

    /** Largest |a - b| over the largest |b|. */
    private static double maxRelError(float[] a, double[] b) {
        double err = 0, scale = 0;
        for (int i = 0; i < b.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return err / scale;
    }

    private static double maxRelError(float[] a, float[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) d[i] = b[i];
        return maxRelError(a, d);
    }
}
