package dev.avsal.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor held in memory, made from Java arrays: for writing safetensors files (see {@link SafetensorsWriter})
 * and for tests. Immutable and thread-safe; the factories copy their arguments.
 */
public final class ArrayTensor implements TensorData {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final byte[] bytes; // little-endian, row-major

    private ArrayTensor(String name, DType dtype, long[] shape, byte[] bytes) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.bytes = bytes;
    }

    /** From raw little-endian row-major bytes, which must match the shape exactly. */
    public static ArrayTensor ofBytes(String name, DType dtype, long[] shape, byte[] littleEndian) {
        long n = checkShape(shape);
        if (n * dtype.byteSize() != littleEndian.length) {
            throw new IllegalArgumentException(name + ": " + littleEndian.length + " bytes do not match " + dtype
                    + Arrays.toString(shape) + " (" + n * dtype.byteSize() + " bytes)");
        }
        return new ArrayTensor(name, dtype, shape.clone(), littleEndian.clone());
    }

    /** A copy of any tensor's values, under a (possibly new) name. */
    public static ArrayTensor copyOf(String name, TensorData t) {
        ByteBuffer b = t.toByteBuffer().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return ofBytes(name, t.dtype(), t.shape(), out);
    }

    /** A float32 tensor. */
    public static ArrayTensor ofFloats(String name, long[] shape, float[] values) {
        return ofFloats(name, DType.F32, shape, values);
    }

    /**
     * A floating-point tensor of {@code dtype} (F64, F32, F16 or BF16) from float values; F16 and BF16 round to
     * nearest even, as PyTorch's conversions do.
     */
    public static ArrayTensor ofFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = alloc(name, dtype, shape, values.length);
        for (float v : values) {
            switch (dtype) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(Elements.floatToHalf(v));
                case BF16 -> b.putShort(Elements.floatToBf16(v));
                default -> throw new IllegalArgumentException(name + ": ofFloats needs a floating-point dtype, not " + dtype);
            }
        }
        return new ArrayTensor(name, dtype, shape.clone(), b.array());
    }

    /** A float64 tensor. */
    public static ArrayTensor ofDoubles(String name, long[] shape, double[] values) {
        ByteBuffer b = alloc(name, DType.F64, shape, values.length);
        for (double v : values) b.putDouble(v);
        return new ArrayTensor(name, DType.F64, shape.clone(), b.array());
    }

    /** An integer or bool tensor of {@code dtype}; values outside its range are refused (bool takes 0 or 1). */
    public static ArrayTensor ofLongs(String name, DType dtype, long[] shape, long[] values) {
        ByteBuffer b = alloc(name, dtype, shape, values.length);
        for (long v : values) {
            long lo, hi;
            switch (dtype) {
                case I64 -> { lo = Long.MIN_VALUE; hi = Long.MAX_VALUE; }
                case I32 -> { lo = Integer.MIN_VALUE; hi = Integer.MAX_VALUE; }
                case I16 -> { lo = Short.MIN_VALUE; hi = Short.MAX_VALUE; }
                case I8 -> { lo = Byte.MIN_VALUE; hi = Byte.MAX_VALUE; }
                case U8 -> { lo = 0; hi = 255; }
                case BOOL -> { lo = 0; hi = 1; }
                default -> throw new IllegalArgumentException(name + ": ofLongs needs an integer or bool dtype, not " + dtype);
            }
            if (v < lo || v > hi) throw new IllegalArgumentException(name + ": value " + v + " does not fit " + dtype);
            switch (dtype.byteSize()) {
                case 8 -> b.putLong(v);
                case 4 -> b.putInt((int) v);
                case 2 -> b.putShort((short) v);
                default -> b.put((byte) v);
            }
        }
        return new ArrayTensor(name, dtype, shape.clone(), b.array());
    }

    private static ByteBuffer alloc(String name, DType dtype, long[] shape, int count) {
        long n = checkShape(shape);
        if (n != count) {
            throw new IllegalArgumentException(name + ": " + count + " values do not match shape " + Arrays.toString(shape));
        }
        return ByteBuffer.allocate(Math.toIntExact(n * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long checkShape(long[] shape) {
        long n = Elements.numel(shape);
        if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("invalid shape " + Arrays.toString(shape));
        return n;
    }

    @Override public String name() { return name; }
    @Override public DType dtype() { return dtype; }
    @Override public long[] shape() { return shape.clone(); }
    @Override public long numel() { return bytes.length / dtype.byteSize(); }

    @Override
    public float[] toFloatArray() { return Elements.toFloats(toByteBuffer(), dtype, (int) numel()); }

    @Override
    public double[] toDoubleArray() { return Elements.toDoubles(toByteBuffer(), dtype, (int) numel()); }

    @Override
    public long[] toLongArray() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not an integer or bool tensor");
        }
        return Elements.toLongs(toByteBuffer(), dtype, (int) numel());
    }

    @Override
    public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape); }
}
