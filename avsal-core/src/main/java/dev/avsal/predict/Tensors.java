package dev.avsal.predict;

import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Small LibTorch helpers of the predictor: Java arrays in and out, module tensors as {@link TensorData} for the
 * safetensors writer, seeded initialisation. Internal API. Stateless and thread-safe.
 */
public final class Tensors {
    private Tensors() {}

    /** A new float32 CPU tensor holding a copy of {@code values} (owned like any tensor made in the caller's scope). */
    public static Tensor fromFloats(float[] values, long... shape) {
        Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional());
        t.data_ptr_float().put(values, 0, values.length);
        return t;
    }

    /** {@code t} itself when it is float32, else a float32 copy (differentiable, on the same device). */
    public static Tensor float32(Tensor t) {
        return t.scalar_type().intern() == torch.ScalarType.Float ? t : t.to(torch.ScalarType.Float);
    }

    /** The values of any tensor as float32, row-major (copied to the CPU first if needed). */
    public static float[] toFloats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.to(torch.ScalarType.Float).cpu().contiguous();
            float[] v = new float[Math.toIntExact(c.numel())];
            c.data_ptr_float().get(v);
            return v;
        }
    }

    /** Parameters and buffers of a module by dotted name, as new handles sharing storage. */
    public static Map<String, Tensor> namedTensors(Module m, boolean buffers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<StringTensorDict> dicts = buffers ? List.of(m.named_parameters(true), m.named_buffers(true))
                : List.of(m.named_parameters(true));
        for (StringTensorDict d : dicts)
            for (long i = 0; i < d.size(); i++) out.put(d.get(i).key().getString(), new Tensor(d.get(i).value()));
        return out;
    }

    /** Number of elements of the module's parameters (buffers excluded). */
    public static long parameterCount(Module m) {
        long n = 0;
        try (PointerScope scope = new PointerScope()) {
            for (Tensor t : namedTensors(m, false).values()) n += t.numel();
        }
        return n;
    }

    /**
     * A module tensor as float32 {@link TensorData} whose bytes are copied out only when asked for, so that the
     * safetensors writer holds one tensor's bytes at a time. The tensor must stay alive until the write is done.
     */
    public static TensorData lazyFloat32(String name, Tensor t) {
        long[] shape = t.sizes().vec().get();
        long numel = t.numel();
        return new TensorData() {
            @Override public String name() { return name; }
            @Override public DType dtype() { return DType.F32; }
            @Override public long[] shape() { return shape.clone(); }
            @Override public long numel() { return numel; }
            @Override public float[] toFloatArray() { return toFloats(t); }
            @Override public double[] toDoubleArray() {
                float[] f = toFloatArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) d[i] = f[i];
                return d;
            }
            @Override public long[] toLongArray() { throw new UnsupportedOperationException(name + " is floating point"); }
            @Override public ByteBuffer toByteBuffer() {
                float[] f = toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(f);
                return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
        };
    }

    /**
     * Seeded initialisation of a trainable module (the head): weights with at least 2 dimensions uniform in
     * {@code ±1/sqrt(fan_in)} (LibTorch's default bound for Linear and Conv), biases zero, LayerNorm weights one.
     * Uses its own generator, so other threads' random streams are untouched.
     */
    public static void seededInit(Module m, long seed) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            GeneratorOptional gen = new GeneratorOptional(torch.createCPUGenerator(seed));
            for (Map.Entry<String, Tensor> e : namedTensors(m, false).entrySet()) {
                Tensor t = e.getValue();
                long[] s = t.sizes().vec().get();
                if (s.length >= 2) {
                    long fanIn = 1;
                    for (int i = 1; i < s.length; i++) fanIn *= s[i];
                    double bound = 1 / Math.sqrt(fanIn);
                    t.copy_(torch.rand(s, gen, new TensorOptions(t.scalar_type())).mul(new Scalar(2 * bound))
                            .sub(new Scalar(bound)));
                } else if (e.getKey().endsWith("weight")) {
                    t.fill_(new Scalar(1.0));
                } else {
                    t.zero_();
                }
            }
        }
    }
}
