package dev.avsal;

/**
 * The requested device or precision cannot be used on this machine: {@link Device#CUDA} without a usable CUDA
 * build and driver (the message gives the reason found by {@link Diagnostics}), or {@link Precision#FP16} on the
 * CPU.
 */
public class DeviceException extends AvSalException {
    public DeviceException(String message) { super(message); }
}
