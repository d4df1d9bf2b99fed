package dev.avsal.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor that is a (possibly strided, offset) view into a storage of a weight file. Validated when the
 * checkpoint is opened (the view lies inside the storage), so reads fail only on I/O errors. Immutable and
 * thread-safe; each read fetches the bytes the view spans and nothing else.
 */
final class StridedTensor implements TensorData {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long[] stride;   // in elements
    private final long offset;     // in elements
    private final long numel;
    private final ByteSource storage;
    private final boolean bigEndian;

    private StridedTensor(String name, DType dtype, long[] shape, long[] stride, long offset, long numel,
                          ByteSource storage, boolean bigEndian) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.stride = stride;
        this.offset = offset;
        this.numel = numel;
        this.storage = storage;
        this.bigEndian = bigEndian;
    }

    /** A contiguous row-major tensor over a whole byte range (safetensors). */
    static StridedTensor contiguous(String name, DType dtype, long[] shape, ByteSource storage) {
        return new StridedTensor(name, dtype, shape, contiguousStrides(shape), 0, Elements.numel(shape), storage,
                false);
    }

    /**
     * A view; checks that shape, strides and offset are sane and that every element it can address lies inside
     * {@code storage} (holding {@code storageNumel} elements).
     *
     * @throws IllegalArgumentException saying what is wrong, phrased to follow "tensor 'name' "
     */
    static StridedTensor view(String name, DType dtype, long[] shape, long[] stride, long offset,
                              ByteSource storage, long storageNumel, boolean bigEndian) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("has " + shape.length + " sizes but " + stride.length + " strides");
        }
        long numel = Elements.numel(shape);
        if (numel < 0) throw new IllegalArgumentException("has an invalid shape " + java.util.Arrays.toString(shape));
        if (offset < 0) throw new IllegalArgumentException("has a negative storage offset " + offset);
        for (long s : stride) if (s < 0) throw new IllegalArgumentException("has a negative stride " + s);
        if (numel > 0) {
            long last;
            try {
                last = offset;
                for (int i = 0; i < shape.length; i++) last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("has strides that overflow");
            }
            if (last >= storageNumel) {
                throw new IllegalArgumentException("reaches element " + last + " (offset " + offset + ", shape "
                        + java.util.Arrays.toString(shape) + ", strides " + java.util.Arrays.toString(stride)
                        + ") of a storage of " + storageNumel + " elements");
            }
        } else if (offset > storageNumel) {
            throw new IllegalArgumentException("has storage offset " + offset + " beyond its storage of "
                    + storageNumel + " elements");
        }
        return new StridedTensor(name, dtype, shape.clone(), stride.clone(), offset, numel, storage, bigEndian);
    }

    static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    StridedTensor renamed(String newName) {
        return new StridedTensor(newName, dtype, shape, stride, offset, numel, storage, bigEndian);
    }

    /** Bytes of the storage this view spans (what a read touches). */
    long spanBytes() {
        if (numel == 0) return 0;
        long last = offset;
        for (int i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
        return (last - offset + 1) * dtype.byteSize();
    }

    @Override public String name() { return name; }
    @Override public DType dtype() { return dtype; }
    @Override public long[] shape() { return shape.clone(); }
    @Override public long numel() { return numel; }

    @Override
    public ByteBuffer toByteBuffer() {
        int n = Elements.arrayLength(name, numel, dtype);
        int es = dtype.byteSize();
        if (n == 0) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
        long span = spanBytes();
        if (span > Integer.MAX_VALUE - 8) Elements.arrayLength(name, Long.MAX_VALUE, dtype); // throws
        ByteBuffer src = storage.read(offset * es, (int) span);
        boolean contiguous = span == (long) n * es && isRowMajor();
        if (contiguous && (!bigEndian || es == 1)) {
            return src.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
        }
        // Gather the view's elements (relative to its offset) in row-major order, swapping bytes if needed.
        byte[] out = new byte[n * es];
        int base = src.position();
        int rank = shape.length;
        long[] idx = new long[rank];
        int inner = rank == 0 ? 1 : (int) shape[rank - 1];
        long innerStride = rank == 0 ? 0 : stride[rank - 1];
        int o = 0;
        long pos = 0; // element position of idx (outer dims) relative to offset
        while (o < out.length) {
            for (int j = 0; j < inner; j++) {
                int p = base + (int) ((pos + j * innerStride) * es);
                if (bigEndian) {
                    for (int k = 0; k < es; k++) out[o + k] = src.get(p + es - 1 - k);
                } else {
                    for (int k = 0; k < es; k++) out[o + k] = src.get(p + k);
                }
                o += es;
            }
            // advance the outer multi-index (odometer) over dims 0..rank-2
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                pos += stride[d];
                if (idx[d] < shape[d]) break;
                pos -= idx[d] * stride[d];
                idx[d] = 0;
            }
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    }

    private boolean isRowMajor() {
        long expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expect) return false;
            expect *= shape[i];
        }
        return true;
    }

    @Override
    public float[] toFloatArray() {
        return Elements.toFloats(toByteBuffer(), dtype, (int) numel);
    }

    @Override
    public double[] toDoubleArray() {
        return Elements.toDoubles(toByteBuffer(), dtype, (int) numel);
    }

    @Override
    public long[] toLongArray() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not an integer or bool tensor");
        }
        return Elements.toLongs(toByteBuffer(), dtype, (int) numel);
    }

    @Override
    public String toString() {
        return name + " " + dtype + java.util.Arrays.toString(shape);
    }
}
