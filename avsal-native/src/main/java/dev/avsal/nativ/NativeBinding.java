package dev.avsal.nativ;

/** The JNI entry points of {@code libavsal_jni.so} (src/main/native/jni/avsal_jni.cpp). */
final class NativeBinding {
    /** Longs per tensor descriptor: data, dtype, ndim, shape[6], strides[6]. */
    static final int DESC = 15;
    static final int MAX_DIMS = 6;
    /** Returned when the glue rejects a descriptor before the backend sees it. */
    static final int BAD_DESCRIPTOR = -1;

    private NativeBinding() {}

    /** dlopens a backend library; throws UnsatisfiedLinkError when it does not load or lacks the C ABI. */
    static native long open(String path);
    static native String backendName(long handle);
    static native int deviceCount(long handle);
    static native String lastError(long handle);
    static native int fusion(long handle, long[] desc, int heads, float eps, long stream);
    static native int convGru(long handle, long[] desc, long stream);
}
