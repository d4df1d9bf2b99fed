package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.checkpoint.TensorData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Test helpers: random weights by a module's own names, tensor values, error measures. */
final class TestTensors {
    private TestTensors() {}

    /** Random float32 weights for every parameter/buffer of the module, by its own names and shapes. */
    static Map<String, TestTensorData> randomWeights(Module module, long seed) {
        Random r = new Random(seed);
        Map<String, TestTensorData> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : Weights.namedTensors(module).entrySet()) {
                long[] shape = e.getValue().sizes().vec().get();
                String n = e.getKey();
                int numel = 1;
                for (long s : shape) numel *= (int) s;
                long fanIn = 1;
                for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
                float[] v = new float[numel];
                for (int i = 0; i < numel; i++) {
                    double g = r.nextGaussian();
                    v[i] = (float) (shape.length == 0 ? Math.log(20)                    // log_logit_scale
                            : n.endsWith("bias") ? 0.1 * g
                            : n.endsWith("weight") && shape.length == 1 ? 1 + 0.2 * g     // norms
                            : n.endsWith("weight") ? g / Math.sqrt(fanIn)
                            : 0.5 * g);                                                   // embeddings, tokens
                }
                out.put(n, TestTensorData.f32(n, shape, v));
            }
        }
        return out;
    }

    static Map<String, float[]> values(Map<String, ? extends TensorData> w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    static float[] values(Tensor t) {
        float[] out = new float[(int) t.numel()];
        if (out.length == 0) return out;
        try (PointerScope scope = new PointerScope()) {
            t.contiguous().data_ptr_float().get(out);
        }
        return out;
    }

    static long[] shape(Tensor t) { return t.sizes().vec().get(); }

    static Tensor tensor(float[] values, long... shape) {
        return Weights.toTensor(TestTensorData.f32("input", shape, values));
    }

    static float[] randomArray(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** {@code [relative L2 error, max abs error]}. */
    static double[] errors(float[] out, double[] ref) {
        double num = 0, den = 0, max = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = out[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
            max = Math.max(max, Math.abs(d));
        }
        return new double[] {Math.sqrt(num / den), max};
    }

    static double[] errors(float[] out, float[] ref) {
        double[] r = new double[ref.length];
        for (int i = 0; i < r.length; i++) r[i] = ref[i];
        return errors(out, r);
    }

    /** Asserts relative L2 error and absolute max error below tol; returns {@code [relative, max abs]}. */
    static double[] assertClose(String what, float[] out, double[] ref, double tol) {
        assertTrue(out.length == ref.length, what + ": " + out.length + " values, expected " + ref.length);
        double[] e = errors(out, ref);
        double refMax = 0;
        for (double v : ref) refMax = Math.max(refMax, Math.abs(v));
        System.out.printf("%-40s rel %.3e  maxabs %.3e  (ref max %.3g)%n", what, e[0], e[1], refMax);
        assertTrue(e[0] < tol, what + ": relative error " + e[0]);
        assertTrue(e[1] < tol, what + ": max abs error " + e[1]);
        return e;
    }

    static double[] assertClose(String what, float[] out, float[] ref, double tol) {
        double[] r = new double[ref.length];
        for (int i = 0; i < r.length; i++) r[i] = ref[i];
        return assertClose(what, out, r, tol);
    }

    static double[] flatten(List<double[][]> perSample) {
        int n = 0;
        for (double[][] s : perSample) for (double[] row : s) n += row.length;
        double[] out = new double[n];
        int at = 0;
        for (double[][] s : perSample) for (double[] row : s) {
            System.arraycopy(row, 0, out, at, row.length);
            at += row.length;
        }
        return out;
    }

    static void assertShape(Tensor t, long... expected) {
        assertArrayEquals(expected, shape(t));
    }
}
