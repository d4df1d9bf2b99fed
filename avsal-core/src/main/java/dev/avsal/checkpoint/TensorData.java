package dev.avsal.checkpoint;

import java.nio.ByteBuffer;

/**
 * One tensor of a checkpoint. Name, dtype and shape are known when the checkpoint is opened; the bytes are read
 * on first use, so that taking a few tensors from a large file reads only theirs.
 *
 * <p>Views are honoured: a tensor that is a strided or offset view into a shared storage yields its own values
 * in row-major order. Value accessors return fresh arrays.
 */
public interface TensorData {
    /** The dotted key path of this tensor in its checkpoint. */
    String name();

    DType dtype();

    /** The shape (a copy); empty for a 0-d tensor. */
    long[] shape();

    /** Number of elements (1 for a 0-d tensor, 0 for an empty one). */
    long numel();

    /** Values in row-major order converted to float (bool: 0/1). */
    float[] toFloatArray();

    /** Values in row-major order converted to double (bool: 0/1). */
    double[] toDoubleArray();

    /** Values of an integer or bool tensor in row-major order; throws for floating-point dtypes. */
    long[] toLongArray();

    /** The values as contiguous little-endian bytes in row-major order (read-only). */
    ByteBuffer toByteBuffer();
}
