package dev.avsal.model.head;

import dev.avsal.AvSalException;
import dev.avsal.checkpoint.ArrayTensor;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.LibTorch;
import dev.avsal.model.Scopes;
import dev.avsal.model.WeightMismatchException;
import dev.avsal.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The AVSal-R head: four {@link CrossAttentionFusion} levels on CLIP taps with audio tokens, a {@link ConvGru} over
 * time on level 4, and a {@link SaliencyDecoder} to one logit map per frame.
 *
 * <pre>
 *   taps.i  [B·T, gh·gw, Cv]  --fusion.i(·, audio)-->  [B·T, d, gh, gw]        i = 0..3 (shallow → deep)
 *   level 3 --view [B, T, d, gh, gw]--> gru --> [B·T, d, gh, gw]
 *   decoder(level 0, 1, 2, gru output) --> logits [B, T, 1, gh·p, gw·p]          p = patch size
 * </pre>
 *
 * Frames are batch-major: row {@code b·T + t} of every input is frame t of clip b. Visual taps are patch tokens
 * without CLS, row-major over the grid; audio tokens are one window per frame, {@code [B·T, Lk, Ca]} (whether they
 * include ImageBind's CLS token is the caller's choice; the head attends over whatever it is given).
 *
 * <p>AVSal-R choice: only the deepest level goes through the ConvGRU (spec §1.3 "on the deepest (or every) fused
 * level"): the deepest level carries the semantics that persist across frames, the shallow levels carry per-frame
 * detail, and one GRU keeps both the parameter count and the streamed state small ({@code [B, d, gh, gw]}).
 *
 * <p>Parameter names are the PyTorch state-dict keys of tools/avsal_head.py ({@code fusion.0..3.*}, {@code gru.*},
 * {@code decoder.*}), so weights move both ways through safetensors ({@link #load(Path)}, {@link #save(Path)}).
 *
 * <p><b>Autograd and ownership.</b> Forward passes run under the caller's grad mode: wrap them in
 * {@code InferenceMode} for inference, or leave autograd on to train. Each pass frees its temporaries in its own
 * {@code PointerScope}; the returned logits belong to the caller's innermost open {@code PointerScope} if there is
 * one, otherwise to the caller ({@code close()} or the garbage collector). The head holds no global state; the
 * streaming state lives in the caller's {@link GruState}.
 *
 * <p>Thread-safety: forward passes may run concurrently once the weights are loaded, each stream with its own
 * {@link GruState}; loading weights must not overlap with forward passes.
 */
public class AvSalHead extends Module {
    /** safetensors metadata key of the config JSON in exported head weights. */
    public static final String CONFIG_METADATA_KEY = "avsal.config";

    private final HeadConfig config;
    private final CrossAttentionFusion[] fusion = new CrossAttentionFusion[HeadConfig.LEVELS];
    private final ConvGru gru;
    private final SaliencyDecoder decoder;

    public AvSalHead(HeadConfig config) {
        super("AvSalHead");
        LibTorch.load();
        if (config == null) throw new IllegalArgumentException("head config is null");
        this.config = config;
        Module list = register_module("fusion", new Module("ModuleList"));
        for (int i = 0; i < fusion.length; i++)
            fusion[i] = list.register_module(Integer.toString(i), new CrossAttentionFusion(config.fusion()));
        gru = register_module("gru", new ConvGru(config.gru()));
        decoder = register_module("decoder", new SaliencyDecoder(config.decoder()));
    }

    public HeadConfig config() { return config; }

    /** Whole clips on the config's default grid; see {@link #forward(List, long, long, Tensor, long, long, GruState)}. */
    public Tensor forward(List<Tensor> taps, Tensor audio, long batch, long frames) {
        return forward(taps, config.gridH(), config.gridW(), audio, batch, frames, null);
    }

    /** Whole clips from h = 0; see {@link #forward(List, long, long, Tensor, long, long, GruState)}. */
    public Tensor forward(List<Tensor> taps, long gridH, long gridW, Tensor audio, long batch, long frames) {
        return forward(taps, gridH, gridW, audio, batch, frames, null);
    }

    /**
     * Saliency logits for {@code batch} clips of {@code frames} frames.
     *
     * @param taps   four visual taps, each {@code [batch·frames, gridH·gridW, visualWidth]}, CLS dropped
     * @param gridH  patch-grid height (14 for 224 pixels)
     * @param gridW  patch-grid width (14 for 224, 24 for 384 pixels)
     * @param audio  audio tokens {@code [batch·frames, Lk, audioWidth]}
     * @param state  GRU state to start from and to leave the last hidden state in (chunked streaming); null to start
     *               from h = 0 and keep nothing
     * @return logits {@code [batch, frames, 1, gridH·patch, gridW·patch]}; maps via {@link #normalize(Tensor)}
     * @throws IllegalArgumentException on a wrong tap count, shapes that disagree with each other or the grid,
     *                                  a dtype other than the weights', or NaN/infinite inputs
     */
    public Tensor forward(List<Tensor> taps, long gridH, long gridW, Tensor audio, long batch, long frames, GruState state) {
        return run(taps, gridH, gridW, audio, batch, frames, state, null);
    }

    /** One frame per clip on the config's default grid; see {@link #step(List, long, long, Tensor, GruState)}. */
    public Tensor step(List<Tensor> taps, Tensor audio, GruState state) {
        return step(taps, config.gridH(), config.gridW(), audio, state);
    }

    /**
     * Streaming: the next frame of each of B clips. Equals frame t of the whole-clip forward when called for
     * t = 0, 1, ... with the same state.
     *
     * @param taps  four visual taps, each {@code [B, gridH·gridW, visualWidth]}
     * @param audio audio tokens {@code [B, Lk, audioWidth]}
     * @param state the carried GRU state (not null); updated
     * @return logits {@code [B, 1, gridH·patch, gridW·patch]}
     */
    public Tensor step(List<Tensor> taps, long gridH, long gridW, Tensor audio, GruState state) {
        if (state == null) throw new IllegalArgumentException("step: GRU state is null (use new GruState() for h = 0)");
        if (taps == null || taps.size() != HeadConfig.LEVELS)
            throw new IllegalArgumentException("taps: expected " + HeadConfig.LEVELS + " tensors, got " + (taps == null ? "null" : taps.size()));
        Tensor first = taps.get(0);
        // B from the first tap when it is usable; otherwise validation reports what is wrong with it
        long b = first != null && !first.isNull() && first.defined() && first.dim() == 3 && first.size(0) > 0 ? first.size(0) : 1;
        Tensor logits = forward(taps, gridH, gridW, audio, b, 1, state);
        return logits.select(1, 0);
    }

    /** Maps logits to saliency maps with the configured {@link OutputNormalization}. */
    public Tensor normalize(Tensor logits) { return config.decoder().output().apply(logits); }

    /**
     * The forward pass; if {@code debug} is not null it receives the fused levels 0..3 ({@code [N, d, gh, gw]}) and
     * the GRU states ({@code [B, T, d, gh, gw]}) for diagnosis.
     */
    Tensor run(List<Tensor> taps, long gridH, long gridW, Tensor audio, long batch, long frames, GruState state,
               List<Tensor> debug) {
        Tensor logits;
        List<Tensor> extra = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) { // frees every temporary of this pass
            validate(taps, gridH, gridW, audio, batch, frames, state);
            long n = batch * frames, d = config.dim();
            List<Tensor> levels = new ArrayList<>(HeadConfig.LEVELS);
            for (int i = 0; i < fusion.length; i++) {
                Tensor x = fusion[i].forwardUnchecked(taps.get(i), audio);     // [N, L, d]
                levels.add(x.transpose(1, 2).reshape(n, d, gridH, gridW));     // tokens are row-major over the grid
            }
            Tensor states = gru.forwardUnchecked(levels.get(3).view(batch, frames, d, gridH, gridW), state);
            if (debug != null) {
                for (Tensor t : levels) extra.add(t.retainReference());
                extra.add(states.retainReference());
            }
            levels.set(3, states.reshape(n, d, gridH, gridW));
            long h = gridH * config.patchSize(), w = gridW * config.patchSize();
            logits = decoder.forwardUnchecked(levels, h, w).view(batch, frames, 1, h, w).retainReference();
        }
        if (debug != null) for (Tensor t : extra) debug.add(Scopes.handOver(t));
        return Scopes.handOver(logits);
    }

    private void validate(List<Tensor> taps, long gridH, long gridW, Tensor audio, long batch, long frames, GruState state) {
        HeadChecks.positive("batch", batch);
        HeadChecks.positive("frames", frames);
        HeadChecks.positive("gridH", gridH);
        HeadChecks.positive("gridW", gridW);
        if (taps == null || taps.size() != HeadConfig.LEVELS)
            throw new IllegalArgumentException("taps: expected " + HeadConfig.LEVELS + " tensors, got " + (taps == null ? "null" : taps.size()));
        long n = batch * frames, tokens = gridH * gridW;
        torch.ScalarType wt = fusion[0].parameters().get(0).scalar_type().intern();
        for (int i = 0; i < taps.size(); i++) {
            String what = "taps." + i;
            Tensor t = taps.get(i);
            if (t != null && !t.isNull() && t.defined() && t.dim() == 3 && t.size(1) == tokens + 1 && t.size(0) == n)
                throw new IllegalArgumentException(what + ": " + t.size(1) + " tokens for a " + gridH + "x" + gridW
                        + " grid (" + tokens + "): drop the CLS token first");
            HeadChecks.tensor(what + " (batch " + batch + " x frames " + frames + ", grid " + gridH + "x" + gridW + ")",
                    t, n, tokens, config.fusion().visualWidth());
            sameType(what, t, wt);
        }
        HeadChecks.tensor("audio tokens (batch " + batch + " x frames " + frames + ")", audio, n, -1, config.fusion().audioWidth());
        if (audio.size(1) == 0) throw new IllegalArgumentException("audio tokens: no tokens (Lk = 0)");
        sameType("audio tokens", audio, wt);
        if (state != null && !state.isEmpty())
            HeadChecks.tensor("GRU state (must come from the same batch size and grid)", state.raw(), batch, config.dim(), gridH, gridW);
    }

    private static void sameType(String what, Tensor t, torch.ScalarType expected) {
        if (t.scalar_type().intern() != expected) // JavaCPP returns non-canonical enum instances
            throw new IllegalArgumentException(what + ": dtype " + t.scalar_type() + " differs from the head weights' " + expected);
    }

    /** Parameter names (the state-dict keys) and shapes, in registration order (= PyTorch's state_dict order). */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        StringTensorDict p = named_parameters();
        for (long i = 0; i < p.size(); i++) m.put(p.get(i).key().getString(), p.get(i).value().sizes().vec().get());
        return m;
    }

    /** Total number of parameters. */
    public long parameterCount() {
        long c = 0;
        for (long[] s : parameterShapes().values()) {
            long k = 1;
            for (long x : s) k *= x;
            c += k;
        }
        return c;
    }

    /**
     * The parameters by state-dict key, as new handles sharing the module's storage (detach or clone before
     * modifying).
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        StringTensorDict p = named_parameters();
        for (long i = 0; i < p.size(); i++) m.put(p.get(i).key().getString(), new Tensor(p.get(i).value()));
        return m;
    }

    /**
     * Copies weights named by this head's state-dict keys (any floating dtype converts). Nothing is copied unless
     * every key matches and every value is finite.
     *
     * @param source the weight file or other source, for messages
     * @throws WeightMismatchException listing every missing, unexpected and mis-shaped key
     * @throws IllegalArgumentException if a value is NaN or infinite (naming the key)
     */
    public void loadWeights(Map<String, ? extends TensorData> weights, String source) throws WeightMismatchException {
        Map<String, long[]> own = parameterShapes();
        for (Map.Entry<String, ? extends TensorData> e : weights.entrySet()) {
            TensorData t = e.getValue();
            if (!own.containsKey(e.getKey()) || !t.dtype().isFloatingPoint()) continue; // reported by Weights.load
            for (float x : t.toFloatArray())
                if (!Float.isFinite(x))
                    throw new IllegalArgumentException(source + ": head weight " + e.getKey() + " contains NaN or infinite values");
        }
        Weights.load(this, weights, source, "AVSal-R head " + config.toJson());
    }

    /**
     * Copies the checkpoint's tensors (exactly this head's keys; use {@link Checkpoint#subtree(String)} for a
     * prefixed file) into this head.
     */
    public void loadWeights(Checkpoint weights) throws AvSalException {
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (String name : weights.tensorNames()) m.put(name, weights.tensor(name));
        try {
            loadWeights(m, weights.file().toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(weights.file(), e.getMessage(), e);
        }
    }

    /**
     * Builds a head from exported weights: the config from the safetensors metadata {@link #CONFIG_METADATA_KEY},
     * then {@link #loadWeights(Checkpoint)}.
     *
     * @throws CheckpointException if the config metadata is absent or invalid
     * @throws AvSalException      if the weights do not fit the config
     */
    public static AvSalHead load(Checkpoint weights) throws AvSalException {
        Object json = weights.metadata().get("__metadata__." + CONFIG_METADATA_KEY);
        if (!(json instanceof String s))
            throw new CheckpointException(weights.file(), "no head config: metadata '" + CONFIG_METADATA_KEY + "' is absent");
        HeadConfig cfg;
        try {
            cfg = HeadConfig.fromJson(s);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(weights.file(), e.getMessage(), e);
        }
        AvSalHead head = new AvSalHead(cfg);
        head.loadWeights(weights);
        return head;
    }

    /** {@link #load(Checkpoint)} of a safetensors file written by {@link #save(Path)} or tools/avsal_head.py users. */
    public static AvSalHead load(Path file) throws AvSalException {
        try (Checkpoint c = Checkpoints.open(file)) {
            return load(c);
        }
    }

    /**
     * Exports the weights as float32 safetensors under the state-dict keys, with the config JSON as metadata
     * {@link #CONFIG_METADATA_KEY} ({@code "format": "pt"} as PyTorch's safetensors files have), loadable by
     * {@link #load(Path)} and by {@code safetensors.torch.load_file} + {@code HeadConfig.from_json} in PyTorch.
     */
    public void save(Path file) throws CheckpointException {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            StringTensorDict p = named_parameters();
            for (long i = 0; i < p.size(); i++) {
                Tensor t = p.get(i).value().detach().cpu().to(torch.ScalarType.Float).contiguous();
                float[] v = new float[(int) t.numel()];
                t.data_ptr_float().get(v);
                String name = p.get(i).key().getString();
                out.put(name, ArrayTensor.ofFloats(name, t.sizes().vec().get(), v));
            }
        }
        SafetensorsWriter.write(file, out, Map.of(CONFIG_METADATA_KEY, config.toJson(), "format", "pt"));
    }
}
