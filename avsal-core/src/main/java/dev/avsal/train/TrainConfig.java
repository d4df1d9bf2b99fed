package dev.avsal.train;

import dev.avsal.Device;
import dev.avsal.Precision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a training run ({@link Trainer}). Immutable; build with {@link #builder()} ({@code set*} required,
 * {@code opt*} optional). Defaults are avsal choices (the AVSal paper does not publish its schedule): AdamW lr 1e-3, weight decay 0.01, 5% linear warm-up then cosine to 1% of the
 * peak, gradient norm clipped at 1, batches of 4 clips of 8 frames, KLD + CC.
 *
 * @param output          folder of checkpoints ({@code last.safetensors}, {@code best.safetensors}) and the log
 *                        ({@code train.jsonl})
 * @param cacheDir        feature cache root ({@code output/cache} by default)
 * @param epochs          passes over the training videos
 * @param batchClips      clips per step
 * @param clipFrames      consecutive frames per clip (a random window of each video per epoch; whole videos if shorter)
 * @param lr              peak learning rate
 * @param weightDecay     AdamW decoupled weight decay
 * @param warmupFraction  fraction of all steps spent warming up linearly
 * @param minLrFraction   final learning rate as a fraction of the peak
 * @param gradClip        global gradient-norm limit (0: no clipping)
 * @param loss            loss weights
 * @param seed            seed of shuffling, windows and flips (the model's initial weights come with the model)
 * @param silenceAudio    train and validate on silence instead of the audio (the audio-ablation baseline)
 * @param flipAugment     mirror frames and maps horizontally with probability 1/2
 * @param checkpointEvery steps between checkpoints of {@code last.safetensors} (0: at the end of each epoch only)
 * @param threads         LibTorch intra-op threads (0: leave LibTorch's setting)
 * @param progress        draw a progress bar with ETA on stderr
 * @param resume          continue from {@code output/last.safetensors} (without it, an output folder that already
 *                        holds a checkpoint is refused)
 * @param trainEncoders   train end to end: the CLIP and ImageBind encoders are unfrozen and trained with the head
 *                        (same AdamW settings; no feature cache, so preprocessing and both encoders run every step;
 *                        the encoder weights go into {@code last.safetensors} and {@code best.safetensors}). An avsal
 *                        choice: only for the {@code avsal-r-tiny} preset (the full-size encoders' optimizer state
 *                        and activations do not fit CPU training), other models are refused
 * @param device          where training computes: {@link Device#AUTO} (default: CUDA when usable, else the CPU, logged),
 *                        {@link Device#CPU} or {@link Device#CUDA} (a {@link dev.avsal.DeviceException} from
 *                        {@link Trainer#fit} when CUDA is not usable). Not part of {@link #toMap()}: a checkpoint made on
 *                        one device resumes on another
 * @param cudaIndex       the CUDA device number ({@code cuda:N}), or -1 for LibTorch's default CUDA device; only with
 *                        {@link Device#CUDA} or {@link Device#AUTO}
 * @param precision       {@link Precision#FP32} (default), or autocast of the forward passes to {@link Precision#BF16}
 *                        or {@link Precision#FP16} (with dynamic loss scaling, {@link LossScaler}); weights, optimizer
 *                        state and the loss stay float32. All three run on the CPU too (LibTorch 2.10's CPU autocast
 *                        covers every op of the head and encoders, forward and backward, in both types), which is how
 *                        the reduced-precision paths are tested without a GPU; on the CPU they are not faster
 */
public record TrainConfig(Path output, Path cacheDir, int epochs, int batchClips, int clipFrames, double lr,
                          double weightDecay, double warmupFraction, double minLrFraction, double gradClip,
                          LossWeights loss, long seed, boolean silenceAudio, boolean flipAugment, int checkpointEvery,
                          int threads, boolean progress, boolean resume, boolean trainEncoders,
                          Device device, int cudaIndex, Precision precision) {
    public TrainConfig {
        if (output == null) throw new IllegalArgumentException("training output folder is not set");
        if (cacheDir == null) cacheDir = output.resolve("cache");
        if (epochs < 1 || batchClips < 1 || clipFrames < 1)
            throw new IllegalArgumentException("epochs, batch clips and clip frames must be >= 1, got " + epochs + ", "
                    + batchClips + ", " + clipFrames);
        if (!(lr > 0) || !(weightDecay >= 0) || !(warmupFraction >= 0 && warmupFraction < 1)
                || !(minLrFraction >= 0 && minLrFraction <= 1) || !(gradClip >= 0))
            throw new IllegalArgumentException("invalid optimiser settings: lr " + lr + ", weight decay " + weightDecay
                    + ", warm-up " + warmupFraction + ", min lr fraction " + minLrFraction + ", grad clip " + gradClip);
        if (loss == null) loss = LossWeights.DEFAULT;
        if (checkpointEvery < 0 || threads < 0)
            throw new IllegalArgumentException("checkpointEvery and threads must be >= 0");
        if (device == null) device = Device.AUTO;
        if (precision == null) precision = Precision.FP32;
        if (cudaIndex < -1 || cudaIndex > Byte.MAX_VALUE)
            throw new IllegalArgumentException("CUDA device number must be 0.." + Byte.MAX_VALUE + " (or -1: default), got " + cudaIndex);
        if (cudaIndex >= 0 && device == Device.CPU)
            throw new IllegalArgumentException("a CUDA device number (cuda:" + cudaIndex + ") was given with device CPU");
    }

    public static Builder builder() { return new Builder(); }

    /** The settings that decide the course of training (everything but paths, threads and display), as JSON-ready values. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", (long) epochs);
        m.put("batch_clips", (long) batchClips);
        m.put("clip_frames", (long) clipFrames);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("warmup_fraction", warmupFraction);
        m.put("min_lr_fraction", minLrFraction);
        m.put("grad_clip", gradClip);
        m.put("loss", loss.toString());
        m.put("seed", seed);
        m.put("silence_audio", silenceAudio);
        m.put("flip_augment", flipAugment);
        if (trainEncoders) m.put("train_encoders", true); // absent when off: checkpoints of head-only runs still match
        // absent for FP32, for the same reason; a checkpoint resumes only in the precision it was made in
        if (precision != Precision.FP32) m.put("precision", precision.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /** Builder of {@link TrainConfig}. */
    public static final class Builder {
        private Path output, cacheDir;
        private int epochs = 10, batchClips = 4, clipFrames = 8, checkpointEvery, threads;
        private double lr = 1e-3, weightDecay = 0.01, warmup = 0.05, minLr = 0.01, gradClip = 1.0;
        private LossWeights loss = LossWeights.DEFAULT;
        private long seed = 42;
        private boolean silence, flip = true, progress, resume, encoders;
        private Device device = Device.AUTO;
        private int cudaIndex = -1;
        private Precision precision = Precision.FP32;

        private Builder() {}

        public Builder setOutput(Path dir) { output = dir; return this; }
        public Builder optCacheDir(Path dir) { cacheDir = dir; return this; }
        public Builder optEpochs(int n) { epochs = n; return this; }
        public Builder optBatchClips(int n) { batchClips = n; return this; }
        public Builder optClipFrames(int n) { clipFrames = n; return this; }
        public Builder optLearningRate(double v) { lr = v; return this; }
        public Builder optWeightDecay(double v) { weightDecay = v; return this; }
        public Builder optWarmupFraction(double v) { warmup = v; return this; }
        public Builder optMinLrFraction(double v) { minLr = v; return this; }
        public Builder optGradClip(double v) { gradClip = v; return this; }
        public Builder optLoss(LossWeights w) { loss = w; return this; }
        public Builder optSeed(long s) { seed = s; return this; }
        public Builder optSilenceAudio(boolean on) { silence = on; return this; }
        public Builder optFlipAugment(boolean on) { flip = on; return this; }
        public Builder optCheckpointEvery(int steps) { checkpointEvery = steps; return this; }
        public Builder optThreads(int n) { threads = n; return this; }
        public Builder optProgress(boolean on) { progress = on; return this; }
        public Builder optResume(boolean on) { resume = on; return this; }
        public Builder optTrainEncoders(boolean on) { encoders = on; return this; }
        /** {@link Device#AUTO} (default), {@link Device#CPU} or {@link Device#CUDA} (LibTorch's default CUDA device). */
        public Builder optDevice(Device d) { device = d; cudaIndex = -1; return this; }
        /** CUDA device number {@code index} ({@code cuda:N}). */
        public Builder optCudaDevice(int index) { device = Device.CUDA; cudaIndex = index; return this; }
        /** {@link Precision#FP32} (default), {@link Precision#BF16} or {@link Precision#FP16} autocast. */
        public Builder optPrecision(Precision p) { precision = p; return this; }

        public TrainConfig build() {
            return new TrainConfig(output, cacheDir, epochs, batchClips, clipFrames, lr, weightDecay, warmup, minLr,
                    gradClip, loss, seed, silence, flip, checkpointEvery, threads, progress, resume, encoders, device, cudaIndex,
                    precision);
        }
    }
}
