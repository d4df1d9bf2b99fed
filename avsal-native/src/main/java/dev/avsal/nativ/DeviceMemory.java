package dev.avsal.nativ;

import java.nio.ByteBuffer;

/**
 * One allocation of a backend's memory through the C ABI's internal memory helpers ({@code avsal_device_alloc} ...):
 * device memory for the CUDA backend, host memory for the CPU backend. Internal: used by {@link DeviceCheck} and
 * tests to run the kernels without a framework; applications pass their framework's tensors instead.
 *
 * <p>Not thread-safe. {@link #close()} frees the memory once; later use throws {@link IllegalStateException}.
 */
final class DeviceMemory implements AutoCloseable {
    private final KernelBackend backend;
    private final long bytes;
    private long address;

    /** @throws NativeKernelException ARG for {@code bytes < 1}, MEMORY when the allocation fails, CUDA otherwise */
    DeviceMemory(KernelBackend backend, long bytes) {
        this.backend = backend;
        this.bytes = bytes;
        this.address = backend.alloc(bytes);
    }

    long address() {
        if (address == 0) throw new IllegalStateException("device memory already freed");
        return address;
    }

    long bytes() { return bytes; }

    /** A contiguous descriptor of this memory; the tensor must fit. */
    TensorRef tensor(TensorRef.DType dtype, long... shape) {
        long n = DeviceCheck.elementSize(dtype);
        for (long s : shape) n *= s;
        if (n > bytes) throw new IllegalArgumentException(n + " bytes of tensor in " + bytes + " bytes of memory");
        return TensorRef.contiguous(address(), dtype, shape);
    }

    /** Copies the first {@link #bytes()} bytes of the direct buffer {@code src} here. */
    void upload(ByteBuffer src) {
        checkBuffer(src);
        backend.copyToDevice(address(), src, bytes);
    }

    /** Copies this memory into the first {@link #bytes()} bytes of the direct buffer {@code dst}. */
    void download(ByteBuffer dst) {
        checkBuffer(dst);
        backend.copyToHost(dst, address(), bytes);
    }

    private void checkBuffer(ByteBuffer b) {
        if (b == null || !b.isDirect() || b.capacity() < bytes) throw new NativeKernelException(NativeKernelException.Status.ARG,
                "host buffer " + b + " is not direct or holds fewer than " + bytes + " bytes");
    }

    @Override
    public void close() {
        if (address == 0) return;
        long a = address;
        address = 0;
        backend.free(a);
    }
}
