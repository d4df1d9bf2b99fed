package dev.avsal;

/**
 * Where a predictor runs (see {@link AvSalPredictor.Builder#optDevice(Device)}).
 */
public enum Device {
    /**
     * CUDA when LibTorch reports a usable GPU ({@code torch.cuda_is_available()}), otherwise the CPU; the choice
     * and its reason are logged at INFO, so a silent CPU fallback cannot go unnoticed.
     */
    AUTO,
    /** The CPU (LibTorch's intra-op thread pool; see {@link AvSalPredictor.Builder#optThreads(int)}). */
    CPU,
    /** The first CUDA device; building a predictor fails with a {@link DeviceException} when there is none. */
    CUDA
}
