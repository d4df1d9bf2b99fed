package dev.avsal.model;

import dev.avsal.AvSalException;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The OpenAI CLIP ViT image tower ({@code clip/model.py VisionTransformer}) on LibTorch, float32, with the hidden
 * states of chosen blocks as dense features.
 *
 * <p>Structure: {@code conv1} patch embedding (no bias), CLS token ({@code class_embedding}) plus
 * {@code positional_embedding}, {@code ln_pre}, pre-norm residual blocks ({@code x + attn(ln_1(x))}, then
 * {@code x + mlp(ln_2(x))}, MLP {@code c_fc -> QuickGELU -> c_proj}), and the head {@code ln_post} on the CLS token
 * followed by {@code @ proj}. Parameters carry OpenAI's names without {@code visual.} ({@link #module()}).
 * Weights load from OpenAI, open_clip and Hugging Face files ({@link #load(Checkpoint)}).
 *
 * <p>Inputs whose size differs from the native one get a positional grid resized by bicubic interpolation
 * (align_corners=false, no antialias, to the exact patch grid; the CLS position is kept), as Hugging Face's
 * {@code interpolate_pos_encoding=True} does; grids are cached per input size.
 *
 * <p><b>Ownership.</b> The encoder owns its module and parameters until {@link #close()}. Each forward pass runs
 * under {@link InferenceMode} in its own {@link PointerScope}, which frees every temporary; the returned
 * {@link Output} tensors are retained for the caller and belong to the caller's innermost open
 * {@code PointerScope} if there is one, otherwise to the caller, who closes the {@code Output} (or leaves it to the
 * garbage collector). They are inference tensors: {@code clone()} them outside InferenceMode before feeding them
 * to code that records autograd.
 *
 * <p>{@link #forwardTrainable} is the same pass without InferenceMode, for end-to-end training.
 *
 * <p>Thread-safety: {@link #forward} may be called from several threads at once; {@link #close()} and
 * {@link #forwardTrainable} (which clears the grid cache) must not race with it.
 */
public final class ClipVisionEncoder implements AutoCloseable {
    private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\..+");

    private final ClipVisionConfig config;
    private final int[] defaultTaps;
    private final ParamTree tree;
    private final Tensor conv1, classEmbedding, positionalEmbedding, lnPreW, lnPreB, lnPostW, lnPostB, proj;
    private final Block[] blocks;
    private final Map<Long, Tensor> gridCache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Block(Tensor ln1W, Tensor ln1B, Tensor inW, Tensor inB, Tensor outW, Tensor outB, Tensor ln2W,
                         Tensor ln2B, Tensor fcW, Tensor fcB, Tensor cprojW, Tensor cprojB) {}

    private ClipVisionEncoder(ClipVisionConfig c) {
        LibTorch.load();
        this.config = c;
        this.defaultTaps = c.defaultTaps();
        long w = c.width();
        try (PointerScope scope = new PointerScope()) {
            tree = new ParamTree("ClipVisionTransformer");
            classEmbedding = tree.parameter("class_embedding", w);
            positionalEmbedding = tree.parameter("positional_embedding", c.tokens(), w);
            proj = c.outputDim() > 0 ? tree.parameter("proj", w, c.outputDim()) : null;
            conv1 = tree.parameter("conv1.weight", w, 3, c.patchSize(), c.patchSize());
            lnPreW = tree.parameter("ln_pre.weight", w);
            lnPreB = tree.parameter("ln_pre.bias", w);
            blocks = new Block[c.layers()];
            for (int i = 0; i < c.layers(); i++) {
                String p = "transformer.resblocks." + i + ".";
                blocks[i] = new Block(
                        tree.parameter(p + "ln_1.weight", w), tree.parameter(p + "ln_1.bias", w),
                        tree.parameter(p + "attn.in_proj_weight", 3 * w, w), tree.parameter(p + "attn.in_proj_bias", 3 * w),
                        tree.parameter(p + "attn.out_proj.weight", w, w), tree.parameter(p + "attn.out_proj.bias", w),
                        tree.parameter(p + "ln_2.weight", w), tree.parameter(p + "ln_2.bias", w),
                        tree.parameter(p + "mlp.c_fc.weight", c.mlpWidth(), w),
                        tree.parameter(p + "mlp.c_fc.bias", c.mlpWidth()),
                        tree.parameter(p + "mlp.c_proj.weight", w, c.mlpWidth()),
                        tree.parameter(p + "mlp.c_proj.bias", w));
            }
            lnPostW = tree.parameter("ln_post.weight", w);
            lnPostB = tree.parameter("ln_post.bias", w);
        }
    }

    /** An encoder with uninitialised weights (fill them with {@link #loadWeights}). */
    public static ClipVisionEncoder create(ClipVisionConfig config) {
        return new ClipVisionEncoder(config);
    }

    /** An encoder with seeded random weights of a sensible scale (tests and benchmarks). */
    public static ClipVisionEncoder createRandom(ClipVisionConfig config, long seed) {
        ClipVisionEncoder e = new ClipVisionEncoder(config);
        Weights.randomize(e.module(), seed);
        return e;
    }

    /**
     * An encoder from a weight file of any supported format and layout (OpenAI {@code .pt} TorchScript, open_clip
     * or HF safetensors / {@code torch.save} files), structure inferred from the shapes. The file is closed before
     * returning.
     */
    public static ClipVisionEncoder load(Path file) throws AvSalException {
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            return load(ckpt);
        }
    }

    /** An encoder of the given structure from a weight file (closed before returning). */
    public static ClipVisionEncoder load(Path file, ClipVisionConfig config) throws AvSalException {
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            return load(ckpt, config);
        }
    }

    /**
     * An encoder built from the checkpoint's ViT image tower, with the structure inferred from the weight shapes
     * ({@link #inferConfig(Checkpoint)}).
     */
    public static ClipVisionEncoder load(Checkpoint ckpt) throws AvSalException {
        Map<String, TensorData> weights = ClipKeys.visionWeights(ckpt);
        return load(weights, inferConfig(weights, ckpt.file().toString()), ckpt.file().toString());
    }

    /**
     * An encoder of the given structure with the checkpoint's weights; a structure that does not fit the weights
     * gives a {@link WeightMismatchException} listing every differing key.
     */
    public static ClipVisionEncoder load(Checkpoint ckpt, ClipVisionConfig config) throws AvSalException {
        return load(ClipKeys.visionWeights(ckpt), config, ckpt.file().toString());
    }

    private static ClipVisionEncoder load(Map<String, TensorData> weights, ClipVisionConfig config, String source)
            throws WeightMismatchException {
        ClipVisionEncoder e = new ClipVisionEncoder(config);
        try {
            e.loadWeights(weights, source);
            return e;
        } catch (WeightMismatchException | RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    /**
     * The structure of the checkpoint's ViT image tower, derived from weight shapes as openai/CLIP
     * {@code build_model} does: width and patch from {@code conv1.weight}, layers from the block count, image size
     * from the positional grid, output size from {@code proj}, MLP width from {@code c_fc}; heads are
     * {@code width / 64} (the weights do not record them; adjust with {@link ClipVisionConfig#withHeads}), LayerNorm
     * eps 1e-5 and QuickGELU (adjust for models trained otherwise).
     */
    public static ClipVisionConfig inferConfig(Checkpoint ckpt) throws AvSalException {
        return inferConfig(ClipKeys.visionWeights(ckpt), ckpt.file().toString());
    }

    static ClipVisionConfig inferConfig(Map<String, TensorData> w, String source) throws ModelConfigException {
        long[] conv = shapeOf(w, "conv1.weight", 4, source);
        long[] pos = shapeOf(w, "positional_embedding", 2, source);
        long width = conv[0], patch = conv[3];
        if (conv[1] != 3 || conv[2] != conv[3])
            throw new ModelConfigException(source + ": conv1.weight " + Arrays.toString(conv)
                    + " is not a square-patch RGB embedding [width, 3, p, p]");
        long grid = Math.round(Math.sqrt(pos[0] - 1));
        if (grid * grid + 1 != pos[0] || pos[1] != width)
            throw new ModelConfigException(source + ": positional_embedding " + Arrays.toString(pos)
                    + " is not [grid^2 + 1, " + width + "]");
        TreeSet<Integer> idx = new TreeSet<>();
        for (String k : w.keySet()) {
            Matcher m = BLOCK.matcher(k);
            if (m.matches()) idx.add(Integer.parseInt(m.group(1)));
        }
        if (idx.isEmpty() || idx.first() != 0 || idx.last() != idx.size() - 1)
            throw new ModelConfigException(source + ": transformer blocks are not numbered 0..N-1: " + idx);
        long[] fc = shapeOf(w, "transformer.resblocks.0.mlp.c_fc.weight", 2, source);
        int outputDim = 0;
        if (w.containsKey("proj")) outputDim = Math.toIntExact(shapeOf(w, "proj", 2, source)[1]);
        if (width % 64 != 0)
            throw new ModelConfigException(source + ": cannot infer the head count from width " + width
                    + " (not a multiple of 64); pass a ClipVisionConfig with the model's heads");
        try {
            return new ClipVisionConfig(Math.toIntExact(grid * patch), Math.toIntExact(patch), Math.toIntExact(width),
                    idx.size(), Math.toIntExact(width / 64), outputDim, Math.toIntExact(fc[0]), 1e-5,
                    ClipVisionConfig.Activation.QUICK_GELU);
        } catch (IllegalArgumentException ex) {
            throw new ModelConfigException(source + ": inconsistent CLIP structure: " + ex.getMessage());
        }
    }

    private static long[] shapeOf(Map<String, TensorData> w, String key, int rank, String source)
            throws ModelConfigException {
        TensorData t = w.get(key);
        if (t == null) throw new ModelConfigException(source + ": CLIP vision weight '" + key + "' is missing");
        long[] s = t.shape();
        if (s.length != rank)
            throw new ModelConfigException(source + ": " + key + " has shape " + Arrays.toString(s) + ", expected "
                    + rank + "-d");
        return s;
    }

    /**
     * Copies weights given by OpenAI name (without {@code visual.}) into this encoder; throws a
     * {@link WeightMismatchException} listing every missing, unexpected and mis-shaped key (then nothing is copied).
     */
    public void loadWeights(Map<String, ? extends TensorData> weights, String source) throws WeightMismatchException {
        checkOpen();
        Weights.load(tree.root(), weights, source, config.toString());
        clearGridCache();
    }

    /** Copies the checkpoint's ViT image tower (any supported layout) into this encoder. */
    public void loadWeights(Checkpoint ckpt) throws AvSalException {
        loadWeights(ClipKeys.visionWeights(ckpt), ckpt.file().toString());
    }

    /** The structure. */
    public ClipVisionConfig config() { return config; }

    /** The blocks tapped by {@link #forward(Tensor)} (1-based). */
    public int[] defaultTaps() { return defaultTaps.clone(); }

    /** The module holding the parameters (names as in OpenAI's {@code visual.*} without the prefix). */
    public Module module() {
        checkOpen();
        return tree.root();
    }

    /**
     * The result of a forward pass; see the class comment for who owns the tensors.
     *
     * @param taps         the tapped blocks, ascending (1-based; 0 = the input of block 1, after {@code ln_pre})
     * @param hiddenStates per tap, the residual stream after that block, batch-first {@code [B, 1 + N, width]}
     *                     (CLS first, then the patch grid row-major), without {@code ln_post}
     * @param pooled       {@code ln_post} of the final CLS token {@code [B, width]} (HF {@code pooler_output})
     * @param embedding    {@code pooled @ proj} {@code [B, outputDim]} (HF {@code image_embeds}), null without
     *                     projection
     * @param gridHeight   patch rows of the input
     * @param gridWidth    patch columns of the input
     */
    public record Output(int[] taps, List<Tensor> hiddenStates, Tensor pooled, Tensor embedding, int gridHeight,
                         int gridWidth) implements AutoCloseable {
        /** The tapped blocks (a copy). */
        @Override
        public int[] taps() { return taps.clone(); }

        /** The hidden state after block {@code block} (1-based); throws if it was not tapped. */
        public Tensor hidden(int block) {
            for (int i = 0; i < taps.length; i++) if (taps[i] == block) return hiddenStates.get(i);
            throw new IllegalArgumentException("block " + block + " was not tapped; taps: " + Arrays.toString(taps));
        }

        /** Frees the tensors (if the caller owns them, i.e. no PointerScope was open during the forward pass). */
        @Override
        public void close() {
            for (Tensor t : hiddenStates) t.close();
            pooled.close();
            if (embedding != null) embedding.close();
        }
    }

    /** Runs the tower on {@code [B, 3, H, W]} float images tapping {@link #defaultTaps()}. */
    public Output forward(Tensor images) {
        return forward(images, defaultTaps);
    }

    /**
     * Runs the tower on {@code [B, 3, H, W]} float images (CLIP-normalised; H and W multiples of the patch size),
     * keeping the hidden states after the given blocks (1-based, 0 = after {@code ln_pre}).
     */
    public Output forward(Tensor images, int... taps) {
        return run(images, taps, false);
    }

    /**
     * As {@link #forward(Tensor, int...)}, but under the caller's grad mode instead of {@link InferenceMode}, so
     * that autograd records the pass (end-to-end training: make the parameters of {@link #module()} require
     * gradients first). Same ownership rule as {@link #forward}; the outputs are ordinary tensors. Resized
     * positional grids are computed afresh (not cached), and the cache of {@link #forward} is cleared, because a
     * caller that trains changes the weights it derives from.
     */
    public Output forwardTrainable(Tensor images, int... taps) {
        return run(images, taps, true);
    }

    private Output run(Tensor images, int[] taps, boolean trainable) {
        checkOpen();
        int[] t = checkTaps(taps);
        long[] s = images.sizes().vec().get();
        int p = config.patchSize();
        if (s.length != 4 || s[1] != 3 || s[0] < 1 || s[2] < p || s[3] < p || s[2] % p != 0 || s[3] % p != 0)
            throw new IllegalArgumentException("CLIP input must be [B, 3, H, W] with H and W positive multiples of "
                    + p + ", got " + Arrays.toString(s));
        int gh = (int) (s[2] / p), gw = (int) (s[3] / p);
        long b = s[0], w = config.width();
        List<Tensor> hidden = new ArrayList<>(t.length);
        Tensor pooled, embedding = null;
        if (trainable) clearGridCache();
        try (PointerScope scope = new PointerScope(); InferenceMode im = trainable ? null : new InferenceMode()) {
            Tensor x = images.scalar_type().value == ScalarType.Float.value ? images : images.to(ScalarType.Float);
            x = torch.conv2d(x, conv1, new TensorOptional(), new long[] {p, p}, new long[] {0, 0},
                    new long[] {1, 1}, 1);                                          // [B, W, gh, gw]
            x = x.flatten(2, 3).transpose(1, 2);                                    // [B, N, W]
            Tensor cls = classEmbedding.view(1, 1, w).expand(b, 1, w);
            x = torch.cat(new TensorVector(cls, x), 1).add(trainable ? resizedPositions(gh, gw) : positions(gh, gw));      // [B, 1+N, W]
            x = layerNorm(x, lnPreW, lnPreB);
            int next = 0;
            if (next < t.length && t[next] == 0) {
                hidden.add(x.retainReference());
                next++;
            }
            for (int i = 0; i < blocks.length && next < t.length; i++) {
                x = block(blocks[i], x);
                if (t[next] == i + 1) {
                    hidden.add(x.retainReference());
                    next++;
                }
            }
            // the head always reads the last block's output, even when fewer blocks were tapped
            for (int i = t.length == 0 ? 0 : t[t.length - 1]; i < blocks.length; i++) x = block(blocks[i], x);
            pooled = layerNorm(x.select(1, 0), lnPostW, lnPostB).retainReference();
            if (proj != null) embedding = pooled.matmul(proj).retainReference();
        }
        hidden.forEach(Scopes::handOver);
        return new Output(t, List.copyOf(hidden), Scopes.handOver(pooled), Scopes.handOver(embedding), gh, gw);
    }

    private int[] checkTaps(int[] taps) {
        int[] t = taps.clone();
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] > config.layers() || (i > 0 && t[i] <= t[i - 1]))
                throw new IllegalArgumentException("taps must be ascending block numbers in 0.." + config.layers()
                        + ", got " + Arrays.toString(taps));
        }
        return t;
    }

    private Tensor block(Block k, Tensor x) {
        long b = x.size(0), l = x.size(1), w = config.width(), h = config.heads(), d = config.headDim();
        Tensor qkv = torch.linear(layerNorm(x, k.ln1W(), k.ln1B()), k.inW(), new TensorOptional(k.inB()));
        TensorVector parts = qkv.chunk(3, -1);                                  // rows of in_proj: q, k, v
        Tensor q = parts.get(0).view(b, l, h, d).transpose(1, 2);               // [B, heads, L, d]
        Tensor kk = parts.get(1).view(b, l, h, d).transpose(1, 2);
        Tensor v = parts.get(2).view(b, l, h, d).transpose(1, 2);
        Tensor a = Attention.scaledDotProduct(q, kk, v).transpose(1, 2).reshape(b, l, w);
        x = x.add(torch.linear(a, k.outW(), new TensorOptional(k.outB())));
        Tensor m = torch.linear(layerNorm(x, k.ln2W(), k.ln2B()), k.fcW(), new TensorOptional(k.fcB()));
        m = config.activation() == ClipVisionConfig.Activation.QUICK_GELU
                ? m.mul(torch.sigmoid(m.mul(new Scalar(1.702)))) : torch.gelu(m);
        return x.add(torch.linear(m, k.cprojW(), new TensorOptional(k.cprojB())));
    }

    private Tensor layerNorm(Tensor x, Tensor weight, Tensor bias) {
        return torch.layer_norm(x, new long[] {config.width()}, new TensorOptional(weight), new TensorOptional(bias),
                config.layerNormEps(), false);
    }

    /** Positional embeddings for a gh x gw patch grid: the stored ones, or a cached bicubic resize. */
    private Tensor positions(int gh, int gw) {
        int n = config.grid();
        if (gh == n && gw == n) return positionalEmbedding;
        // owned by the cache (retained past the forward pass's scope) until close()
        return gridCache.computeIfAbsent(((long) gh << 32) | gw, key -> resizedPositions(gh, gw).retainReference());
    }

    /** The positional embeddings bicubically resized to a gh x gw grid (CLS position kept), in the caller's scope. */
    private Tensor resizedPositions(int gh, int gw) {
        int n = config.grid();
        if (gh == n && gw == n) return positionalEmbedding;
        long w = config.width();
        Tensor grid = positionalEmbedding.narrow(0, 1, (long) n * n).reshape(1, n, n, w).permute(0, 3, 1, 2);
        Tensor resized = torch.upsample_bicubic2d(grid, new long[] {gh, gw}, false)
                .permute(0, 2, 3, 1).reshape((long) gh * gw, w);
        return torch.cat(new TensorVector(positionalEmbedding.narrow(0, 0, 1), resized), 0);
    }

    private void clearGridCache() {
        gridCache.values().forEach(Tensor::releaseReference);
        gridCache.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("ClipVisionEncoder is closed");
    }

    /** Frees the parameters and cached grids. Outputs already returned stay valid. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        clearGridCache();
        tree.close();
    }
}
