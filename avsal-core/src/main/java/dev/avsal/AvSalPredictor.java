package dev.avsal;

import dev.avsal.model.LibTorch;
import dev.avsal.model.ModelConfigException;
import dev.avsal.model.head.GruState;
import dev.avsal.predict.AudioCache;
import dev.avsal.predict.Autocast;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Predicts audio-visual saliency maps with an {@link AvSalModel}: whole clips or videos ({@link #predict(List)},
 * {@link #predict(Iterable, Consumer)}), several clips at once ({@link #predictBatch(List)}), and frame-by-frame
 * streaming ({@link #open()} → {@link SaliencySession}).
 *
 * <pre>{@code
 * try (AvSalPredictor p = AvSalPredictor.builder()
 *         .setWeights(Path.of("avsal-r-b16.safetensors"))
 *         .optDevice(Device.AUTO)
 *         .optInputSize(224, 384)
 *         .build();
 *      SaliencySession s = p.open()) {
 *     for (...) {
 *         SaliencyMap map = s.push(frame, AudioWindow.of(samples), timestampMicros);
 *     }
 * }
 * }</pre>
 *
 * <h2>What a call does</h2>
 * Each call validates all of its input first ({@link InvalidInputException}, nothing computed), then runs on the
 * calling thread inside its own {@code PointerScope} (every native temporary is freed when the call returns) under
 * LibTorch {@code InferenceMode} (thread-local, entered per call) and, for {@link Precision#BF16}/{@link
 * Precision#FP16}, autocast. Frames are preprocessed ({@link ResizeMode}), the CLIP tower runs on up to
 * {@link Builder#optClipLength clip length} frames per forward pass, the audio branch once per distinct audio
 * window ({@link AudioWindow}: reused by every frame that shares it), then the head, whose ConvGRU state carries
 * from chunk to chunk and frame to frame. Maps are returned as Java arrays ({@link SaliencyMap}), resized to the
 * frame size by default. Whole-clip and streamed predictions give the same maps (within 1e-5: the batched and
 * single-frame matrix products round differently).
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>An {@link AvSalModel} is immutable after loading and may be shared by predictors and threads.</li>
 *   <li>An AvSalPredictor is thread-safe: any number of threads may call {@code predict}, {@code predictBatch} and
 *       {@code open} at once (each call has its own scope, inference mode and GRU state).</li>
 *   <li>A {@link SaliencySession} carries one video's state and is meant for one thread at a time (its methods
 *       are synchronized, so misuse is serialised, not corrupting, but frames from two threads interleave in
 *       one GRU state).</li>
 *   <li>{@link #close()} waits for calls in flight, closes this predictor's open sessions and, if the predictor
 *       loaded its model itself ({@link Builder#setWeights}), the model. Any later call throws
 *       IllegalStateException. Closing from inside a call on the same thread (e.g. a map consumer) is refused.</li>
 * </ul>
 * {@link Builder#optThreads} sets LibTorch's intra-op thread count, a process-wide setting (re-applied on each
 * calling thread, as OpenMP keeps it per thread).
 */
public final class AvSalPredictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AvSalPredictor.class);
    /** Most frames of several clips that {@link #predictBatch} puts in one encoder pass (unless clip length is more). */
    static final int BATCH_FRAMES = 32;

    private final AvSalModel model;
    private final boolean ownsModel;
    private final Device device;
    private final Precision precision;
    private final int threads, clipLength;
    final Engine engine;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Set<SaliencySession> sessions = ConcurrentHashMap.newKeySet();
    private final StageTimings.Counter timings = new StageTimings.Counter();

    private AvSalPredictor(Builder b, AvSalModel model, Device device) {
        this.model = model;
        this.ownsModel = b.model == null;
        this.device = device;
        this.precision = b.precision;
        this.threads = b.threads;
        this.clipLength = b.clipLength;
        int h = b.inputH > 0 ? b.inputH : model.config().inputHeight();
        int w = b.inputW > 0 ? b.inputW : model.config().inputWidth();
        this.engine = new Engine(model, h, w, b.resizeMode, b.mapsAtSource, device);
    }

    /** A new builder. */
    public static Builder builder() { return new Builder(); }

    /**
     * Configures a predictor: weights are required (one {@code set*} call), everything else is optional
     * ({@code opt*}). Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private AvSalModel model;
        private Path combined, head, clip, imageBind;
        private String randomPreset;
        private long randomSeed;
        private String preset;
        private Device device = Device.AUTO;
        private Precision precision = Precision.FP32;
        private int threads, clipLength = 8, inputH, inputW;
        private ResizeMode resizeMode = ResizeMode.EXACT;
        private boolean mapsAtSource = true;

        private Builder() {}

        private void clearWeights() {
            model = null;
            combined = head = clip = imageBind = null;
            randomPreset = null;
        }

        /** Use a loaded model, shared: the predictor does not close it. */
        public Builder setModel(AvSalModel model) {
            clearWeights();
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** Load a combined weight file ({@link AvSalModel#load(Path)}); the predictor owns and closes the model. */
        public Builder setWeights(Path combinedFile) {
            clearWeights();
            this.combined = Objects.requireNonNull(combinedFile, "combinedFile");
            return this;
        }

        /** Load a head-only file with the official encoder files ({@link AvSalModel#load(Path, Path, Path)}). */
        public Builder setWeights(Path headFile, Path clipFile, Path imageBindFile) {
            clearWeights();
            this.head = Objects.requireNonNull(headFile, "headFile");
            this.clip = Objects.requireNonNull(clipFile, "clipFile");
            this.imageBind = Objects.requireNonNull(imageBindFile, "imageBindFile");
            return this;
        }

        /** Seeded random weights for a preset ({@link AvSalModel#random(String, long)}): tests and benchmarks. */
        public Builder setRandomWeights(String preset, long seed) {
            clearWeights();
            AvSalConfig.preset(preset);
            this.randomPreset = preset;
            this.randomSeed = seed;
            return this;
        }

        /**
         * The preset the weights must be for; weights for another structure fail the build with a
         * {@link ModelConfigException} naming both. Default: accept any.
         */
        public Builder optPreset(String presetName) {
            AvSalConfig.preset(presetName);
            this.preset = presetName;
            return this;
        }

        /**
         * {@link Device#AUTO} (default: CUDA if usable, else the CPU, logged with the reason; with
         * {@link #setModel} the shared model's device), {@link Device#CPU} or {@link Device#CUDA}.
         */
        public Builder optDevice(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** {@link Precision#FP32} (default), {@link Precision#BF16}, or {@link Precision#FP16} (CUDA only). */
        public Builder optPrecision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** LibTorch intra-op threads (process-wide; default: LibTorch's, the number of cores). */
        public Builder optThreads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            this.threads = threads;
            return this;
        }

        /**
         * Frames per clip that go through the encoders in one forward pass when predicting clips and videos
         * (default 8). It trades memory for batching; the maps do not depend on it (the GRU state carries over).
         */
        public Builder optClipLength(int frames) {
            if (frames < 1 || frames > 4096) throw new IllegalArgumentException("clip length must be in [1, 4096], got " + frames);
            this.clipLength = frames;
            return this;
        }

        /**
         * Model input size in pixels (multiples of the patch size, e.g. 224 x 224 or 224 x 384 for 16:9 video);
         * default: the config's. CLIP's positional grid is interpolated for other sizes.
         */
        public Builder optInputSize(int height, int width) {
            if (height < 1 || width < 1) throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
            this.inputH = height;
            this.inputW = width;
            return this;
        }

        /** How image frames are fitted to the input size (default {@link ResizeMode#EXACT}). */
        public Builder optResizeMode(ResizeMode mode) {
            this.resizeMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** True (default): maps come back at each frame's size; false: at the model's input size. */
        public Builder optMapsAtSourceSize(boolean atSource) {
            this.mapsAtSource = atSource;
            return this;
        }

        /**
         * Loads the model if needed, picks the device, checks the settings.
         *
         * @throws IllegalStateException if no weights were set
         * @throws DeviceException       if CUDA was requested and is not usable, or FP16 on the CPU
         * @throws ModelConfigException  if the weights are for another preset than {@link #optPreset}
         * @throws AvSalException       if the weights cannot be loaded
         */
        public AvSalPredictor build() throws AvSalException {
            if (model == null && combined == null && head == null && randomPreset == null)
                throw new IllegalStateException("AvSalPredictor.builder(): no weights: call setWeights(...), setModel(...) "
                        + "or setRandomWeights(...)");
            LibTorch.load();
            Device d;
            if (model != null && device == Device.AUTO) { // a shared model stays where it is
                d = model.device();
                LOG.info("device AUTO -> {}: the shared model lives there", d);
            } else {
                d = resolveDevice(device);
            }
            if (precision == Precision.FP16 && d == Device.CPU)
                throw new DeviceException("precision FP16 needs CUDA (LibTorch's CPU kernels have no fast float16 path);"
                        + " on the CPU use FP32 or BF16");
            if (model != null) {
                checkPreset(model.config());
                if (model.device() != d)
                    throw new DeviceException("the shared model lives on " + model.device() + " but this predictor runs on "
                            + d + "; load the model through setWeights(...) to have the predictor place it");
                return make(model, d);
            }
            if (preset != null && randomPreset != null && !AvSalConfig.preset(randomPreset).sameStructure(AvSalConfig.preset(preset)))
                throw new ModelConfigException("random weights for '" + randomPreset + "' requested, but optPreset('" + preset + "')");
            AvSalModel m = combined != null ? AvSalModel.load(combined, preset)
                    : head != null ? AvSalModel.load(head, clip, imageBind)
                    : AvSalModel.random(randomPreset, randomSeed);
            try {
                checkPreset(m.config());
                m.placeOn(d);
                return make(m, d);
            } catch (AvSalException | RuntimeException e) {
                m.close();
                throw e;
            }
        }

        private AvSalPredictor make(AvSalModel m, Device d) {
            int h = inputH > 0 ? inputH : m.config().inputHeight(), w = inputW > 0 ? inputW : m.config().inputWidth();
            int p = m.config().clip().patchSize();
            if (h % p != 0 || w % p != 0)
                throw new IllegalArgumentException("input size " + h + "x" + w + " is not a multiple of the patch size " + p);
            if (resizeMode == ResizeMode.CENTER_CROP && h != w)
                throw new IllegalArgumentException("CENTER_CROP needs a square input size, got " + h + "x" + w + " (use EXACT)");
            AvSalPredictor pr = new AvSalPredictor(this, m, d);
            LOG.info("predictor for {}: device {}, precision {}, input {}x{} ({}), clip length {}{}", m.config().name(), d,
                    precision, h, w, resizeMode, clipLength, threads > 0 ? ", " + threads + " threads" : "");
            return pr;
        }

        private void checkPreset(AvSalConfig c) throws ModelConfigException {
            if (preset != null && !c.sameStructure(AvSalConfig.preset(preset)))
                throw new ModelConfigException("the weights are for '" + c.name() + "', not for the requested preset '" + preset + "'");
        }
    }

    /** Resolves AUTO and checks CUDA; logs the choice and why. */
    static Device resolveDevice(Device requested) throws DeviceException {
        boolean cuda = torch.cuda_is_available();
        String why = cuda ? "torch.cuda_is_available() is true (" + torch.cuda_device_count() + " device(s))"
                : "CUDA is not usable: " + Diagnostics.cudaAbsentReason(Diagnostics.gpuBuildOnClasspath());
        return switch (requested) {
            case AUTO -> {
                Device d = cuda ? Device.CUDA : Device.CPU;
                LOG.info("device AUTO -> {}: {}", d, why);
                yield d;
            }
            case CPU -> Device.CPU;
            case CUDA -> {
                if (!cuda) throw new DeviceException("device CUDA was requested but " + why);
                yield Device.CUDA;
            }
        };
    }

    // ------------------------------------------------------------------------------------------ calls

    /** Work done inside a call context. */
    interface Work<T> {
        T run() throws AvSalException;
    }

    /**
     * Runs {@code work} with both leases held, inside a new PointerScope, under InferenceMode and (for BF16/FP16)
     * autocast, with the configured thread count; all entered and left on the calling thread.
     */
    <T> T call(Work<T> work) throws AvSalException {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        try {
            checkOpen();
            try (AvSalModel.Lease lease = model.acquire();
                 PointerScope scope = new PointerScope();
                 InferenceMode im = new InferenceMode();
                 Autocast ac = Autocast.enter(device == Device.CUDA ? torch.DeviceType.CUDA : torch.DeviceType.CPU,
                         switch (precision) {
                             case FP32 -> null;
                             case BF16 -> torch.ScalarType.BFloat16;
                             case FP16 -> torch.ScalarType.Half;
                         })) {
                if (threads > 0 && torch.get_num_threads() != threads) torch.set_num_threads(threads);
                return work.run();
            }
        } finally {
            r.unlock();
        }
    }

    /**
     * Maps for one clip or a whole video, one per frame, in order, from a fresh GRU state. Runs
     * {@code clip length} frames per forward pass.
     *
     * @throws InvalidInputException for an empty clip or a bad frame (see {@link InvalidInputException})
     * @throws IllegalStateException if this predictor or its model is closed
     */
    public List<SaliencyMap> predict(List<Frame> clip) throws AvSalException {
        return predictBatch(List.of(Objects.requireNonNull(clip, "clip"))).get(0);
    }

    /**
     * Maps for several clips (independent videos, each from a fresh GRU state). Frames of several clips share the
     * encoder forward passes (clip length frames of each clip, up to 32 frames per pass or one clip's clip length
     * if that is more); the head runs per clip. Clips may differ in length and frame size.
     */
    public List<List<SaliencyMap>> predictBatch(List<List<Frame>> clips) throws AvSalException {
        Objects.requireNonNull(clips, "clips");
        if (clips.isEmpty()) throw new InvalidInputException("predictBatch: no clips");
        for (int c = 0; c < clips.size(); c++) engine.checkClip(clips.get(c), clips.size() == 1 ? "clip" : "clip " + c);
        return call(() -> {
            int longest = 0;
            for (List<Frame> c : clips) longest = Math.max(longest, c.size());
            List<GruState> states = new ArrayList<>();
            List<List<SaliencyMap>> out = new ArrayList<>();
            for (int c = 0; c < clips.size(); c++) {
                states.add(new GruState());
                out.add(new ArrayList<>(clips.get(c).size()));
            }
            try (AudioCache cache = new AudioCache(Math.max(4, 2 * clipLength * clips.size()))) {
                for (int t0 = 0; t0 < longest; t0 += clipLength) {
                    List<Engine.Group> groups = new ArrayList<>();
                    List<Integer> which = new ArrayList<>();
                    for (int c = 0; c < clips.size(); c++) {
                        List<Frame> clip = clips.get(c);
                        if (t0 >= clip.size()) continue;
                        List<Engine.Prepared> prepared = new ArrayList<>();
                        for (Frame f : clip.subList(t0, Math.min(clip.size(), t0 + clipLength))) prepared.add(engine.prepare(f));
                        groups.add(new Engine.Group(prepared, states.get(c)));
                        which.add(c);
                    }
                    // at most max(clip length, BATCH_FRAMES) frames per encoder pass, however many clips
                    int cap = Math.max(clipLength, BATCH_FRAMES);
                    for (int from = 0; from < groups.size(); ) {
                        int to = from, frames = 0;
                        while (to < groups.size() && (to == from || frames + groups.get(to).frames().size() <= cap))
                            frames += groups.get(to++).frames().size();
                        List<List<SaliencyMap>> maps = chunk(groups.subList(from, to), cache);
                        for (int g = from; g < to; g++) out.get(which.get(g)).addAll(maps.get(g - from));
                        from = to;
                    }
                }
            } finally {
                states.forEach(GruState::close);
            }
            return out;
        });
    }

    /** One chunk in its own PointerScope, so that a long video's temporaries do not pile up until the call ends. */
    private List<List<SaliencyMap>> chunk(List<Engine.Group> groups, AudioCache cache) {
        try (PointerScope scope = new PointerScope()) {
            return engine.run(groups, cache, timings);
        }
    }

    /**
     * Maps for a video of any length, delivered to {@code sink} chunk by chunk (clip length frames at a time) with
     * bounded memory, from a fresh GRU state. Frames are validated per chunk: if a bad frame throws, the maps of
     * earlier chunks have been delivered. The sink runs on the calling thread inside the call (it must not close
     * this predictor or its model).
     */
    public void predict(Iterable<Frame> video, Consumer<SaliencyMap> sink) throws AvSalException {
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(sink, "sink");
        call(() -> {
            try (GruState state = new GruState(); AudioCache cache = new AudioCache(Math.max(4, 2 * clipLength))) {
                Iterator<Frame> it = video.iterator();
                int[] size = null;
                long prev = Long.MIN_VALUE;
                int index = 0;
                if (!it.hasNext()) throw new InvalidInputException("video: no frames");
                while (it.hasNext()) {
                    List<Engine.Prepared> prepared = new ArrayList<>(clipLength);
                    while (it.hasNext() && prepared.size() < clipLength) {
                        Frame f = it.next();
                        engine.check(f, "video, frame " + index, size, prev);
                        if (size == null) size = engine.sourceSize(f);
                        prev = f.timestampMicros();
                        prepared.add(engine.prepare(f));
                        index++;
                    }
                    for (SaliencyMap m : chunk(List.of(new Engine.Group(prepared, state)), cache).get(0)) sink.accept(m);
                }
            }
            return null;
        });
    }

    /** A streaming session from h = 0 (see {@link SaliencySession}). */
    public SaliencySession open() {
        checkOpen();
        SaliencySession s = new SaliencySession(this);
        sessions.add(s);
        if (closed) { // raced with close(): do not leave an orphan
            s.close();
            checkOpen();
        }
        return s;
    }

    void forget(SaliencySession s) { sessions.remove(s); }

    // ------------------------------------------------------------------------------------------ state

    /** The model. */
    public AvSalModel model() { return model; }

    /** The device chosen at build time (never AUTO). */
    public Device device() { return device; }

    public Precision precision() { return precision; }

    /** Input height in pixels. */
    public int inputHeight() { return engine.inH; }

    /** Input width in pixels. */
    public int inputWidth() { return engine.inW; }

    /** Frames per clip per encoder pass. */
    public int clipLength() { return clipLength; }

    /** Time spent per stage by all calls of this predictor and its sessions so far. */
    public StageTimings timings() { return timings.snapshot(); }

    /** Sets the counters of {@link #timings()} to zero. */
    public void resetTimings() { timings.reset(); }

    StageTimings.Counter counter() { return timings; }

    public boolean isClosed() { return closed; }

    void checkOpen() {
        if (closed) throw new IllegalStateException("AvSalPredictor is closed");
    }

    /**
     * Waits for calls in flight, then closes the open sessions and, if this predictor loaded the model, the model.
     * Idempotent.
     *
     * @throws IllegalStateException if called from inside a call of this predictor on the same thread
     */
    @Override
    public void close() {
        if (lock.getReadHoldCount() > 0)
            throw new IllegalStateException("AvSalPredictor.close() called from inside a prediction call on this thread");
        closed = true;
        lock.writeLock().lock(); // waits for calls in flight; later calls see closed
        lock.writeLock().unlock();
        if (released.getAndSet(true)) return;
        // outside the lock: a session's push may hold its monitor while waiting for our read lock
        for (SaliencySession s : List.copyOf(sessions)) s.close();
        sessions.clear();
        if (ownsModel) model.close();
        engine.close();
    }

    @Override
    public String toString() {
        return "AvSalPredictor[" + model.config().name() + ", " + device + ", " + precision + ", " + engine.inH + "x"
                + engine.inW + (closed ? ", closed" : "") + "]";
    }
}
