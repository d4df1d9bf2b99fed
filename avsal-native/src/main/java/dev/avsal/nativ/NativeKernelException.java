package dev.avsal.nativ;

/**
 * A native kernel call failed: bad tensor descriptor (null data, wrong dtype, shape or layout), an unsupported
 * size, or a CUDA error. Unchecked because it crosses {@code Module.forward}; the message names the tensor and
 * the problem as the native side reported it.
 */
public final class NativeKernelException extends RuntimeException {
    /**
     * The C ABI's status codes ({@code avsal_status}; {@link #MEMORY}: an allocation failed), plus
     * {@link #DESCRIPTOR} for what the JNI glue rejects.
     */
    public enum Status { ARG, SHAPE, DTYPE, LAYOUT, CUDA, UNSUPPORTED, DESCRIPTOR, MEMORY, UNKNOWN }

    private final Status status;

    NativeKernelException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() { return status; }

    static Status fromCode(int code) {
        return switch (code) {
            case 1 -> Status.ARG;
            case 2 -> Status.SHAPE;
            case 3 -> Status.DTYPE;
            case 4 -> Status.LAYOUT;
            case 5 -> Status.CUDA;
            case 6 -> Status.UNSUPPORTED;
            case 7 -> Status.MEMORY;
            case NativeBinding.BAD_DESCRIPTOR -> Status.DESCRIPTOR;
            case NativeBinding.NO_SYMBOL -> Status.UNSUPPORTED;
            case NativeBinding.BAD_BUFFER -> Status.ARG;
            default -> Status.UNKNOWN;
        };
    }
}
