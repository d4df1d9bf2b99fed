package dev.avsal.nativ;

/** The JNI entry points of {@code libavsal_jni.so} (src/main/native/jni/avsal_jni.cpp). */
final class NativeBinding {
    /** Longs per tensor descriptor: data, dtype, ndim, shape[6], strides[6]. */
    static final int DESC = 15;
    static final int MAX_DIMS = 6;
    /** Returned when the glue rejects a descriptor before the backend sees it. */
    static final int BAD_DESCRIPTOR = -1;
    /** Returned when the backend library lacks the (optional, internal) memory helpers. */
    static final int NO_SYMBOL = -2;
    /** Returned when a copy's host buffer is not direct or smaller than the copy. */
    static final int BAD_BUFFER = -3;

    private NativeBinding() {}

    /** dlopens a backend library; throws UnsatisfiedLinkError when it does not load or lacks the C ABI. */
    static native long open(String path);
    static native String backendName(long handle);
    static native int deviceCount(long handle);
    static native String lastError(long handle);
    static native int fusion(long handle, long[] desc, int heads, float eps, long stream);
    static native int convGru(long handle, long[] desc, long stream);

    // Memory helpers of the C ABI (internal: device checks and tests, see DeviceMemory).
    static native int alloc(long handle, long bytes, long[] ptr);
    static native int free(long handle, long ptr);
    /** Copies {@code bytes} from the start of the direct buffer {@code host} to {@code mem}, or back. */
    static native int copy(long handle, long mem, java.nio.ByteBuffer host, long bytes, boolean toDevice);
    static native int synchronize(long handle, long stream);
}
