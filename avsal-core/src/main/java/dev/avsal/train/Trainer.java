package dev.avsal.train;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalException;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.AvSalModel;
import dev.avsal.Precision;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Resize;
import dev.avsal.model.head.AvSalHead;
import dev.avsal.model.head.OutputNormalization;
import dev.avsal.predict.Autocast;
import dev.avsal.predict.Tensors;
import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains the AVSal-R head of a model on frozen-encoder features ({@link FeatureCache}), or the whole model end to end.
 *
 * <p>Per epoch: the training videos are shuffled, each contributes one random window of {@link TrainConfig#clipFrames()}
 * consecutive frames (mirrored with probability 1/2 when flip augmentation is on), {@link TrainConfig#batchClips()}
 * windows make a step; loss {@link Losses#objective} on the head's maps (softmax over pixels, or sigmoid maps
 * normalised to sum 1, following the head's {@link OutputNormalization}) against the ground truth resized to the output
 * size; {@link AdamW} with warm-up + cosine ({@link LrSchedule}) and gradient-norm clipping. After each epoch the
 * validation videos are scored (CC, NSS, SIM, AUC-Judd, KLD at ground-truth size) and the model with the best
 * validation CC is written to {@code best.safetensors} (a combined model file, {@link AvSalModel#load(Path)}).
 *
 * <p><b>Checkpoints and resuming.</b> {@code last.safetensors} holds the head, the optimizer moments and the position
 * (epoch, step within the epoch, global step, best score so far); it is replaced atomically after every epoch and every
 * {@link TrainConfig#checkpointEvery()} steps. All randomness derives from the seed and the epoch number, so a run
 * resumed from a checkpoint (after a kill at any moment) takes exactly the steps an uninterrupted run takes. The log
 * {@code train.jsonl} gets one line per step and per epoch; a resumed run appends, repeating the steps after the last
 * checkpoint.
 *
 * <p><b>End to end.</b> With {@link TrainConfig#trainEncoders()} (the {@code avsal-r-tiny} preset only) there is no
 * feature cache: each step preprocesses its windows' frames and audio (kept decoded in memory) and runs both encoders
 * with autograd ({@link dev.avsal.model.ClipVisionEncoder#forwardTrainable}), whose parameters join the head's in the
 * same AdamW (same learning rate and weight decay: an avsal choice). Their parameters require gradients only during
 * {@link #fit}. Both checkpoints then hold the encoders too ({@code clip.*}, {@code audio.*}); a resumed run must start
 * from the same initial model, which the checkpoint checks. Validation encodes with the current encoders.
 *
 * <p><b>Devices and precision.</b> {@link #fit} resolves {@link TrainConfig#device()} first (a
 * {@link dev.avsal.DeviceException} when CUDA is requested and not usable), moves the encoders and the head there, and
 * moves every batch tensor there (cached features cross as float16, ground-truth maps and fixation masks as
 * float32). The forward pass (the encoders too, end to end) runs under {@link Autocast} for the device type with
 * {@link TrainConfig#precision()}; the logits are cast to float32 and the loss is computed in float32 outside
 * autocast; parameters, gradients and the AdamW moments stay float32 on the device. With {@link Precision#FP16} the
 * loss is scaled ({@link LossScaler}: unscale before clipping, skip steps with inf/NaN gradients, its state in the
 * checkpoint). Checkpoints are written from CPU copies and load onto the device on resume. Validation runs the
 * forward in the training precision on the device and scores CPU copies of the maps. When {@link #fit} returns, the
 * model is back on the device it was on before (its gradients dropped). avsal choices: validation in the training
 * precision (the precision the model is meant to predict in), feature extraction in float32 (the cache is shared by
 * all precisions), float16 allowed on the CPU (LibTorch 2.10's CPU autocast runs every op of the model in float16,
 * forward and backward; slow, but it exercises the loss-scaled path without a GPU).
 *
 * <p>Deterministic on CPU for a given seed, thread count, precision and machine (CUDA kernels need not be). Not
 * thread-safe; the model must not be used elsewhere while training. When {@link #fit} returns, the model's head (and,
 * end to end, its encoders) holds the best validation weights (the last ones without validation videos).
 */
public final class Trainer {
    /** Metadata key of the training state in {@code last.safetensors}. */
    public static final String STATE_KEY = "avsal.train";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Trainer.class);
    private static final String CLIP = "clip.", AUDIO = "audio.";

    private final AvSalModel model;
    private final TrainConfig config;
    private final AvSalHead head;
    private final int outH, outW, gh, gw;
    private org.bytedeco.pytorch.Device device; // the training device during fit
    /** Makes the float16 runs' loss scaler (tests start one at an overflowing scale). */
    java.util.function.Supplier<LossScaler> lossScalers = LossScaler::new;

    public Trainer(AvSalModel model, TrainConfig config) {
        if (model == null || config == null) throw new IllegalArgumentException("model and config are required");
        this.model = model;
        this.config = config;
        this.head = model.head();
        var c = model.config();
        gh = c.inputHeight() / c.clip().patchSize();
        gw = c.inputWidth() / c.clip().patchSize();
        outH = gh * c.head().patchSize();
        outW = gw * c.head().patchSize();
    }

    /**
     * Checks that the configured device can be used here, as {@link #fit} does first: lets a front end fail before it
     * loads weights or opens data.
     *
     * @throws dev.avsal.DeviceException if CUDA is requested and not usable (with the reason), or the CUDA device
     *                                   number does not exist
     */
    public static void checkDevice(TrainConfig config) throws dev.avsal.DeviceException {
        try (PointerScope scope = new PointerScope()) {
            Devices.resolve(config);
        }
    }

    /** One epoch's summary. */
    public record Epoch(int epoch, long steps, double trainLoss, MapScores validation, double seconds) {}

    /** What a run did. */
    public record Result(List<Epoch> epochs, long steps, int bestEpoch, double bestValidationCc, long encodedFrames,
                         double seconds, Path best, Path last) {}

    private record Item(int video, int start, boolean flip) {}

    /** Ground truth of one video at the output size: densities (and fixation masks when NSS is trained). */
    private record Truth(float[][] density, float[][] fixations) {}

    /**
     * Trains on {@code train}, validating on {@code val} (may be empty) after each epoch.
     *
     * @throws TrainException  if the output folder already holds a checkpoint and resume is off, the checkpoint does
     *                         not belong to this model and configuration, or the data are unusable
     * @throws dev.avsal.DeviceException if the configured device is CUDA and CUDA is not usable here (or the CUDA
     *                         device number does not exist); nothing is written then
     */
    public Result fit(List<? extends AnnotatedVideo> train, List<? extends AnnotatedVideo> val) throws AvSalException {
        if (train.isEmpty()) throw new TrainException("no training videos");
        org.bytedeco.pytorch.Device dev = Devices.resolve(config); // before any file is touched
        LOG.info("training {} on {}, precision {}{}", model.config().name(), Devices.name(dev), config.precision(),
                config.trainEncoders() ? ", encoders trained too" : "");
        long t0 = System.nanoTime();
        if (config.threads() > 0) torch.set_num_threads(config.threads());
        Path out = config.output(), last = out.resolve("last.safetensors"), best = out.resolve("best.safetensors");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new TrainException(out + ": cannot create the output folder: " + e.getMessage(), e);
        }
        if (Files.exists(last) && !config.resume())
            throw new TrainException(out + ": already holds a training checkpoint (last.safetensors); resume it or "
                    + "choose another folder");
        repairLog(out.resolve("train.jsonl"));
        int frames = config.clipFrames();
        for (AnnotatedVideo v : train) frames = Math.min(frames, v.frameCount());
        if (frames < 1) throw new TrainException("a training video has no frames with ground truth");
        int perStep = config.batchClips(), stepsPerEpoch = (train.size() + perStep - 1) / perStep;
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        LrSchedule lr = new LrSchedule(config.lr(), Math.round(totalSteps * config.warmupFraction()), totalSteps,
                config.minLrFraction());

        boolean e2e = config.trainEncoders();
        if (e2e && !AvSalConfig.TINY.name().equals(model.config().name()))
            throw new TrainException("end-to-end training (train encoders) is only supported for the "
                    + AvSalConfig.TINY.name() + " preset, not " + model.config().name());
        // e2e: the checkpoint belongs to the encoders the run started from (they change while training)
        String featureKey = e2e ? "e2e-" + FeatureCache.key(model, config.silenceAudio(), config.flipAugment()) : null;
        Map<String, Tensor> params = new LinkedHashMap<>(head.stateDict());
        if (e2e) {
            Tensors.namedTensors(model.clipEncoder().module(), false).forEach((k, v) -> params.put(CLIP + k, v));
            Tensors.namedTensors(model.audioEncoder().module(), false).forEach((k, v) -> params.put(AUDIO + k, v));
        }
        org.bytedeco.pytorch.Device home = Devices.deviceOf(head);
        clearGradients(params.values()); // a gradient left on another device would not accumulate
        LossScaler scaler = config.precision() == Precision.FP16 ? lossScalers.get() : null;
        try {
            Devices.move(model, dev);
            device = dev;
            if (e2e) requireGrad(true);
            try (FeatureCache cache = e2e ? null : new FeatureCache(model, config.cacheDir(), config.silenceAudio(), config.flipAugment());
                 AdamW opt = new AdamW(params, 0.9, 0.999, 1e-8, config.weightDecay());
                 BufferedWriter log = Files.newBufferedWriter(out.resolve("train.jsonl"), StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                EncoderFeatures enc = e2e ? new EncoderFeatures(model, config.silenceAudio()) : null;
                if (!e2e) featureKey = cache.key();
                State st = Files.exists(last) ? restore(last, opt, scaler, featureKey) : new State();
                Progress bar = config.progress() ? new Progress(totalSteps, st.step) : null;
                List<Truth> truth = new ArrayList<>(train.size());
                for (AnnotatedVideo v : train) {
                    if (e2e) enc.frames(v);
                    else cache.get(v);
                    truth.add(truth(v));
                }
                for (AnnotatedVideo v : val) if (e2e) enc.frames(v); else cache.get(v);
                List<Epoch> history = new ArrayList<>();
                while (st.epoch < config.epochs()) {
                    long e0 = System.nanoTime();
                    List<Item> plan = plan(train, st.epoch, frames);
                    double lossSum = 0;
                    int lossN = 0;
                    for (int s = st.stepInEpoch; s < stepsPerEpoch; s++) {
                        List<Item> batch = plan.subList(s * perStep, Math.min(plan.size(), (s + 1) * perStep));
                        double rate = lr.at(st.step);
                        float scale = scaler == null ? 0 : scaler.scale();
                        double[] r = step(batch, train, truth, cache, enc, frames, opt, scaler, rate);
                        lossSum += r[0];
                        lossN++;
                        st.step++;
                        st.stepInEpoch = s + 1;
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("type", "step");
                        line.put("epoch", (long) st.epoch);
                        line.put("step", st.step);
                        line.put("loss", r[0]);
                        line.put("lr", rate);
                        line.put("grad_norm", MapScores.num(r[1]));
                        if (scaler != null) {
                            line.put("loss_scale", (double) scale);
                            if (r[2] == 0) line.put("skipped", true); // inf/NaN gradients: no update, scale backed off
                        }
                        write(log, line);
                        if (bar != null) bar.update(st.step, st.epoch, r[0], st.bestCc);
                        if (config.checkpointEvery() > 0 && st.step % config.checkpointEvery() == 0 && s + 1 < stepsPerEpoch)
                            save(last, opt, scaler, st, featureKey);
                    }
                    MapScores vs = null;
                    if (!val.isEmpty()) {
                        vs = e2e ? evaluate(val, enc) : evaluate(val, cache);
                        if (vs.cc() > st.bestCc) {
                            st.bestCc = vs.cc();
                            st.bestEpoch = st.epoch;
                            model.save(best);
                        }
                    } else {
                        model.save(best);
                        st.bestEpoch = st.epoch;
                    }
                    double sec = (System.nanoTime() - e0) / 1e9;
                    Epoch ep = new Epoch(st.epoch, st.step, lossN == 0 ? Double.NaN : lossSum / lossN, vs, sec);
                    history.add(ep);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("type", "epoch");
                    line.put("epoch", (long) st.epoch);
                    line.put("step", st.step);
                    line.put("train_loss", MapScores.num(ep.trainLoss()));
                    if (vs != null) line.put("val", vs.toMap());
                    line.put("seconds", sec);
                    write(log, line);
                    if (bar != null) bar.epochDone(st.epoch, config.epochs(), ep.trainLoss(), vs);
                    st.epoch++;
                    st.stepInEpoch = 0;
                    save(last, opt, scaler, st, featureKey);
                }
                if (bar != null) bar.finish();
                if (Files.exists(best)) loadWeights(best, e2e);
                return new Result(history, st.step, st.bestEpoch, st.bestCc, e2e ? enc.encodedFrames() : cache.encodedFrames(),
                        (System.nanoTime() - t0) / 1e9, best, last);
            } catch (IOException e) {
                throw new TrainException(out + ": cannot write the training log: " + e.getMessage(), e);
            }
        } finally {
            if (e2e) requireGrad(false);
            clearGradients(params.values());
            device = null;
            Devices.move(model, home);
        }
    }

    private static void clearGradients(Iterable<Tensor> params) {
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : params) p.mutable_grad().reset();
        }
    }

    /** The epoch's windows in step order: shuffled videos, random starts and flips, all from (seed, epoch). */
    private List<Item> plan(List<? extends AnnotatedVideo> train, int epoch, int frames) {
        Random rnd = new Random(config.seed() * 1_000_003L + epoch);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) order.add(i);
        java.util.Collections.shuffle(order, rnd);
        List<Item> plan = new ArrayList<>(order.size());
        for (int v : order) {
            int start = rnd.nextInt(train.get(v).frameCount() - frames + 1);
            boolean flip = config.flipAugment() && rnd.nextBoolean();
            plan.add(new Item(v, start, flip));
        }
        return plan;
    }

    /**
     * One optimisation step; returns {loss, gradient norm before clipping (NaN when skipped), 1 if the parameters
     * were updated else 0 (float16 steps with inf/NaN gradients)}.
     */
    private double[] step(List<Item> batch, List<? extends AnnotatedVideo> train, List<Truth> truth, FeatureCache cache,
                          EncoderFeatures enc, int frames, AdamW opt, LossScaler scaler, double rate) throws AvSalException {
        try (PointerScope scope = new PointerScope()) {
            int b = batch.size(), n = b * frames, plane = outH * outW;
            List<List<Tensor>> taps = new ArrayList<>();
            List<Tensor> audio = new ArrayList<>();
            List<EncoderFeatures.Window> windows = new ArrayList<>();
            float[] g = new float[n * plane];
            float[] fx = config.loss().nss() != 0 ? new float[n * plane] : null;
            for (int i = 0; i < b; i++) {
                Item it = batch.get(i);
                if (enc != null) {
                    windows.add(new EncoderFeatures.Window(train.get(it.video()), it.start(), frames, it.flip()));
                } else {
                    FeatureCache.Entry e = cache.get(train.get(it.video()));
                    taps.add(e.taps(it.start(), frames, it.flip(), device));
                    audio.add(e.audio(it.start(), frames, device));
                }
                Truth t = truth.get(it.video());
                for (int f = 0; f < frames; f++) {
                    copy(t.density()[it.start() + f], g, (i * frames + f) * plane, it.flip());
                    if (fx != null) copy(t.fixations()[it.start() + f], fx, (i * frames + f) * plane, it.flip());
                }
            }
            Tensor logits;
            try (Autocast ac = Devices.autocast(device, config.precision())) {
                if (enc != null) {
                    // one batch of all windows through each encoder, recorded by autograd
                    EncoderFeatures.Features f = enc.encode(windows, true);
                    taps.add(f.taps());
                    audio.add(f.audio());
                }
                List<Tensor> level = new ArrayList<>();
                for (int l = 0; l < taps.get(0).size(); l++) {
                    List<Tensor> parts = new ArrayList<>();
                    for (List<Tensor> t : taps) parts.add(t.get(l));
                    level.add(cat(parts));
                }
                logits = head.forward(level, gh, gw, cat(audio), b, frames);
            }
            // the loss in float32, outside autocast (mixed-precision practice: sums over all pixels and logarithms)
            Tensor p = distribution(Tensors.float32(logits).view(n, plane));
            Tensor loss = Losses.objective(p, Devices.to(Tensors.fromFloats(g, n, plane), device),
                    fx == null ? null : Devices.to(Tensors.fromFloats(fx, n, plane), device), config.loss());
            opt.zeroGrad();
            double norm;
            boolean stepped = true;
            if (scaler == null) {
                loss.backward();
                norm = opt.clipGradNorm(config.gradClip());
                opt.step(rate);
            } else {
                scaler.scaled(loss).backward();
                LossScaler.Outcome o = scaler.step(opt, rate, config.gradClip());
                norm = o.gradNorm();
                stepped = o.stepped();
            }
            double value = loss.item_double();
            if (!Double.isFinite(value))
                throw new TrainException("training diverged: the loss is " + value + " (lower the learning rate"
                        + (config.precision() == Precision.FP16 ? "; float16 activations may overflow: try bf16" : "") + ")");
            return new double[] {value, norm, stepped ? 1 : 0};
        }
    }

    private Tensor distribution(Tensor flatLogits) {
        if (model.config().head().decoder().output() == OutputNormalization.SPATIAL_SOFTMAX) return flatLogits.softmax(1);
        Tensor s = flatLogits.sigmoid();
        return s.div(s.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }

    private static Tensor cat(List<Tensor> parts) {
        return parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    private void copy(float[] src, float[] dst, int off, boolean flip) {
        if (!flip) {
            System.arraycopy(src, 0, dst, off, src.length);
            return;
        }
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++) dst[off + y * outW + x] = src[y * outW + outW - 1 - x];
    }

    private Truth truth(AnnotatedVideo v) throws AvSalException {
        int n = v.frameCount();
        float[][] d = new float[n][], f = config.loss().nss() != 0 ? new float[n][] : null;
        for (int i = 0; i < n; i++) {
            Map2D m = v.density(i);
            if (m == null) throw new TrainException(v.id() + ", frame " + i + ": no ground-truth density");
            if (m.width() != outW || m.height() != outH) m = Resize.opencvBilinear(m, outW, outH);
            float[] x = new float[outW * outH];
            double sum = 0;
            for (int j = 0; j < x.length; j++) {
                double val = m.data()[j];
                if (!(val >= 0) || Double.isInfinite(val))
                    throw new TrainException(v.id() + ", frame " + i + ": ground-truth density has a negative or non-finite value");
                x[j] = (float) val;
                sum += val;
            }
            if (sum <= 0) throw new TrainException(v.id() + ", frame " + i + ": ground-truth density is all zero");
            d[i] = x;
            if (f != null) {
                Fixations fx = v.fixations(i);
                float[] mask = new float[outW * outH];
                for (int k = 0; k < fx.count(); k++) {
                    int xx = Math.min(outW - 1, (int) ((fx.x(k) + 0.5) * outW / fx.width()));
                    int yy = Math.min(outH - 1, (int) ((fx.y(k) + 0.5) * outH / fx.height()));
                    mask[yy * outW + xx] = 1;
                }
                f[i] = mask;
            }
        }
        return new Truth(d, f);
    }

    // ------------------------------------------------------------------------------------ evaluation

    /** Scores the current head on whole videos, from cached features (maps resized to the ground-truth size). */
    public MapScores evaluate(List<? extends AnnotatedVideo> videos, FeatureCache cache) throws AvSalException {
        MapScores s = new MapScores(config.seed());
        for (AnnotatedVideo v : videos) {
            List<Map2D> maps = predict(v, cache);
            for (int i = 0; i < maps.size(); i++) s.add(maps.get(i), v.density(i), v.fixations(i));
        }
        return s;
    }

    /**
     * The head's maps for every frame of a video, at the ground-truth size: computed where the head is, in the
     * configured precision, scored from a CPU copy.
     */
    public List<Map2D> predict(AnnotatedVideo v, FeatureCache cache) throws AvSalException {
        FeatureCache.Entry e = cache.get(v);
        int n = e.frames();
        float[] p;
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
            org.bytedeco.pytorch.Device d = Devices.deviceOf(head);
            Tensor logits;
            try (Autocast ac = Devices.autocast(d, config.precision())) {
                logits = head.forward(e.taps(0, n, false, d), gh, gw, e.audio(0, n, d), 1, n);
            }
            p = Tensors.toFloats(head.normalize(Tensors.float32(logits)));
        }
        return maps(v, p, n);
    }

    /** Scores the current model on whole videos, encoding the frames with the current encoders (end-to-end runs). */
    private MapScores evaluate(List<? extends AnnotatedVideo> videos, EncoderFeatures enc) throws AvSalException {
        MapScores s = new MapScores(config.seed());
        for (AnnotatedVideo v : videos) {
            int n = v.frameCount();
            float[] p;
            try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                Tensor logits;
                try (Autocast ac = Devices.autocast(Devices.deviceOf(head), config.precision())) {
                    EncoderFeatures.Features f = enc.encode(List.of(new EncoderFeatures.Window(v, 0, n, false)), false);
                    logits = head.forward(f.taps(), gh, gw, f.audio(), 1, n);
                }
                p = Tensors.toFloats(head.normalize(Tensors.float32(logits)));
            }
            List<Map2D> maps = maps(v, p, n);
            for (int i = 0; i < maps.size(); i++) s.add(maps.get(i), v.density(i), v.fixations(i));
        }
        return s;
    }

    private List<Map2D> maps(AnnotatedVideo v, float[] p, int n) {
        List<Map2D> out = new ArrayList<>(n);
        int plane = outH * outW;
        for (int i = 0; i < n; i++) {
            double[] d = new double[plane];
            for (int j = 0; j < plane; j++) d[j] = p[i * plane + j];
            Map2D m = new Map2D(outW, outH, d);
            if (v.width() != outW || v.height() != outH) m = Resize.opencvBilinear(m, v.width(), v.height());
            out.add(m);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ checkpoints

    private static final class State {
        int epoch, stepInEpoch, bestEpoch = -1;
        long step;
        double bestCc = Double.NEGATIVE_INFINITY;
    }

    /** Writes the training state; every tensor is copied to the CPU on its own as the writer reaches it. */
    private void save(Path file, AdamW opt, LossScaler scaler, State st, String featureKey) throws AvSalException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, TensorData> t = new LinkedHashMap<>();
            head.stateDict().forEach((k, v) -> t.put("head." + k, Tensors.lazyFloat32("head." + k, v)));
            if (config.trainEncoders()) {
                Tensors.namedTensors(model.clipEncoder().module(), true).forEach((k, v) -> t.put(CLIP + k, Tensors.lazyFloat32(CLIP + k, v)));
                Tensors.namedTensors(model.audioEncoder().module(), true).forEach((k, v) -> t.put(AUDIO + k, Tensors.lazyFloat32(AUDIO + k, v)));
            }
            opt.state().forEach((k, v) -> t.put("opt." + k, Tensors.lazyFloat32("opt." + k, v)));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", 1L);
            m.put("epoch", (long) st.epoch);
            m.put("step_in_epoch", (long) st.stepInEpoch);
            m.put("step", st.step);
            m.put("optimizer_steps", opt.steps());
            m.put("best_cc", Double.isFinite(st.bestCc) ? st.bestCc : null);
            m.put("best_epoch", (long) st.bestEpoch);
            m.put("features", featureKey);
            m.put("model", model.config().name());
            m.put("config", config.toMap());
            if (scaler != null) m.put("loss_scaler", scaler.state());
            SafetensorsWriter.write(file, t, Map.of(STATE_KEY, Json.write(m)));
        }
    }

    /** Reads a training state into the model, the optimizer and the scaler (on the training device). */
    private State restore(Path file, AdamW opt, LossScaler scaler, String featureKey) throws AvSalException {
        try (Checkpoint ck = Checkpoints.open(file)) {
            Object json = ck.metadata().get("__metadata__." + STATE_KEY);
            if (!(json instanceof String s)) throw new TrainException(file + ": not a training checkpoint (no '" + STATE_KEY + "' metadata)");
            Map<?, ?> m;
            try {
                m = (Map<?, ?>) Json.parse(s, file.toString());
            } catch (JsonException | ClassCastException e) {
                throw new TrainException(file + ": unreadable training state: " + e.getMessage(), e);
            }
            if (!featureKey.equals(m.get("features")))
                throw new TrainException(file + ": the checkpoint was made with other encoders or feature settings");
            Object stored = m.get("config");
            if (!Json.write(config.toMap()).equals(Json.write(stored)))
                throw new TrainException(file + ": the checkpoint was made with other training settings: "
                        + Json.write(stored) + " (now " + Json.write(config.toMap()) + ")");
            head.loadWeights(ck.subtree("head"));
            if (config.trainEncoders()) loadEncoders(ck);
            Map<String, float[]> os = new LinkedHashMap<>();
            for (String name : ck.tensorNames()) if (name.startsWith("opt.")) os.put(name.substring(4), ck.tensor(name).toFloatArray());
            try {
                opt.load(os, ((Number) m.get("optimizer_steps")).longValue());
                if (scaler != null) scaler.load((Map<?, ?>) m.get("loss_scaler"));
            } catch (IllegalArgumentException e) {
                throw new TrainException(file + ": " + e.getMessage(), e);
            }
            State st = new State();
            st.epoch = ((Number) m.get("epoch")).intValue();
            st.stepInEpoch = ((Number) m.get("step_in_epoch")).intValue();
            st.step = ((Number) m.get("step")).longValue();
            st.bestEpoch = ((Number) m.get("best_epoch")).intValue();
            st.bestCc = m.get("best_cc") instanceof Number b ? b.doubleValue() : Double.NEGATIVE_INFINITY;
            return st;
        } catch (CheckpointException e) {
            throw new TrainException(file + ": cannot read the training checkpoint: " + e.getMessage(), e);
        } catch (NullPointerException | ClassCastException e) {
            throw new TrainException(file + ": incomplete training state", e);
        }
    }

    private void loadWeights(Path combined, boolean encoders) throws AvSalException {
        try (Checkpoint ck = Checkpoints.open(combined)) {
            head.loadWeights(ck.subtree("head"));
            if (encoders) loadEncoders(ck);
        }
    }

    private void loadEncoders(Checkpoint ck) throws AvSalException {
        try {
            model.clipEncoder().loadWeights(ck.subtree("clip"));
            model.audioEncoder().loadWeights(ck.subtree("audio"));
        } catch (IllegalArgumentException e) {
            throw new TrainException(ck.file() + ": no encoder weights (clip.*, audio.*) in this checkpoint", e);
        }
    }

    /** Turns autograd on or off for the encoders' parameters (they are frozen, requires_grad=false, otherwise). */
    private void requireGrad(boolean on) {
        try (PointerScope scope = new PointerScope()) {
            for (var m : List.of(model.clipEncoder().module(), model.audioEncoder().module()))
                for (Tensor p : Tensors.namedTensors(m, false).values()) p.requires_grad_(on);
        }
    }

    /** Cuts a half-written last line (a kill during a write) so that appended lines stay valid JSON lines. */
    private static void repairLog(Path log) throws TrainException {
        if (!Files.exists(log)) return;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = ch.size(), keep = size;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            while (keep > 0) {
                b.clear();
                ch.read(b, keep - 1);
                if (b.get(0) == '\n') break;
                keep--;
            }
            if (keep < size) ch.truncate(keep);
        } catch (IOException e) {
            throw new TrainException(log + ": cannot repair the training log: " + e.getMessage(), e);
        }
    }

    private static void write(BufferedWriter w, Map<String, Object> line) throws IOException {
        w.write(Json.write(line));
        w.newLine();
        w.flush();
    }
}
