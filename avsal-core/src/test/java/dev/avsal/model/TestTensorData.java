package dev.avsal.model;

import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A test TensorData over little-endian bytes. */
class TestTensorData implements TensorData {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final byte[] bytes;

    TestTensorData(String name, DType dtype, long[] shape, byte[] bytes) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.bytes = bytes;
        if (bytes.length != numel() * dtype.byteSize()) throw new IllegalArgumentException(name + ": byte count");
    }

    static TestTensorData f32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TestTensorData(name, DType.F32, shape, b.array());
    }

    /** A tensor of this shape whose values must never be read (for shape-only tests). */
    static TensorData shapeOnly(String name, long... shape) {
        return new TensorData() {
            @Override public String name() { return name; }
            @Override public DType dtype() { return DType.F16; }
            @Override public long[] shape() { return shape.clone(); }
            @Override public long numel() { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }
            @Override public float[] toFloatArray() { throw new AssertionError("values of " + name + " read"); }
            @Override public double[] toDoubleArray() { throw new AssertionError("values of " + name + " read"); }
            @Override public long[] toLongArray() { throw new AssertionError("values of " + name + " read"); }
            @Override public ByteBuffer toByteBuffer() { throw new AssertionError("values of " + name + " read"); }
        };
    }

    TestTensorData renamed(String newName) { return new TestTensorData(newName, dtype, shape, bytes); }

    @Override public String name() { return name; }
    @Override public DType dtype() { return dtype; }
    @Override public long[] shape() { return shape.clone(); }
    @Override public long numel() { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }

    @Override public float[] toFloatArray() {
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Override public double[] toDoubleArray() {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(numel());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case F64 -> b.getDouble();
                case F32 -> b.getFloat();
                case F16 -> half(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case I64 -> b.getLong();
                case I32 -> b.getInt();
                case I16 -> b.getShort();
                case I8 -> b.get();
                case U8 -> b.get() & 0xff;
                case BOOL -> b.get() != 0 ? 1 : 0;
            };
        }
        return out;
    }

    @Override public long[] toLongArray() {
        double[] d = toDoubleArray();
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
        return l;
    }

    @Override public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    static double half(short h) {
        int s = (h >> 15) & 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
        double v = e == 0 ? m * Math.pow(2, -24) : e == 31 ? (m == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : (1 + m / 1024.0) * Math.pow(2, e - 15);
        return s == 1 ? -v : v;
    }
}
