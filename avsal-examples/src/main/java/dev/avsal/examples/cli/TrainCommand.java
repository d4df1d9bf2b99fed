package dev.avsal.examples.cli;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalModel;
import dev.avsal.Device;
import dev.avsal.Precision;
import dev.avsal.examples.TrainOnDataset;
import dev.avsal.train.LossWeights;
import dev.avsal.train.TrainConfig;
import dev.avsal.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code avsal train}: trains the AVSal-R head on a saliency dataset with frozen encoders ({@link TrainOnDataset}). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the AVSal-R head on a dataset (AViMoS layout, as written by 'avsal demo' or the official "
                + "release) with frozen encoders whose features are cached on disk.",
                "Writes OUTPUT/best.safetensors (a combined model file for 'avsal predict'), OUTPUT/last.safetensors "
                        + "(resumable with --resume) and OUTPUT/train.jsonl."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Dataset root folder.")
    Path data;

    @Option(names = {"-o", "--output"}, required = true, description = "Output folder for checkpoints and the log.")
    Path output;

    @Option(names = "--preset", defaultValue = "avsal-r-tiny", description = "Model preset for a new model (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--weights", description = "Start from this combined model file instead of random weights "
            + "(e.g. a file with the official encoders; see docs/training.md).")
    Path weights;

    @Option(names = "--clip", description = "Official CLIP weights (e.g. ViT-B-16.pt) for a new model with a random head; "
            + "needs --imagebind.")
    Path clip;

    @Option(names = "--imagebind", description = "Official ImageBind weights (imagebind_huge.pth), with --clip.")
    Path imageBind;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--batch", defaultValue = "4", description = "Clips per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--frames", defaultValue = "8", description = "Frames per training clip (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).") double weightDecay;
    @Option(names = "--loss", defaultValue = "kld=1,cc=1", description = "Loss weights, e.g. kld=1,cc=1,nss=0.1,sim=0 (default: ${DEFAULT-VALUE}).")
    String loss;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the head weights, shuffling and augmentation (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--silence-audio", description = "Train on silence (the audio-ablation baseline).") boolean silence;
    @Option(names = "--no-flip", description = "No horizontal-flip augmentation.") boolean noFlip;
    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Also checkpoint every N steps (default: each epoch).") int every;
    @Option(names = "--cache", description = "Feature cache folder (default: OUTPUT/cache).") Path cache;
    @Option(names = "--train-encoders", description = "Train end to end: unfreeze the encoders and train them with the head "
            + "(no feature cache; avsal-r-tiny only).") boolean trainEncoders;
    @Option(names = "--resume", description = "Continue from OUTPUT/last.safetensors.") boolean resume;
    @Option(names = "--device", defaultValue = "auto", converter = DeviceConverter.class, paramLabel = "DEVICE",
            description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}: CUDA when usable, else the CPU).")
    DeviceChoice device;
    @Option(names = "--precision", defaultValue = "fp32", converter = PrecisionConverter.class, paramLabel = "PRECISION",
            description = "fp32, bf16 or fp16 autocast of the forward passes; fp16 scales the loss dynamically "
                    + "(default: ${DEFAULT-VALUE}). Reduced precision is meant for CUDA; fp16 on the CPU is for tests.")
    Precision precision;
    @Option(names = "--threads", defaultValue = "0", description = "LibTorch threads (default: all cores).") int threads;
    @Option(names = "--no-progress", description = "No progress bar on stderr.") boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainConfig.Builder b = TrainConfig.builder().setOutput(output).optCacheDir(cache).optEpochs(epochs)
                .optBatchClips(batch).optClipFrames(frames).optLearningRate(lr).optWeightDecay(weightDecay)
                .optLoss(parseLoss(loss)).optSeed(seed).optSilenceAudio(silence).optFlipAugment(!noFlip)
                .optCheckpointEvery(every).optThreads(threads).optProgress(!noProgress).optResume(resume)
                .optTrainEncoders(trainEncoders).optPrecision(precision);
        TrainConfig c = (device.index() >= 0 ? b.optCudaDevice(device.index()) : b.optDevice(device.device())).build();
        Trainer.checkDevice(c); // before loading weights or opening the data
        if ((clip == null) != (imageBind == null))
            throw new IllegalArgumentException("--clip and --imagebind go together");
        // refused before building a full-size model (the trainer refuses a loaded --weights model of another preset)
        if (trainEncoders && weights == null && (clip != null || !AvSalConfig.TINY.name().equals(preset)))
            throw new IllegalArgumentException("--train-encoders: only the " + AvSalConfig.TINY.name()
                    + " preset can be trained end to end");
        try (AvSalModel m = weights != null ? AvSalModel.load(weights)
                : clip != null ? withRandomHead(clip, imageBind) : AvSalModel.random(AvSalConfig.preset(preset), seed)) {
            TrainOnDataset.train(m, data, c, new java.io.PrintStream(System.out, true));
        }
        return 0;
    }

    /** Official encoders with a seeded random head of the preset (written to a temporary head file first). */
    private AvSalModel withRandomHead(Path clipFile, Path imageBindFile) throws Exception {
        java.nio.file.Path head = java.nio.file.Files.createTempFile("avsal-head", ".safetensors");
        try {
            try (dev.avsal.model.head.AvSalHead h = new dev.avsal.model.head.AvSalHead(AvSalConfig.preset(preset).head())) {
                dev.avsal.predict.Tensors.seededInit(h, seed);
                h.save(head);
            }
            return AvSalModel.load(head, clipFile, imageBindFile);
        } finally {
            java.nio.file.Files.deleteIfExists(head);
        }
    }

    /** A {@code --device} value: the device and a CUDA number (-1: none given). */
    record DeviceChoice(Device device, int index) {}

    /** Parses {@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N} (case-insensitive). */
    static final class DeviceConverter implements CommandLine.ITypeConverter<DeviceChoice> {
        @Override
        public DeviceChoice convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            switch (v) {
                case "auto": return new DeviceChoice(Device.AUTO, -1);
                case "cpu": return new DeviceChoice(Device.CPU, -1);
                case "cuda": return new DeviceChoice(Device.CUDA, -1);
                default:
                    if (v.matches("cuda:\\d{1,3}") && Integer.parseInt(v.substring(5)) <= Byte.MAX_VALUE)
                        return new DeviceChoice(Device.CUDA, Integer.parseInt(v.substring(5)));
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a device (auto, cpu, cuda, cuda:N)");
            }
        }
    }

    /** Parses {@code fp32}, {@code bf16}, {@code fp16} (case-insensitive). */
    static final class PrecisionConverter implements CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a precision (fp32, bf16, fp16)");
            }
        }
    }

    static LossWeights parseLoss(String s) {
        double kld = 0, cc = 0, nss = 0, sim = 0;
        for (String part : s.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) throw new IllegalArgumentException("--loss: expected name=weight, got '" + part + "'");
            double w = Double.parseDouble(kv[1]);
            switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
                case "kld" -> kld = w;
                case "cc" -> cc = w;
                case "nss" -> nss = w;
                case "sim" -> sim = w;
                default -> throw new IllegalArgumentException("--loss: unknown term '" + kv[0] + "' (kld, cc, nss, sim)");
            }
        }
        return new LossWeights(kld, cc, nss, sim);
    }
}
