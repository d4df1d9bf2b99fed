package dev.avsal.train;

import dev.avsal.AvSalModel;
import dev.avsal.DeviceException;
import dev.avsal.Diagnostics;
import dev.avsal.Precision;
import dev.avsal.predict.Autocast;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device placement and autocast of a training run: resolving {@link TrainConfig#device()}, moving the model and batch
 * tensors, entering autocast for the device type. Every tensor operation of the trainer goes through the same calls
 * on the CPU and on CUDA; on the CPU the moves are no-ops (LibTorch's {@code to} returns the tensor itself), so the
 * float32 CPU path computes exactly what it computed before devices existed.
 *
 * <p>Never touches bytedeco's CUDA classes (they fail to load without the NVIDIA driver): CUDA is probed only through
 * {@code torch.cuda_is_available()} ({@link Diagnostics#cudaUnavailableReason()}). Stateless and thread-safe; the
 * returned devices and tensors belong to the caller's PointerScope.
 */
final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private Devices() {}

    /**
     * The LibTorch device the configuration asks for.
     *
     * @throws DeviceException if CUDA is requested and not usable here (with the reason), or the CUDA device number
     *                         does not exist
     */
    static org.bytedeco.pytorch.Device resolve(TrainConfig c) throws DeviceException {
        String why = Diagnostics.cudaUnavailableReason(); // loads LibTorch
        boolean cuda = switch (c.device()) {
            case CPU -> false;
            case CUDA -> {
                if (why != null) throw new DeviceException("training on CUDA was requested, but CUDA is not usable: " + why
                        + " (train with --device cpu, or on a machine with a GPU)");
                yield true;
            }
            case AUTO -> {
                LOG.info("training device AUTO -> {}", why == null ? "CUDA" : "CPU (" + why + ")");
                yield why == null;
            }
        };
        if (!cuda) return new org.bytedeco.pytorch.Device(torch.DeviceType.CPU);
        if (c.cudaIndex() < 0) return new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA);
        long count = torch.cuda_device_count();
        if (c.cudaIndex() >= count)
            throw new DeviceException("CUDA device cuda:" + c.cudaIndex() + " was requested, but this machine has "
                    + count + " CUDA device(s) (cuda:0" + (count > 1 ? "..cuda:" + (count - 1) : "") + ")");
        return new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA, (byte) c.cudaIndex());
    }

    /** Where the module's parameters live (the CPU for a module without parameters). */
    static org.bytedeco.pytorch.Device deviceOf(Module m) {
        StringTensorDict p = m.named_parameters(true);
        return p.size() == 0 ? new org.bytedeco.pytorch.Device(torch.DeviceType.CPU) : p.get(0).value().device();
    }

    /** {@code t} on {@code d} with its dtype (itself when it is there already). */
    static Tensor to(Tensor t, org.bytedeco.pytorch.Device d) {
        return t.to(d, t.scalar_type().intern());
    }

    /** {@code t} on the device of the module's parameters. */
    static Tensor toDeviceOf(Tensor t, Module m) {
        return to(t, deviceOf(m));
    }

    /**
     * Moves the encoders and the head to {@code d}. LibTorch's {@code Module::to} swaps each parameter's storage in
     * place ({@code set_data}), so every handle the encoders, the head and the optimizer hold stays valid.
     */
    static void move(AvSalModel model, org.bytedeco.pytorch.Device d) {
        try (PointerScope scope = new PointerScope()) {
            for (Module m : new Module[] {model.clipEncoder().module(), model.audioEncoder().module(), model.head()})
                if (deviceOf(m).notEquals(d)) m.to(d, false);
        }
    }

    /** Autocast of the forward pass for the device's type, or null (nothing to enter) for float32. */
    static Autocast autocast(org.bytedeco.pytorch.Device d, Precision p) {
        return Autocast.enter(d.is_cuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU, lowType(p));
    }

    /** The autocast type of a precision (null for float32). */
    static torch.ScalarType lowType(Precision p) {
        return switch (p) {
            case FP32 -> null;
            case BF16 -> torch.ScalarType.BFloat16;
            case FP16 -> torch.ScalarType.Half;
        };
    }

    /** A short name of a device for logs and messages ({@code cpu}, {@code cuda}, {@code cuda:1}). */
    static String name(org.bytedeco.pytorch.Device d) {
        if (!d.is_cuda()) return "cpu";
        return d.has_index() ? "cuda:" + d.index() : "cuda";
    }
}
