package dev.avsal.predict;

import org.bytedeco.pytorch.global.torch;

/**
 * Enters LibTorch autocast for one device type on the calling thread and restores the previous state on
 * {@link #close()} (autocast state is thread-local, like InferenceMode). The weight-cast cache is switched off
 * while inside: it only serves autograd leaves, and left on it would keep casts of the head's weights alive
 * between calls. Internal API; use with try-with-resources on one thread.
 */
public final class Autocast implements AutoCloseable {
    private final torch.DeviceType device;
    private final boolean wasEnabled, wasCaching;
    private final torch.ScalarType oldType;

    private Autocast(torch.DeviceType device, torch.ScalarType type) {
        this.device = device;
        wasEnabled = torch.is_autocast_enabled(device);
        oldType = torch.get_autocast_dtype(device);
        wasCaching = torch.is_autocast_cache_enabled();
        torch.set_autocast_cache_enabled(false);
        torch.set_autocast_dtype(device, type);
        torch.set_autocast_enabled(device, true);
    }

    /** Autocast to {@code type} on {@code device}, or null (nothing to do) when {@code type} is null. */
    public static Autocast enter(torch.DeviceType device, torch.ScalarType type) {
        return type == null ? null : new Autocast(device, type);
    }

    @Override
    public void close() {
        torch.set_autocast_enabled(device, wasEnabled);
        torch.set_autocast_dtype(device, oldType);
        torch.set_autocast_cache_enabled(wasCaching);
    }
}
