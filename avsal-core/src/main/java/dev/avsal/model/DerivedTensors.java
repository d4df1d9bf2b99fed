package dev.avsal.model;

import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 tensors computed lazily from checkpoint tensors when a key layout differs from ours: a transposed matrix
 * (HF {@code visual_projection.weight} vs OpenAI {@code proj}) or rows concatenated along dim 0 (HF q/k/v vs
 * {@code in_proj_weight}). Shapes are known without reading any values.
 */
final class DerivedTensors {
    private DerivedTensors() {}

    /** A float32 tensor whose values come from a function of other tensors. */
    abstract static class Derived implements TensorData {
        private final String name;
        private final long[] shape;

        Derived(String name, long[] shape) {
            this.name = name;
            this.shape = shape.clone();
        }

        @Override public String name() { return name; }
        @Override public DType dtype() { return DType.F32; }
        @Override public long[] shape() { return shape.clone(); }
        @Override public long numel() { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }

        @Override public double[] toDoubleArray() {
            float[] f = toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }

        @Override public long[] toLongArray() {
            throw new UnsupportedOperationException(name + " is floating point");
        }

        @Override public ByteBuffer toByteBuffer() {
            float[] f = toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f);
            return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The transpose of a 2-d tensor. */
    static TensorData transpose(TensorData t) {
        long[] s = t.shape();
        if (s.length != 2) throw new IllegalArgumentException(t.name() + " is not 2-d: " + Arrays.toString(s));
        int rows = Math.toIntExact(s[0]), cols = Math.toIntExact(s[1]);
        return new Derived(t.name() + " (transposed)", new long[] {cols, rows}) {
            @Override public float[] toFloatArray() {
                float[] in = t.toFloatArray(), out = new float[in.length];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) out[c * rows + r] = in[r * cols + c];
                return out;
            }
        };
    }

    /**
     * The concatenation along dim 0, or null if the parts disagree in their other dimensions (then the caller leaves
     * them unmapped so that the mismatch report shows them).
     */
    static TensorData concat(List<TensorData> parts) {
        long[] first = parts.get(0).shape();
        if (first.length == 0) return null;
        long rows = 0;
        for (TensorData p : parts) {
            long[] s = p.shape();
            if (s.length != first.length || !Arrays.equals(s, 1, s.length, first, 1, first.length)) return null;
            rows += s[0];
        }
        long[] shape = first.clone();
        shape[0] = rows;
        String name = "cat(" + String.join(", ", parts.stream().map(TensorData::name).toList()) + ")";
        return new Derived(name, shape) {
            @Override public float[] toFloatArray() {
                float[] out = new float[Math.toIntExact(numel())];
                int at = 0;
                for (TensorData p : parts) {
                    float[] f = p.toFloatArray();
                    System.arraycopy(f, 0, out, at, f.length);
                    at += f.length;
                }
                return out;
            }
        };
    }
}
