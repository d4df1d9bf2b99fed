package dev.avsal.nativ;

import java.nio.file.Path;
import java.util.List;

/**
 * One loaded backend of the C ABI (CPU reference or CUDA). The CPU backend takes host pointers, the CUDA backend
 * device pointers of the current CUDA device and a stream ({@code 0}: the legacy default stream, which LibTorch
 * uses unless the application selected another one).
 *
 * <p>Thread-safe: calls are reentrant; each call's error message is read on the calling thread. A backend stays
 * loaded for the life of the JVM.
 */
public final class KernelBackend {
    private final long handle;
    private final String name;
    private final Path file;
    private final int devices;
    private final String deviceError;

    KernelBackend(long handle, Path file) {
        this.handle = handle;
        this.file = file;
        this.name = NativeBinding.backendName(handle);
        int n = NativeBinding.deviceCount(handle);
        this.devices = Math.max(n, 0);
        this.deviceError = n < 0 ? NativeBinding.lastError(handle) : null;
    }

    /** {@code "cpu-reference"} or {@code "cuda"}. */
    public String name() { return name; }

    /** The library file this backend was loaded from. */
    public Path file() { return file; }

    public boolean isCuda() { return "cuda".equals(name); }

    /** CUDA devices usable by this backend (0 for the CPU backend, and when the driver is missing). */
    public int deviceCount() { return devices; }

    /** Why {@link #deviceCount()} is 0 for a CUDA backend (e.g. no driver), or null. */
    public String deviceError() { return deviceError; }

    /**
     * The fusion block after the input projections ({@code avsal_fusion_forward}).
     *
     * @param weights the 18 parameters in the order of {@link dev.avsal.model.head.HeadKernels#fusionBlock}
     * @throws NativeKernelException on bad descriptors, unsupported sizes or CUDA errors
     */
    public void fusionForward(TensorRef x, TensorRef ap, List<TensorRef> weights, int heads, float eps, TensorRef out,
                              long stream) {
        if (weights.size() != 18)
            throw new NativeKernelException(NativeKernelException.Status.ARG, "fusion: 18 weights expected, got " + weights.size());
        long[] d = new long[21 * NativeBinding.DESC];
        x.pack(d, 0);
        ap.pack(d, 1);
        out.pack(d, 2);
        for (int i = 0; i < 18; i++) weights.get(i).pack(d, 3 + i);
        check("fusion", NativeBinding.fusion(handle, d, heads, eps, stream));
    }

    /**
     * All steps of the ConvGRU ({@code avsal_convgru_forward}).
     *
     * @param h0 the state before the first step, or null for zeros
     * @throws NativeKernelException on bad descriptors, unsupported sizes or CUDA errors
     */
    public void convGruForward(TensorRef seq, TensorRef convXWeight, TensorRef convXBias, TensorRef convHWeight,
                               TensorRef h0, TensorRef out, long stream) {
        long[] d = new long[6 * NativeBinding.DESC];
        seq.pack(d, 0);
        convXWeight.pack(d, 1);
        convXBias.pack(d, 2);
        convHWeight.pack(d, 3);
        (h0 == null ? TensorRef.ABSENT : h0).pack(d, 4);
        out.pack(d, 5);
        check("convgru", NativeBinding.convGru(handle, d, stream));
    }

    // ---- memory helpers (internal: DeviceMemory, DeviceCheck and tests; not part of the API) ----

    /** Allocates {@code bytes} of backend memory (device memory for CUDA, host memory for the CPU backend). */
    long alloc(long bytes) {
        long[] p = new long[1];
        check("device_alloc", NativeBinding.alloc(handle, bytes, p));
        return p[0];
    }

    /** Frees memory from {@link #alloc} (0 is a no-op). */
    void free(long ptr) { check("device_free", NativeBinding.free(handle, ptr)); }

    /** Copies {@code bytes} from the start of the direct buffer {@code host} to backend memory {@code dst}. */
    void copyToDevice(long dst, java.nio.ByteBuffer host, long bytes) {
        check("copy_h2d", NativeBinding.copy(handle, dst, host, bytes, true));
    }

    /** Copies {@code bytes} from backend memory {@code src} to the start of the direct buffer {@code host}. */
    void copyToHost(java.nio.ByteBuffer host, long src, long bytes) {
        check("copy_d2h", NativeBinding.copy(handle, src, host, bytes, false));
    }

    /** Waits for the work queued on {@code stream} (0: the legacy default stream); reports asynchronous errors. */
    void synchronize(long stream) { check("synchronize", NativeBinding.synchronize(handle, stream)); }

    private void check(String what, int code) {
        if (code == 0) return;
        String msg = switch (code) {
            case NativeBinding.BAD_DESCRIPTOR -> "a tensor descriptor has more than 6 dims";
            case NativeBinding.NO_SYMBOL -> file + " does not export the memory helpers (avsal_device_alloc ...)";
            case NativeBinding.BAD_BUFFER -> "the host buffer is not direct, or smaller than the copy";
            default -> NativeBinding.lastError(handle);
        };
        throw new NativeKernelException(NativeKernelException.fromCode(code), name + " " + what + ": " + msg);
    }

    @Override
    public String toString() {
        return name + " (" + file + (isCuda() ? ", " + devices + " device(s)" + (deviceError == null ? "" : ", " + deviceError) : "") + ")";
    }
}
