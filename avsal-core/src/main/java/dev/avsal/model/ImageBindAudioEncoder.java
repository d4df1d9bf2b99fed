package dev.avsal.model;

import dev.avsal.AvSalException;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
 * ImageBind's audio branch on LibTorch, float32, under the official key names ({@code modality_preprocessors.audio
 * .*}, {@code modality_trunks.audio.*}, {@code modality_heads.audio.*}, {@code modality_postprocessors.audio.*}).
 *
 * <p>Per 2 s clip: Conv2d stem (kernel 16, stride 10, no bias) over the {@code [1, 128, 204]} normalised log-mel
 * input, giving 12 x 19 patches, flattened frequency-major, LayerNorm (eps 1e-5); CLS token prepended; learned
 * positions added; pre-norm blocks (LayerNorm eps 1e-6; multi-head attention whose keys and values get the learned
 * {@code bias_k}/{@code bias_v} appended as one extra token after the input projection; MLP fc1 -> exact GELU ->
 * fc2; no layer-scale; drop-path is training-only); head LayerNorm (eps 1e-6) over all tokens; the CLS token through
 * a bias-free Linear; then L2 normalisation and multiplication by {@code min(exp(log_logit_scale), 100)} (the
 * checkpoint's buffer, ln 20 in ImageBind-huge). For {@code [B, S, ...]} input the final embedding is the mean over
 * the S clips of the post-processed per-clip embeddings, as {@code ImageBindModel.forward} does.
 *
 * <p><b>Ownership.</b> The encoder owns its module and parameters until {@link #close()}. Each forward pass runs
 * under {@link InferenceMode} in its own {@link PointerScope}, which frees every temporary; the returned
 * {@link Output} tensors are retained for the caller and belong to the caller's innermost open
 * {@code PointerScope} if there is one, otherwise to the caller, who closes the {@code Output} (or leaves it to the
 * garbage collector). They are inference tensors: {@code clone()} them outside InferenceMode before feeding them
 * to code that records autograd. {@link #forwardTrainable} is the same pass without InferenceMode, for end-to-end
 * training.
 *
 * <p>Thread-safety: {@link #forward} may be called from several threads at once; {@link #close()} must not race
 * with it.
 */
public final class ImageBindAudioEncoder implements AutoCloseable {
    static final String PRE = "modality_preprocessors.audio.", TRUNK = "modality_trunks.audio.",
            HEAD = "modality_heads.audio.", POST = "modality_postprocessors.audio.";
    static final String ANCHOR = PRE + "cls_token";
    private static final Pattern BLOCK = Pattern.compile(Pattern.quote(TRUNK) + "blocks\\.(\\d+)\\..+");

    private final ImageBindAudioConfig config;
    private final ParamTree tree;
    private final Tensor cls, stem, stemNormW, stemNormB, pos, headNormW, headNormB, headProj, logLogitScale;
    private final Block[] blocks;
    private volatile boolean closed;

    private record Block(Tensor n1W, Tensor n1B, Tensor inW, Tensor inB, Tensor biasK, Tensor biasV, Tensor outW,
                         Tensor outB, Tensor n2W, Tensor n2B, Tensor fc1W, Tensor fc1B, Tensor fc2W, Tensor fc2B) {}

    private ImageBindAudioEncoder(ImageBindAudioConfig c) {
        LibTorch.load();
        this.config = c;
        long w = c.width();
        try (PointerScope scope = new PointerScope()) {
            tree = new ParamTree("ImageBindAudio");
            cls = tree.parameter(PRE + "cls_token", 1, 1, w);
            stem = tree.parameter(PRE + "rgbt_stem.proj.weight", w, 1, c.kernel(), c.kernel());
            stemNormW = tree.parameter(PRE + "rgbt_stem.norm_layer.weight", w);
            stemNormB = tree.parameter(PRE + "rgbt_stem.norm_layer.bias", w);
            pos = tree.parameter(PRE + "pos_embedding_helper.pos_embed", 1, c.tokens(), w);
            blocks = new Block[c.layers()];
            for (int i = 0; i < c.layers(); i++) {
                String p = TRUNK + "blocks." + i + ".";
                blocks[i] = new Block(
                        tree.parameter(p + "norm_1.weight", w), tree.parameter(p + "norm_1.bias", w),
                        tree.parameter(p + "attn.in_proj_weight", 3 * w, w), tree.parameter(p + "attn.in_proj_bias", 3 * w),
                        tree.parameter(p + "attn.bias_k", 1, 1, w), tree.parameter(p + "attn.bias_v", 1, 1, w),
                        tree.parameter(p + "attn.out_proj.weight", w, w), tree.parameter(p + "attn.out_proj.bias", w),
                        tree.parameter(p + "norm_2.weight", w), tree.parameter(p + "norm_2.bias", w),
                        tree.parameter(p + "mlp.fc1.weight", c.mlpWidth(), w), tree.parameter(p + "mlp.fc1.bias", c.mlpWidth()),
                        tree.parameter(p + "mlp.fc2.weight", w, c.mlpWidth()), tree.parameter(p + "mlp.fc2.bias", w));
            }
            headNormW = tree.parameter(HEAD + "0.weight", w);
            headNormB = tree.parameter(HEAD + "0.bias", w);
            headProj = tree.parameter(HEAD + "2.weight", c.outputDim(), w);
            logLogitScale = tree.buffer(POST + "1.log_logit_scale");
        }
    }

    /** An encoder with uninitialised weights (fill them with {@link #loadWeights}). */
    public static ImageBindAudioEncoder create(ImageBindAudioConfig config) {
        return new ImageBindAudioEncoder(config);
    }

    /** An encoder with seeded random weights and ImageBind's logit scale ln 20 (tests and benchmarks). */
    public static ImageBindAudioEncoder createRandom(ImageBindAudioConfig config, long seed) {
        ImageBindAudioEncoder e = new ImageBindAudioEncoder(config);
        Weights.randomize(e.module(), seed);
        try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g =
                new org.bytedeco.pytorch.NoGradGuard()) {
            e.logLogitScale.fill_(new Scalar(Math.log(20)));
        }
        return e;
    }

    /**
     * An encoder from an ImageBind weight file ({@code imagebind_huge.pth} or a conversion), structure inferred
     * from the shapes. The file is closed before returning.
     */
    public static ImageBindAudioEncoder load(Path file) throws AvSalException {
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            return load(ckpt);
        }
    }

    /** An encoder of the given structure from an ImageBind weight file (closed before returning). */
    public static ImageBindAudioEncoder load(Path file, ImageBindAudioConfig config) throws AvSalException {
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            return load(ckpt, config);
        }
    }

    /**
     * An encoder built from the audio branch of an ImageBind checkpoint (other modalities are ignored), with the
     * structure inferred from the weight shapes ({@link #inferConfig(Checkpoint)}).
     */
    public static ImageBindAudioEncoder load(Checkpoint ckpt) throws AvSalException {
        Map<String, TensorData> w = audioWeights(ckpt);
        return load(w, inferConfig(w, ckpt.file().toString()), ckpt.file().toString());
    }

    /**
     * An encoder of the given structure with the checkpoint's audio weights; a structure that does not fit gives a
     * {@link WeightMismatchException} listing every differing key.
     */
    public static ImageBindAudioEncoder load(Checkpoint ckpt, ImageBindAudioConfig config) throws AvSalException {
        return load(audioWeights(ckpt), config, ckpt.file().toString());
    }

    private static ImageBindAudioEncoder load(Map<String, TensorData> w, ImageBindAudioConfig config, String source)
            throws WeightMismatchException {
        ImageBindAudioEncoder e = new ImageBindAudioEncoder(config);
        try {
            e.loadWeights(w, source);
            return e;
        } catch (WeightMismatchException | RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    /**
     * The audio branch's tensors by official name: every key under {@code modality_*.audio.}, after whatever prefix
     * precedes {@code modality_preprocessors.audio.cls_token} in the file (e.g. {@code module.}).
     */
    static Map<String, TensorData> audioWeights(Checkpoint ckpt) throws CheckpointException, ModelConfigException {
        List<String> names = new ArrayList<>(ckpt.tensorNames());
        String prefix = ClipKeys.findPrefix(names, ANCHOR);
        if (prefix == null)
            throw new ModelConfigException(ckpt.file() + ": no ImageBind audio branch found (no '" + ANCHOR
                    + "'); first keys: " + String.join(", ", names.subList(0, Math.min(5, names.size()))));
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String n : names) {
            if (!n.startsWith(prefix)) continue;
            String k = n.substring(prefix.length());
            if (k.startsWith(PRE) || k.startsWith(TRUNK) || k.startsWith(HEAD) || k.startsWith(POST))
                out.put(k, ckpt.tensor(n));
        }
        return out;
    }

    /**
     * The structure of the checkpoint's audio branch from weight shapes: width from {@code cls_token}, kernel from
     * the stem, layers from the block count, heads {@code width / 64} (as in ImageBind-huge), output size from the
     * head, MLP width from {@code fc1}. Stride and input size are not in the weights: ImageBind's 10 and 128 x 204
     * are assumed and checked against the number of positions.
     */
    public static ImageBindAudioConfig inferConfig(Checkpoint ckpt) throws AvSalException {
        return inferConfig(audioWeights(ckpt), ckpt.file().toString());
    }

    static ImageBindAudioConfig inferConfig(Map<String, TensorData> w, String source) throws ModelConfigException {
        long[] c = shape(w, PRE + "cls_token", 3, source);
        long[] st = shape(w, PRE + "rgbt_stem.proj.weight", 4, source);
        long[] p = shape(w, PRE + "pos_embedding_helper.pos_embed", 3, source);
        long[] head = shape(w, HEAD + "2.weight", 2, source);
        long[] fc1 = shape(w, TRUNK + "blocks.0.mlp.fc1.weight", 2, source);
        long width = c[2];
        if (st[0] != width || st[1] != 1 || st[2] != st[3])
            throw new ModelConfigException(source + ": stem weight " + Arrays.toString(st) + " is not [" + width
                    + ", 1, k, k]");
        TreeSet<Integer> idx = new TreeSet<>();
        for (String k : w.keySet()) {
            Matcher m = BLOCK.matcher(k);
            if (m.matches()) idx.add(Integer.parseInt(m.group(1)));
        }
        if (idx.first() != 0 || idx.last() != idx.size() - 1)
            throw new ModelConfigException(source + ": audio blocks are not numbered 0..N-1: " + idx);
        if (width % 64 != 0)
            throw new ModelConfigException(source + ": cannot infer the head count from width " + width
                    + " (not a multiple of 64); pass an ImageBindAudioConfig with the model's heads");
        ImageBindAudioConfig cfg;
        try {
            cfg = new ImageBindAudioConfig(Math.toIntExact(width), idx.size(), Math.toIntExact(width / 64),
                    Math.toIntExact(head[0]), Math.toIntExact(st[2]), 10, 128, 204, Math.toIntExact(fc1[0]));
        } catch (IllegalArgumentException ex) {
            throw new ModelConfigException(source + ": inconsistent ImageBind audio structure: " + ex.getMessage());
        }
        if (p[1] != cfg.tokens())
            throw new ModelConfigException(source + ": pos_embed has " + p[1] + " positions but kernel " + cfg.kernel()
                    + ", stride 10 on 128x204 input gives " + cfg.tokens() + "; pass an ImageBindAudioConfig with the"
                    + " model's stride and input size");
        return cfg;
    }

    private static long[] shape(Map<String, TensorData> w, String key, int rank, String source)
            throws ModelConfigException {
        TensorData t = w.get(key);
        if (t == null) throw new ModelConfigException(source + ": ImageBind audio weight '" + key + "' is missing");
        long[] s = t.shape();
        if (s.length != rank)
            throw new ModelConfigException(source + ": " + key + " has shape " + Arrays.toString(s) + ", expected "
                    + rank + "-d");
        return s;
    }

    /** Copies weights given by official name; every mismatch is reported at once, and then nothing is copied. */
    public void loadWeights(Map<String, ? extends TensorData> weights, String source) throws WeightMismatchException {
        checkOpen();
        Weights.load(tree.root(), weights, source, config.toString());
    }

    /** Copies the audio branch of an ImageBind checkpoint into this encoder. */
    public void loadWeights(Checkpoint ckpt) throws AvSalException {
        loadWeights(audioWeights(ckpt), ckpt.file().toString());
    }

    /** The structure. */
    public ImageBindAudioConfig config() { return config; }

    /** The module holding the parameters and the logit-scale buffer, under the official names. */
    public Module module() {
        checkOpen();
        return tree.root();
    }

    /**
     * The result of a forward pass; see the class comment for who owns the tensors.
     *
     * @param tokens           head LayerNorm of the trunk output, {@code [B*S, tokens, width]} (CLS first, then the
     *                         12 x 19 patches frequency-major)
     * @param embeddingPerClip post-processed CLS embedding per clip {@code [B*S, outputDim]} (unit norm x scale)
     * @param embedding        mean over the S clips of {@code embeddingPerClip}, {@code [B, outputDim]}
     * @param batch            B
     * @param clips            S (1 for 4-d input)
     */
    public record Output(Tensor tokens, Tensor embeddingPerClip, Tensor embedding, int batch, int clips)
            implements AutoCloseable {
        /** Frees the tensors (if the caller owns them, i.e. no PointerScope was open during the forward pass). */
        @Override
        public void close() {
            tokens.close();
            embeddingPerClip.close();
            embedding.close();
        }
    }

    /**
     * Runs the branch on normalised log-mel input {@code [B, S, 1, melBins, targetLength]} (S clips per item) or
     * {@code [B, 1, melBins, targetLength]}.
     */
    public Output forward(Tensor mel) {
        return run(mel, false);
    }

    /**
     * As {@link #forward(Tensor)}, but under the caller's grad mode instead of {@link InferenceMode}, so that
     * autograd records the pass (end-to-end training: make the parameters of {@link #module()} require gradients
     * first). Same ownership rule as {@link #forward}; the outputs are ordinary tensors.
     */
    public Output forwardTrainable(Tensor mel) {
        return run(mel, true);
    }

    private Output run(Tensor mel, boolean trainable) {
        checkOpen();
        long[] s = mel.sizes().vec().get();
        boolean clipsDim = s.length == 5;
        int off = clipsDim ? 2 : 1;
        if ((s.length != 4 && s.length != 5) || s[0] < 1 || (clipsDim && s[1] < 1) || s[off] != 1
                || s[off + 1] != config.melBins() || s[off + 2] != config.targetLength())
            throw new IllegalArgumentException("ImageBind audio input must be [B, S, 1, " + config.melBins() + ", "
                    + config.targetLength() + "] or [B, 1, " + config.melBins() + ", " + config.targetLength()
                    + "], got " + Arrays.toString(s));
        long b = s[0], clips = clipsDim ? s[1] : 1, n = b * clips, w = config.width();
        Tensor tokens, perClip, embedding;
        try (PointerScope scope = new PointerScope(); InferenceMode im = trainable ? null : new InferenceMode()) {
            Tensor x = mel.scalar_type().value == ScalarType.Float.value ? mel : mel.to(ScalarType.Float);
            x = x.reshape(n, 1, config.melBins(), config.targetLength());
            x = torch.conv2d(x, stem, new TensorOptional(), new long[] {config.stride(), config.stride()},
                    new long[] {0, 0}, new long[] {1, 1}, 1);                        // [N, W, 12, 19]
            x = layerNorm(x.flatten(2, 3).transpose(1, 2), stemNormW, stemNormB, ImageBindAudioConfig.STEM_EPS);
            x = torch.cat(new TensorVector(cls.expand(n, 1, w), x), 1).add(pos);   // [N, 229, W]
            for (Block k : blocks) x = block(k, x);
            tokens = layerNorm(x, headNormW, headNormB, ImageBindAudioConfig.BLOCK_EPS).retainReference();
            Tensor e = torch.linear(tokens.select(1, 0), headProj);                // [N, out]
            Tensor norm = e.mul(e).sum(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .sqrt().clamp_min(new Scalar(1e-12));                           // F.normalize's eps
            Tensor scale = torch.clamp_max(logLogitScale.exp(), new Scalar(ImageBindAudioConfig.MAX_LOGIT_SCALE));
            perClip = e.div(norm).mul(scale).retainReference();
            embedding = perClip.view(b, clips, config.outputDim()).mean(new long[] {1}, false,
                    new org.bytedeco.pytorch.ScalarTypeOptional()).retainReference();
        }
        return new Output(Scopes.handOver(tokens), Scopes.handOver(perClip), Scopes.handOver(embedding), (int) b,
                (int) clips);
    }

    private Tensor block(Block k, Tensor x) {
        long n = x.size(0), l = x.size(1), w = config.width(), h = config.heads(), d = config.headDim();
        Tensor qkv = torch.linear(layerNorm(x, k.n1W(), k.n1B(), ImageBindAudioConfig.BLOCK_EPS), k.inW(),
                new TensorOptional(k.inB()));
        TensorVector parts = qkv.chunk(3, -1);
        Tensor q = parts.get(0).view(n, l, h, d).transpose(1, 2);
        // add_bias_kv: one learned key/value token appended after the projection (nn.MultiheadAttention)
        Tensor kk = torch.cat(new TensorVector(parts.get(1), k.biasK().expand(n, 1, w)), 1)
                .view(n, l + 1, h, d).transpose(1, 2);
        Tensor v = torch.cat(new TensorVector(parts.get(2), k.biasV().expand(n, 1, w)), 1)
                .view(n, l + 1, h, d).transpose(1, 2);
        Tensor a = Attention.scaledDotProduct(q, kk, v).transpose(1, 2).reshape(n, l, w);
        x = x.add(torch.linear(a, k.outW(), new TensorOptional(k.outB())));
        Tensor m = torch.linear(layerNorm(x, k.n2W(), k.n2B(), ImageBindAudioConfig.BLOCK_EPS), k.fc1W(),
                new TensorOptional(k.fc1B()));
        return x.add(torch.linear(torch.gelu(m), k.fc2W(), new TensorOptional(k.fc2B())));
    }

    private Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return torch.layer_norm(x, new long[] {config.width()}, new TensorOptional(weight), new TensorOptional(bias),
                eps, false);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("ImageBindAudioEncoder is closed");
    }

    /** Frees the parameters. Outputs already returned stay valid. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        tree.close();
    }
}
