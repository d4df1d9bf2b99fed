package dev.avsal.model;

import dev.avsal.AvSalConfig;
import dev.avsal.AvSalException;
import dev.avsal.AvSalModel;
import dev.avsal.checkpoint.ArrayTensor;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.SafetensorsWriter;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.head.AvSalHead;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Converts the official encoder files into one compact safetensors file holding only the tensors AVSal-R uses:
 * OpenAI's CLIP {@code .pt} (TorchScript, fp16; or an open_clip / Hugging Face CLIP file) and ImageBind's
 * {@code imagebind_huge.pth}, optionally with a head-only file ({@link AvSalHead#save}).
 *
 * <h2>Output layout</h2>
 * The key layout of {@link AvSalModel}'s combined file: {@code clip.*} (the image tower under OpenAI's names without
 * {@code visual.}; a Hugging Face tower is renamed, q/k/v concatenated), {@code audio.*} (ImageBind's official names
 * of the audio branch; every other modality is dropped) and, with a head, {@code head.*}. The text tower, the
 * other ImageBind modalities and every non-tensor entry are dropped.
 * <ul>
 *   <li><b>With a head</b> the file is a complete combined file: metadata {@value AvSalConfig#METADATA_KEY} and
 *       {@value AvSalHead#CONFIG_METADATA_KEY}; it loads with {@link AvSalModel#load(Path)}.</li>
 *   <li><b>Without a head</b> the metadata key {@value #ENCODERS_METADATA_KEY} describes the two encoders (our
 *       choice: the combined format needs a head, and AVSal published none). The file is then given as both
 *       encoder files, {@link AvSalModel#load(Path, Path, Path) AvSalModel.load(head, file, file)}, which uses the
 *       recorded structures ({@link #recordedClipConfig}), or to {@link ClipVisionEncoder#load(Path)} and
 *       {@link ImageBindAudioEncoder#load(Path)}, which infer them from the shapes (as for the original files: OpenAI
 *       QuickGELU and width/64 heads; pass {@link #recordedClipConfig} for other towers).</li>
 * </ul>
 *
 * <h2>Precision</h2>
 * Floating-point tensors are written as float32 by default, as {@link AvSalModel#save} does (OpenAI's fp16 values
 * widen exactly). {@link Builder#optDType} F16 or BF16 halves the file (rounding to nearest even, as PyTorch
 * does). Tensors with fewer than 2 dimensions (LayerNorm weights, biases, CLIP's class embedding, ImageBind's logit
 * scale) stay float32 in every mode (our choice, as OpenAI's own fp16 conversion keeps its LayerNorms in float32:
 * they are under 0.3% of the bytes, and fp16 would e.g. move the logit scale 20 to 20.007). OpenAI's fp16 matrices
 * are copied bit for bit; its float32 positional embedding and ImageBind's float32 matrices are rounded (measured
 * on the fixtures against the float32 references: relative L2 error 6e-5 on the CLIP taps, 1.8e-4 on the ImageBind
 * tokens).
 * The encoders compute in float32 whatever the file holds.
 *
 * <h2>Safety</h2>
 * The file is written to a temporary name in the target folder, then loaded back into the encoders (and the head)
 * to prove it is complete, then renamed into place; an existing file is replaced only with
 * {@link Builder#optOverwrite}. {@link Result#sha256()} is the SHA-256 of the written bytes.
 *
 * <p>Immutable and thread-safe; concurrent {@link #convert} calls must use different outputs.
 */
public final class WeightConverter {
    /** safetensors metadata key of the encoder description in files converted without a head. */
    public static final String ENCODERS_METADATA_KEY = "avsal.encoders";
    /** safetensors metadata key naming the files a conversion was made from (file names only). */
    public static final String SOURCES_METADATA_KEY = "avsal.sources";
    // the combined file's prefixes (AvSalModel keeps its own private copies of these three names)
    private static final String CLIP = "clip.", AUDIO = "audio.", HEAD = "head.";

    private final Path clipFile, imageBindFile, headFile;
    private final ClipVisionConfig clipConfig;
    private final DType dtype;
    private final boolean overwrite;

    private WeightConverter(Builder b) {
        this.clipFile = b.clip;
        this.imageBindFile = b.imageBind;
        this.headFile = b.head;
        this.clipConfig = b.clipConfig;
        this.dtype = b.dtype;
        this.overwrite = b.overwrite;
    }

    /** A new builder. */
    public static Builder builder() { return new Builder(); }

    /** Builder: {@code setClip} and {@code setImageBind} are required. Not thread-safe. */
    public static final class Builder {
        private Path clip, imageBind, head;
        private ClipVisionConfig clipConfig;
        private DType dtype = DType.F32;
        private boolean overwrite;

        private Builder() {}

        /** The CLIP file: OpenAI {@code .pt}, open_clip or Hugging Face safetensors / {@code torch.save}. */
        public Builder setClip(Path file) { this.clip = Objects.requireNonNull(file, "clip"); return this; }

        /** The ImageBind file ({@code imagebind_huge.pth}); only its audio branch is kept. */
        public Builder setImageBind(Path file) { this.imageBind = Objects.requireNonNull(file, "imageBind"); return this; }

        /** A head-only file ({@link AvSalHead#save}); makes the output a complete combined file. */
        public Builder optHead(Path file) { this.head = file; return this; }

        /**
         * The CLIP structure, when the shapes do not settle it (a Hugging Face tower with exact GELU or another
         * head count: {@link ClipVisionConfig#fromHfConfig}). Default: inferred from the shapes, as
         * {@link ClipVisionEncoder#inferConfig} does, with a preset's head count when a preset fits.
         */
        public Builder optClipConfig(ClipVisionConfig config) { this.clipConfig = config; return this; }

        /** F32 (default), F16 or BF16 for the floating-point tensors (see the class comment). */
        public Builder optDType(DType d) {
            if (d != DType.F32 && d != DType.F16 && d != DType.BF16)
                throw new IllegalArgumentException("output dtype must be F32, F16 or BF16, not " + d);
            this.dtype = d;
            return this;
        }

        /** Replace an existing output file (default false: refused). */
        public Builder optOverwrite(boolean b) { this.overwrite = b; return this; }

        public WeightConverter build() {
            if (clip == null) throw new IllegalStateException("setClip(Path) is required");
            if (imageBind == null) throw new IllegalStateException("setImageBind(Path) is required");
            return new WeightConverter(this);
        }
    }

    /**
     * What a conversion wrote.
     *
     * @param file     the output file
     * @param sha256   SHA-256 of its bytes (lower-case hex)
     * @param bytes    its size
     * @param tensors  tensors written
     * @param dropped  source tensors minus written ones: the text tower, other modalities, and for a Hugging Face
     *                 tower the q/k/v tensors merged into {@code in_proj_*} and {@code position_ids}
     * @param dtype    the dtype of the tensors with 2 or more dimensions (the others are always F32)
     * @param model    the AVSal-R config name with a head ("custom" when no preset fits), null without
     * @param clip     the CLIP structure
     * @param audio    the audio branch's structure
     */
    public record Result(Path file, String sha256, long bytes, int tensors, int dropped, DType dtype, String model,
                         ClipVisionConfig clip, ImageBindAudioConfig audio) {}

    /**
     * Converts into {@code out}.
     *
     * @throws CheckpointException if a file cannot be read, {@code out} exists and overwriting was not asked for,
     *                             or it cannot be written
     * @throws ModelConfigException if a file does not hold what it should (no ViT tower, no audio branch, a head
     *                             that does not fit the encoders), naming the file
     * @throws WeightMismatchException if the written file does not load back (should not happen; reported in full)
     */
    public Result convert(Path out) throws AvSalException {
        Path target = out.toAbsolutePath();
        refuseExisting(target);
        try (Checkpoint clipCk = Checkpoints.open(clipFile);
             Checkpoint ibCk = Checkpoints.open(imageBindFile);
             Checkpoint headCk = headFile == null ? null : Checkpoints.open(headFile)) {
            Map<String, TensorData> clipW = ClipKeys.visionWeights(clipCk);
            Map<String, TensorData> audioW = ImageBindAudioEncoder.audioWeights(ibCk);
            ClipVisionConfig cc = clipConfig != null ? clipConfig
                    : presetClip(ClipVisionEncoder.inferConfig(clipW, clipFile.toString()));
            ImageBindAudioConfig ac = presetAudio(ImageBindAudioEncoder.inferConfig(audioW, imageBindFile.toString()));

            Map<String, TensorData> tensors = new LinkedHashMap<>();
            clipW.forEach((k, t) -> tensors.put(CLIP + k, cast(t)));
            audioW.forEach((k, t) -> tensors.put(AUDIO + k, cast(t)));
            int sourceCount = clipCk.tensorNames().size() + ibCk.tensorNames().size();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            String model = null;
            if (headCk != null) {
                HeadConfig hc = headConfig(headCk);
                for (String n : headCk.tensorNames()) tensors.put(HEAD + n, cast(headCk.tensor(n)));
                sourceCount += headCk.tensorNames().size();
                AvSalConfig cfg = modelConfig(cc, ac, hc);
                model = cfg.name();
                meta.put(AvSalConfig.METADATA_KEY, cfg.toJson());
                meta.put(AvSalHead.CONFIG_METADATA_KEY, hc.toJson());
            } else {
                meta.put(ENCODERS_METADATA_KEY, encodersJson(cc, ac));
            }
            Map<String, Object> sources = new LinkedHashMap<>();
            sources.put("clip", clipFile.getFileName().toString());
            sources.put("imagebind", imageBindFile.getFileName().toString());
            if (headFile != null) sources.put("head", headFile.getFileName().toString());
            meta.put(SOURCES_METADATA_KEY, Json.write(sources));

            Path tmp = target.resolveSibling("." + target.getFileName() + ".converting");
            try {
                SafetensorsWriter.write(tmp, tensors, meta);
                verify(tmp, cc, ac);
                String sha = sha256(tmp);
                long size = Files.size(tmp);
                refuseExisting(target); // again: it may have appeared while we worked
                move(tmp, target);
                return new Result(target, sha, size, tensors.size(), sourceCount - tensors.size(), dtype, model, cc, ac);
            } catch (IOException e) {
                throw new CheckpointException(target, "cannot write: " + e.getMessage(), e);
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: our own temporary file
                }
            }
        }
    }

    private void refuseExisting(Path target) throws CheckpointException {
        if (!overwrite && Files.exists(target))
            throw new CheckpointException(target, "exists; not replacing it (ask for overwriting: --force)");
        if (Files.isDirectory(target)) throw new CheckpointException(target, "is a directory");
    }

    private void move(Path tmp, Path target) throws IOException {
        try {
            if (overwrite) Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            else Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): checked just before
        } catch (AtomicMoveNotSupportedException e) {
            if (overwrite) Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            else Files.move(tmp, target);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(target + " appeared while converting; not replacing it", e);
        }
    }

    /** Loads the written file back into the encoders (and the head), proving every key and shape fits. */
    private void verify(Path file, ClipVisionConfig cc, ImageBindAudioConfig ac) throws AvSalException {
        if (headFile != null) {
            AvSalModel.load(file).close();
            return;
        }
        try (Checkpoint ck = Checkpoints.open(file)) {
            ClipVisionEncoder.load(ck.subtree("clip"), cc).close();
            ImageBindAudioEncoder.load(ck.subtree("audio"), ac).close();
        }
    }

    private HeadConfig headConfig(Checkpoint ck) throws ModelConfigException {
        Object json = ck.metadata().get("__metadata__." + AvSalHead.CONFIG_METADATA_KEY);
        if (!(json instanceof String s))
            throw new ModelConfigException(ck.file() + ": not a head-only file (no '" + AvSalHead.CONFIG_METADATA_KEY
                    + "' metadata); convert a PyTorch head with AvSalModel.convertHead first");
        try {
            return HeadConfig.fromJson(s);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(ck.file() + ": " + e.getMessage());
        }
    }

    private AvSalConfig modelConfig(ClipVisionConfig cc, ImageBindAudioConfig ac, HeadConfig hc)
            throws ModelConfigException {
        AvSalConfig preset = AvSalConfig.matchingPreset(cc, ac, hc);
        try {
            return new AvSalConfig(preset != null ? preset.name() : "custom", cc, ac, hc, hc.inputH(), hc.inputW(),
                    preset != null ? preset.weights() : "converted from " + clipFile.getFileName() + ", "
                            + imageBindFile.getFileName() + " and " + headFile.getFileName(),
                    preset != null ? preset.licence() : "see the source weight files");
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException("head " + headFile + " does not fit the encoders " + clipFile + " and "
                    + imageBindFile + ": " + e.getMessage());
        }
    }

    /** The source tensor, converted lazily (one tensor in memory at a time) if its dtype differs from the output's. */
    private TensorData cast(TensorData t) {
        DType target = t.shape().length < 2 ? DType.F32 : dtype;
        if (!t.dtype().isFloatingPoint() || t.dtype() == target) return t;
        return new TensorData() {
            @Override public String name() { return t.name(); }
            @Override public DType dtype() { return target; }
            @Override public long[] shape() { return t.shape(); }
            @Override public long numel() { return t.numel(); }
            @Override public float[] toFloatArray() { return t.toFloatArray(); }
            @Override public double[] toDoubleArray() { return materialise().toDoubleArray(); }
            @Override public long[] toLongArray() { return t.toLongArray(); }
            @Override public ByteBuffer toByteBuffer() { return materialise().toByteBuffer(); }
            private TensorData materialise() { return ArrayTensor.ofFloats(t.name(), target, t.shape(), t.toFloatArray()); }
        };
    }

    private static ClipVisionConfig presetClip(ClipVisionConfig inferred) {
        for (AvSalConfig p : AvSalConfig.PRESETS)
            if (inferred.width() % p.clip().heads() == 0 && inferred.withHeads(p.clip().heads()).equals(p.clip()))
                return p.clip();
        return inferred;
    }

    private static ImageBindAudioConfig presetAudio(ImageBindAudioConfig inferred) {
        for (AvSalConfig p : AvSalConfig.PRESETS)
            if (inferred.width() % p.audio().heads() == 0 && inferred.withHeads(p.audio().heads()).equals(p.audio()))
                return p.audio();
        return inferred;
    }

    private static String encodersJson(ClipVisionConfig c, ImageBindAudioConfig a) {
        Map<String, Object> clip = new LinkedHashMap<>();
        clip.put("image_size", c.imageSize());
        clip.put("patch_size", c.patchSize());
        clip.put("width", c.width());
        clip.put("layers", c.layers());
        clip.put("heads", c.heads());
        clip.put("output_dim", c.outputDim());
        clip.put("mlp_width", c.mlpWidth());
        clip.put("layer_norm_eps", c.layerNormEps());
        clip.put("activation", c.activation().name().toLowerCase(Locale.ROOT));
        Map<String, Object> audio = new LinkedHashMap<>();
        audio.put("width", a.width());
        audio.put("layers", a.layers());
        audio.put("heads", a.heads());
        audio.put("output_dim", a.outputDim());
        audio.put("kernel", a.kernel());
        audio.put("stride", a.stride());
        audio.put("mel_bins", a.melBins());
        audio.put("target_length", a.targetLength());
        audio.put("mlp_width", a.mlpWidth());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", AvSalConfig.FORMAT);
        m.put("clip", clip);
        m.put("audio", audio);
        return Json.write(m);
    }

    /**
     * The CLIP structure recorded in a file converted without a head ({@value #ENCODERS_METADATA_KEY}), or null for
     * any other file. Loaders use it instead of inferring the structure from shapes, which cannot tell e.g. GELU
     * from QuickGELU.
     */
    public static ClipVisionConfig recordedClipConfig(Checkpoint ck) throws ModelConfigException {
        Map<?, ?> c = recorded(ck, "clip");
        if (c == null) return null;
        String src = ck.file() + " metadata '" + ENCODERS_METADATA_KEY + "'";
        try {
            ClipVisionConfig.Activation act = switch (String.valueOf(c.get("activation"))) {
                case "quick_gelu" -> ClipVisionConfig.Activation.QUICK_GELU;
                case "gelu" -> ClipVisionConfig.Activation.GELU;
                default -> throw new IllegalArgumentException("unknown activation '" + c.get("activation") + "'");
            };
            return new ClipVisionConfig(integer(c, "image_size"), integer(c, "patch_size"), integer(c, "width"),
                    integer(c, "layers"), integer(c, "heads"), integer(c, "output_dim"), integer(c, "mlp_width"),
                    c.get("layer_norm_eps") instanceof Number n ? n.doubleValue() : Double.NaN, act);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(src + ": invalid CLIP config: " + e.getMessage());
        }
    }

    /** The audio structure recorded in a file converted without a head, or null for any other file. */
    public static ImageBindAudioConfig recordedAudioConfig(Checkpoint ck) throws ModelConfigException {
        Map<?, ?> a = recorded(ck, "audio");
        if (a == null) return null;
        try {
            return new ImageBindAudioConfig(integer(a, "width"), integer(a, "layers"), integer(a, "heads"),
                    integer(a, "output_dim"), integer(a, "kernel"), integer(a, "stride"), integer(a, "mel_bins"),
                    integer(a, "target_length"), integer(a, "mlp_width"));
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(ck.file() + " metadata '" + ENCODERS_METADATA_KEY
                    + "': invalid audio config: " + e.getMessage());
        }
    }

    private static Map<?, ?> recorded(Checkpoint ck, String part) throws ModelConfigException {
        if (!(ck.metadata().get("__metadata__." + ENCODERS_METADATA_KEY) instanceof String json)) return null;
        try {
            if (Json.parse(json) instanceof Map<?, ?> m && m.get(part) instanceof Map<?, ?> p) return p;
        } catch (dev.avsal.util.JsonException e) {
            // reported below
        }
        throw new ModelConfigException(ck.file() + ": metadata '" + ENCODERS_METADATA_KEY + "' has no valid '" + part
                + "' object");
    }

    private static int integer(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Long l && l == (int) (long) l) return (int) (long) l;
        throw new IllegalArgumentException("'" + key + "' is " + (m.containsKey(key) ? "not an integer" : "missing"));
    }

    /** The SHA-256 of a file's bytes as lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
