package dev.avsal.nativ;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A tensor as the C ABI sees it: data address (host or device), element type, shape and strides in elements.
 * The native side checks that the strides are the contiguous row-major ones.
 *
 * @param address data pointer; 0 only where the ABI allows an absent tensor
 */
public record TensorRef(long address, DType dtype, long[] shape, long[] strides) {
    /** Element types of the C ABI ({@code avsal_dtype}). */
    public enum DType { F32, BF16, F16 }

    public TensorRef {
        if (dtype == null || shape == null || strides == null) throw new NativeKernelException(
                NativeKernelException.Status.DESCRIPTOR, "tensor descriptor: null dtype, shape or strides");
        if (shape.length != strides.length || shape.length > NativeBinding.MAX_DIMS) throw new NativeKernelException(
                NativeKernelException.Status.DESCRIPTOR, "tensor descriptor: rank " + shape.length + " with "
                        + strides.length + " strides (at most " + NativeBinding.MAX_DIMS + " dims)");
        shape = shape.clone();
        strides = strides.clone();
    }

    /** Contiguous row-major strides for {@code shape}. */
    public static TensorRef contiguous(long address, DType dtype, long... shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return new TensorRef(address, dtype, shape, st);
    }

    /**
     * Describes a LibTorch tensor as it is (no copy: call {@code contiguous()} first where needed). The tensor must
     * stay alive while the descriptor is used.
     *
     * @throws NativeKernelException for element types other than float32, bfloat16 and float16
     */
    public static TensorRef of(Tensor t) {
        torch.ScalarType st = t.scalar_type().intern();
        DType dt = switch (st) {
            case Float -> DType.F32;
            case BFloat16 -> DType.BF16;
            case Half -> DType.F16;
            default -> throw new NativeKernelException(NativeKernelException.Status.DTYPE,
                    "tensor dtype " + st + " is not supported by the native kernels (float32, bfloat16, float16)");
        };
        return new TensorRef(t.data_ptr().address(), dt, t.sizes().vec().get(), t.strides().vec().get());
    }

    /** An absent optional tensor (e.g. h0 = 0). */
    static final TensorRef ABSENT = new TensorRef(0, DType.F32, new long[0], new long[0]);

    void pack(long[] dst, int at) {
        int o = at * NativeBinding.DESC;
        dst[o] = address;
        dst[o + 1] = dtype.ordinal();
        dst[o + 2] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            dst[o + 3 + i] = shape[i];
            dst[o + 9 + i] = strides[i];
        }
    }

    @Override
    public String toString() {
        return "TensorRef[" + dtype + " " + Arrays.toString(shape) + " @0x" + Long.toHexString(address) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorRef r && r.address == address && r.dtype == dtype && Arrays.equals(r.shape, shape)
                && Arrays.equals(r.strides, strides);
    }

    @Override
    public int hashCode() { return Long.hashCode(address) * 31 + Arrays.hashCode(shape); }
}
