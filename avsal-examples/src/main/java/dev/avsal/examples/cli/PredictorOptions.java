package dev.avsal.examples.cli;

import dev.avsal.AvSalPredictor;
import dev.avsal.Precision;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Where and how a predictor runs: {@code --device}, {@code --precision}, {@code --threads} (mixin of predict and evaluate). */
final class PredictorOptions {
    @Option(names = "--device", defaultValue = "auto", converter = TrainCommand.DeviceConverter.class, paramLabel = "DEVICE",
            description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}: CUDA when usable, else the CPU).")
    TrainCommand.DeviceChoice device;

    @Option(names = "--precision", defaultValue = "fp32", converter = TrainCommand.PrecisionConverter.class,
            paramLabel = "PRECISION", description = "fp32, bf16 (CUDA, or a CPU with AVX512_BF16: about 2x faster "
            + "there, maps within about 2e-3) or fp16 (CUDA only) (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "LibTorch threads (default: all "
            + "cores; 1 on a machine shared with other busy processes).")
    int threads;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The options on a predictor builder; a CUDA number other than 0 or a negative thread count is a usage error. */
    AvSalPredictor.Builder apply(AvSalPredictor.Builder b) {
        if (device.index() > 0)
            throw new ParameterException(spec.commandLine(), "--device " + device.device().name().toLowerCase()
                    + ":" + device.index() + ": a predictor runs on the first CUDA device; choose the GPU with "
                    + "CUDA_VISIBLE_DEVICES");
        if (threads < 0) throw new ParameterException(spec.commandLine(), "--threads must be >= 0");
        b.optDevice(device.device()).optPrecision(precision);
        return threads > 0 ? b.optThreads(threads) : b;
    }
}
