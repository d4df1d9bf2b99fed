package dev.avsal;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.model.ImageBindAudioConfig;
import dev.avsal.model.ImageBindAudioEncoder;
import dev.avsal.model.ModelConfigException;
import dev.avsal.model.WeightConverter;
import dev.avsal.model.head.AvSalHead;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.predict.HeadCheckpoints;
import dev.avsal.predict.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AVSal-R model: the CLIP image tower, ImageBind's audio branch and the head, with their native memory.
 *
 * <h2>Weights</h2>
 * <ul>
 *   <li><b>Combined file</b> ({@link #load(Path)}, {@link #save(Path)}): one safetensors file, float32, tensors under
 *       {@code clip.*} (OpenAI names without {@code visual.}), {@code audio.*} (ImageBind's official names) and
 *       {@code head.*} (the state-dict keys of tools/avsal_head.py), and the {@link AvSalConfig} JSON in the
 *       metadata under {@value AvSalConfig#METADATA_KEY} (plus {@code "format": "pt"}).</li>
 *   <li><b>Head-only file + official encoder files</b> ({@link #load(Path, Path, Path)}): the head as written by
 *       {@link #saveHead(Path)} or {@link AvSalHead#save(Path)} (config under {@value AvSalHead#CONFIG_METADATA_KEY}),
 *       OpenAI's {@code ViT-B-16.pt} (or an open_clip / Hugging Face file) and {@code imagebind_huge.pth}.</li>
 *   <li><b>PyTorch head checkpoints</b> ({@link #convertHead(Path, String, Path)}): a {@code torch.save} or
 *       safetensors file holding a head trained with tools/avsal_head.py, under any prefix, converted to a head-only
 *       file by name mapping.</li>
 *   <li><b>Random</b> ({@link #random(AvSalConfig, long)}): seeded, for tests, benchmarks and training.</li>
 * </ul>
 *
 * <h2>Ownership and threads</h2>
 * The model owns its encoders and head until {@link #close()}. After loading it is never modified, so <b>one model
 * may be shared by any number of threads, predictors and sessions</b>. {@link #close()} waits for calls in flight
 * (a read-write lock: every prediction holds the read side) and then frees the native memory; later use throws
 * IllegalStateException. Closing from inside a prediction call (e.g. a map consumer) is refused with an
 * IllegalStateException instead of deadlocking.
 */
public final class AvSalModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AvSalModel.class);
    private static final String CLIP = "clip", AUDIO = "audio", HEAD = "head";

    private final AvSalConfig config;
    private final ClipVisionEncoder clip;
    private final ImageBindAudioEncoder audio;
    private final AvSalHead head;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile Device device = Device.CPU;

    /** Held while a model is in use; releases the read lock on close. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    private AvSalModel(AvSalConfig config, ClipVisionEncoder clip, ImageBindAudioEncoder audio, AvSalHead head) {
        this.config = config;
        this.clip = clip;
        this.audio = audio;
        this.head = head;
    }

    // ---------------------------------------------------------------------------------------------- loading

    /** A model from a combined file, whatever its preset. */
    public static AvSalModel load(Path file) throws AvSalException {
        return load(file, null);
    }

    /**
     * A model from a combined file written by {@link #save(Path)}, checked against a preset before any weight is
     * read.
     *
     * @param expectedPreset a preset name ({@link AvSalConfig#preset}), or null to accept any
     * @throws ModelConfigException     if the file is not a combined AVSal-R file (e.g. a head-only file) or holds
     *                                  weights for another preset (the message names both)
     * @throws dev.avsal.model.WeightMismatchException if tensors are missing, unexpected or mis-shaped
     * @throws CheckpointException      if the file cannot be read
     */
    public static AvSalModel load(Path file, String expectedPreset) throws AvSalException {
        AvSalConfig expected = expectedPreset == null ? null : AvSalConfig.preset(expectedPreset);
        long t0 = System.nanoTime();
        try (Checkpoint ck = Checkpoints.open(file)) {
            Object json = ck.metadata().get("__metadata__." + AvSalConfig.METADATA_KEY);
            if (!(json instanceof String s)) {
                if (ck.metadata().get("__metadata__." + AvSalHead.CONFIG_METADATA_KEY) instanceof String)
                    throw new ModelConfigException(file + ": this is a head-only file; load it with AvSalModel.load(head, "
                            + "clipWeights, imageBindWeights)");
                if (ck.metadata().get("__metadata__." + WeightConverter.ENCODERS_METADATA_KEY) instanceof String)
                    throw new ModelConfigException(file + ": this file holds only the encoders (converted without a "
                            + "head); load it with AvSalModel.load(head, file, file)");
                throw new ModelConfigException(file + ": not a combined AVSal-R file (no '" + AvSalConfig.METADATA_KEY
                        + "' metadata)");
            }
            AvSalConfig cfg;
            try {
                cfg = AvSalConfig.fromJson(s, file + " metadata '" + AvSalConfig.METADATA_KEY + "'");
            } catch (IllegalArgumentException e) {
                throw new ModelConfigException(e.getMessage());
            }
            if (expected != null && !cfg.sameStructure(expected))
                throw new ModelConfigException(file + ": holds weights for '" + cfg.name() + "' (" + difference(cfg, expected)
                        + "), not for the requested preset '" + expected.name() + "'");
            AvSalModel m = fromCheckpoint(ck, cfg);
            LOG.info("loaded {} from {} in {} ms", cfg.name(), file, (System.nanoTime() - t0) / 1_000_000);
            return m;
        }
    }

    private static AvSalModel fromCheckpoint(Checkpoint ck, AvSalConfig cfg) throws AvSalException {
        ClipVisionEncoder c = null;
        ImageBindAudioEncoder a = null;
        AvSalHead h = null;
        try {
            c = ClipVisionEncoder.load(part(ck, CLIP), cfg.clip());
            a = ImageBindAudioEncoder.load(part(ck, AUDIO), cfg.audio());
            h = new AvSalHead(cfg.head());
            h.loadWeights(part(ck, HEAD));
            return new AvSalModel(cfg, c, a, h);
        } catch (AvSalException | RuntimeException e) {
            if (c != null) c.close();
            if (a != null) a.close();
            if (h != null) h.close();
            throw e;
        }
    }

    private static Checkpoint part(Checkpoint ck, String prefix) throws ModelConfigException {
        try {
            return ck.subtree(prefix);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(ck.file() + ": no '" + prefix + ".*' tensors in this combined file");
        }
    }

    /**
     * A model from a head-only file and the official encoder files. The encoder structures are inferred from the
     * weights (a preset's structure is used when the weights fit it, which also settles the attention head counts
     * that weights do not record); the head's config comes from its metadata.
     *
     * @throws ModelConfigException if the head does not fit the encoders (widths, patch size, taps), naming the files
     */
    public static AvSalModel load(Path headFile, Path clipFile, Path imageBindFile) throws AvSalException {
        long t0 = System.nanoTime();
        AvSalHead h = null;
        ClipVisionEncoder c = null;
        ImageBindAudioEncoder a = null;
        try {
            h = AvSalHead.load(headFile);
            try (Checkpoint ck = Checkpoints.open(clipFile)) {
                ClipVisionConfig recorded = WeightConverter.recordedClipConfig(ck); // avsal convert without --head
                c = ClipVisionEncoder.load(ck, recorded != null ? recorded : presetClip(ClipVisionEncoder.inferConfig(ck)));
            }
            try (Checkpoint ck = Checkpoints.open(imageBindFile)) {
                ImageBindAudioConfig recorded = WeightConverter.recordedAudioConfig(ck);
                a = ImageBindAudioEncoder.load(ck, recorded != null ? recorded : presetAudio(ImageBindAudioEncoder.inferConfig(ck)));
            }
            HeadConfig hc = h.config();
            String problem = AvSalConfig.incompatibility(c.config(), a.config(), hc);
            if (problem != null)
                throw new ModelConfigException("head " + headFile + " does not fit the encoders " + clipFile + " and "
                        + imageBindFile + ": " + problem);
            AvSalConfig preset = AvSalConfig.matchingPreset(c.config(), a.config(), hc);
            AvSalConfig cfg = new AvSalConfig(preset != null ? preset.name() : "custom", c.config(), a.config(), hc,
                    hc.inputH(), hc.inputW(), preset != null ? preset.weights() : "head " + headFile + ", CLIP " + clipFile
                    + ", ImageBind " + imageBindFile, preset != null ? preset.licence() : "see the weight files");
            LOG.info("loaded {} from {}, {} and {} in {} ms", cfg.name(), headFile, clipFile, imageBindFile,
                    (System.nanoTime() - t0) / 1_000_000);
            return new AvSalModel(cfg, c, a, h);
        } catch (AvSalException | RuntimeException e) {
            if (h != null) h.close();
            if (c != null) c.close();
            if (a != null) a.close();
            throw e;
        }
    }

    private static ClipVisionConfig presetClip(ClipVisionConfig inferred) {
        for (AvSalConfig p : AvSalConfig.PRESETS)
            if (inferred.width() % p.clip().heads() == 0 && inferred.withHeads(p.clip().heads()).equals(p.clip())) return p.clip();
        return inferred;
    }

    private static ImageBindAudioConfig presetAudio(ImageBindAudioConfig inferred) {
        for (AvSalConfig p : AvSalConfig.PRESETS)
            if (inferred.width() % p.audio().heads() == 0 && inferred.withHeads(p.audio().heads()).equals(p.audio())) return p.audio();
        return inferred;
    }

    /**
     * A model with seeded random weights: the encoders as {@link ClipVisionEncoder#createRandom} and
     * {@link ImageBindAudioEncoder#createRandom}, the head uniform in ±1/sqrt(fan-in) with zero biases. The same
     * seed gives the same weights.
     */
    public static AvSalModel random(AvSalConfig config, long seed) {
        ClipVisionEncoder c = ClipVisionEncoder.createRandom(config.clip(), seed);
        ImageBindAudioEncoder a = null;
        try {
            a = ImageBindAudioEncoder.createRandom(config.audio(), seed + 1);
            AvSalHead h = new AvSalHead(config.head());
            Tensors.seededInit(h, seed + 2);
            return new AvSalModel(config, c, a, h);
        } catch (RuntimeException e) {
            c.close();
            if (a != null) a.close();
            throw e;
        }
    }

    /** {@link #random(AvSalConfig, long)} for a preset name. */
    public static AvSalModel random(String preset, long seed) {
        return random(AvSalConfig.preset(preset), seed);
    }

    /**
     * Converts a PyTorch checkpoint of a head (tools/avsal_head.py; {@code torch.save} of its state dict or of a
     * bigger object, or safetensors) into a head-only file for this preset. The head's keys are found under any
     * prefix ({@link HeadCheckpoints}); its config is read from a stored config string if present, otherwise
     * inferred from the shapes with the preset's taps, grid and attention heads.
     *
     * @return the head config written with the weights
     * @throws ModelConfigException if no head is found or it does not fit the preset's encoders
     * @throws dev.avsal.model.WeightMismatchException if keys are missing, unexpected or mis-shaped
     */
    public static HeadConfig convertHead(Path torchCheckpoint, String preset, Path out) throws AvSalException {
        AvSalConfig p = AvSalConfig.preset(preset);
        try (Checkpoint ck = Checkpoints.open(torchCheckpoint)) {
            Map<String, TensorData> w = HeadCheckpoints.headTensors(ck);
            HeadConfig stored = HeadCheckpoints.storedConfig(ck);
            HeadConfig hc = stored != null ? stored : HeadCheckpoints.inferConfig(w, p.head(), torchCheckpoint.toString());
            String problem = AvSalConfig.incompatibility(p.clip(), p.audio(), hc);
            if (problem != null)
                throw new ModelConfigException(torchCheckpoint + ": the head does not fit preset '" + p.name() + "': " + problem);
            try (AvSalHead h = new AvSalHead(hc)) {
                try {
                    h.loadWeights(w, torchCheckpoint.toString());
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(torchCheckpoint, e.getMessage(), e);
                }
                h.save(out);
            }
            LOG.info("converted the head in {} to {} ({} tensors)", torchCheckpoint, out, w.size());
            return hc;
        }
    }

    // ---------------------------------------------------------------------------------------------- saving

    /** Writes the combined file (see the class comment); atomically replaces {@code file}. */
    public void save(Path file) throws AvSalException {
        try (Lease l = acquire(); PointerScope scope = new PointerScope()) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            add(out, CLIP, Tensors.namedTensors(clip.module(), true));
            add(out, AUDIO, Tensors.namedTensors(audio.module(), true));
            add(out, HEAD, Tensors.namedTensors(head, true));
            SafetensorsWriter.write(file, out, Map.of(AvSalConfig.METADATA_KEY, config.toJson(),
                    AvSalHead.CONFIG_METADATA_KEY, config.head().toJson(), "format", "pt"));
        }
    }

    private static void add(Map<String, TensorData> out, String prefix, Map<String, Tensor> tensors) {
        tensors.forEach((k, t) -> out.put(prefix + "." + k, Tensors.lazyFloat32(prefix + "." + k, t)));
    }

    /** Writes the head alone ({@link AvSalHead#save(Path)}), for use with the official encoder files. */
    public void saveHead(Path file) throws AvSalException {
        try (Lease l = acquire()) {
            head.save(file);
        }
    }

    // ---------------------------------------------------------------------------------------------- access

    /** The configuration. */
    public AvSalConfig config() { return config; }

    /** Where the weights live ({@link Device#CPU} unless a predictor that loaded the model moved it). */
    public Device device() { return device; }

    /**
     * Parameters per part, counted on the loaded modules: {@code clip}, {@code audio}, {@code head}, {@code total}
     * (buffers excluded).
     */
    public Map<String, Long> parameterCounts() {
        try (Lease l = acquire()) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put(CLIP, Tensors.parameterCount(clip.module()));
            m.put(AUDIO, Tensors.parameterCount(audio.module()));
            m.put(HEAD, Tensors.parameterCount(head));
            m.put("total", m.get(CLIP) + m.get(AUDIO) + m.get(HEAD));
            return m;
        }
    }

    /**
     * The CLIP tower, for advanced use (it belongs to this model: do not close it; it is valid until the model is
     * closed, and concurrent {@link ClipVisionEncoder#forward} calls are allowed).
     */
    public ClipVisionEncoder clipEncoder() {
        checkOpen();
        return clip;
    }

    /** The audio branch (same rules as {@link #clipEncoder()}). */
    public ImageBindAudioEncoder audioEncoder() {
        checkOpen();
        return audio;
    }

    /** The head (same rules as {@link #clipEncoder()}; do not load weights into it while predictions run). */
    public AvSalHead head() {
        checkOpen();
        return head;
    }

    /** True once closed. */
    public boolean isClosed() { return closed; }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("AvSalModel " + config.name() + " is closed");
    }

    /** Takes the read side of the lock for one call; throws IllegalStateException if closed. */
    Lease acquire() {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        if (closed) {
            r.unlock();
            throw new IllegalStateException("AvSalModel " + config.name() + " is closed");
        }
        return r::unlock;
    }

    /**
     * Moves the weights to {@code target} (CPU or CUDA). Only for a model that no one has used yet (the predictor
     * builder does it for models it loads itself): the encoders cache position grids on their current device.
     */
    void placeOn(Device target) {
        if (target == device) return;
        lock.writeLock().lock();
        try {
            checkOpen();
            org.bytedeco.pytorch.Device d = new org.bytedeco.pytorch.Device(target == Device.CUDA
                    ? torch.DeviceType.CUDA : torch.DeviceType.CPU);
            clip.module().to(d, false);
            audio.module().to(d, false);
            head.to(d, false);
            device = target;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Waits for calls in flight, then frees the encoders and the head. Idempotent.
     *
     * @throws IllegalStateException if called from inside a prediction on this model (e.g. from a map consumer)
     */
    @Override
    public void close() {
        if (lock.getReadHoldCount() > 0)
            throw new IllegalStateException("AvSalModel.close() called from inside a prediction call on this thread");
        lock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            clip.close();
            audio.close();
            head.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static String difference(AvSalConfig a, AvSalConfig b) {
        if (!a.clip().equals(b.clip())) return "CLIP " + a.clip() + " vs " + b.clip();
        if (!a.audio().equals(b.audio())) return "audio " + a.audio() + " vs " + b.audio();
        return "head " + a.head().toJson() + " vs " + b.head().toJson();
    }

    @Override
    public String toString() {
        return "AvSalModel[" + config.name() + (closed ? ", closed" : "") + "]";
    }
}
