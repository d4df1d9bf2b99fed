package dev.avsal;

import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.ImageBindAudioConfig;
import dev.avsal.model.head.ConvGruConfig;
import dev.avsal.model.head.DecoderConfig;
import dev.avsal.model.head.FusionConfig;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything that fixes the shape of an AVSal-R model: the CLIP image tower, ImageBind's audio branch, the head,
 * and the default input size, with the provenance of the weights and their licences. Stored as JSON in combined
 * weight files (safetensors metadata key {@value #METADATA_KEY}, see {@link AvSalModel}).
 *
 * <h2>Presets</h2>
 * <table>
 * <caption>AVSal-R presets</caption>
 * <tr><th>name</th><th>CLIP tower</th><th>audio branch</th><th>head</th><th>input</th><th>parameters</th></tr>
 * <tr><td>{@code avsal-r-b16}</td><td>OpenAI ViT-B/16 (width 768, 12 blocks, taps 3/6/9/12)</td>
 *     <td>ImageBind-huge audio (width 768, 12 blocks, 229 tokens)</td><td>d = 128 ({@link HeadConfig#vitB16})</td>
 *     <td>224 x 224 (224 x 384 for 16:9)</td><td>175,640,449 = 86,192,640 + 86,235,648 + 3,212,161 (the
 *     ImageBind logit-scale buffer is not counted)</td></tr>
 * <tr><td>{@code avsal-r-tiny}</td><td>CLIP-like, 112 px, patch 16, width 64, 4 blocks, 2 heads, taps 1/2/3/4</td>
 *     <td>ImageBind-like, width 64, 2 blocks, 2 heads, same 128 x 204 fbank input</td><td>d = 32, 4 heads</td>
 *     <td>112 x 112</td><td>557,985 = 254,656 + 133,632 + 169,697</td></tr>
 * </table>
 *
 * <p>{@code avsal-r-b16} is AVSal-R as documented in docs/avsal-r.md. Its encoder weights are the official files
 * (the combined file can be made from them once, see {@link AvSalModel#load(java.nio.file.Path,
 * java.nio.file.Path, java.nio.file.Path)} and {@link AvSalModel#save}); AVSal published no head weights, so the
 * head is trained by the user (or converted from a PyTorch checkpoint of tools/avsal_head.py).
 *
 * <p>{@code avsal-r-tiny} has no pretrained weights: everything is random-initialised
 * ({@link AvSalModel#random}). It exists for tests, the demo and CPU training experiments: a frame costs a few
 * milliseconds, and the same code paths run as for the real model (same audio preprocessing and token count,
 * same head structure at a smaller width, a 7 x 7 patch grid that exercises odd decoder sizes). Its maps carry no
 * meaning until the head is trained.
 *
 * @param name        preset name, or another name for a custom model
 * @param clip        the CLIP image tower
 * @param audio       the ImageBind audio branch
 * @param head        the head; its grid is the default input size divided by the patch size
 * @param inputHeight default input height in pixels (a multiple of the patch size)
 * @param inputWidth  default input width in pixels
 * @param weights     where the weights come from (URLs, checksums)
 * @param licence     licences of the weights
 */
public record AvSalConfig(String name, ClipVisionConfig clip, ImageBindAudioConfig audio, HeadConfig head,
                          int inputHeight, int inputWidth, String weights, String licence) {
    /** safetensors metadata key of this config's JSON in combined weight files. */
    public static final String METADATA_KEY = "avsal.model";
    /** Version of the JSON layout written by {@link #toJson()}. */
    public static final int FORMAT = 1;

    public AvSalConfig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("model config: name is empty");
        if (clip == null || audio == null || head == null) throw new IllegalArgumentException("model config: null part");
        weights = weights == null ? "" : weights;
        licence = licence == null ? "" : licence;
        String problem = incompatibility(clip, audio, head);
        if (problem != null) throw new IllegalArgumentException("model config '" + name + "': " + problem);
        int p = clip.patchSize();
        if (inputHeight < p || inputWidth < p || inputHeight % p != 0 || inputWidth % p != 0)
            throw new IllegalArgumentException("model config '" + name + "': input " + inputHeight + "x" + inputWidth
                    + " is not a positive multiple of the patch size " + p);
    }

    /** Why a head cannot run on these encoders, or null if it can. */
    static String incompatibility(ClipVisionConfig clip, ImageBindAudioConfig audio, HeadConfig head) {
        if (head.fusion().visualWidth() != clip.width())
            return "head expects " + head.fusion().visualWidth() + "-wide visual tokens, the CLIP tower gives " + clip.width();
        if (head.fusion().audioWidth() != audio.width())
            return "head expects " + head.fusion().audioWidth() + "-wide audio tokens, the audio branch gives " + audio.width();
        if (head.patchSize() != clip.patchSize())
            return "head patch size " + head.patchSize() + " differs from the CLIP patch size " + clip.patchSize();
        if (head.taps().get(HeadConfig.LEVELS - 1) > clip.layers())
            return "head taps " + head.taps() + " exceed the CLIP tower's " + clip.layers() + " blocks";
        return null;
    }

    private static final String B16_WEIGHTS = "CLIP ViT-B/16: " + ClipVisionConfig.preset("ViT-B/16").url()
            + " (SHA-256 " + ClipVisionConfig.preset("ViT-B/16").sha256() + "); ImageBind-huge: "
            + ImageBindAudioConfig.HUGE_URL + " (no published checksum; only the audio branch is used); "
            + "AVSal-R head: none published (AVSal released no weights), train it or convert a PyTorch head";
    private static final String B16_LICENCE = "CLIP weights: MIT (OpenAI). ImageBind weights: CC-BY-NC 4.0 (Meta), "
            + "non-commercial use only; a combined file or any model built on them inherits that restriction. "
            + "Head: the licence of whoever trained it";

    /** AVSal-R with CLIP ViT-B/16 and ImageBind-huge audio at 224 x 224. */
    public static final AvSalConfig B16 = new AvSalConfig("avsal-r-b16", ClipVisionConfig.preset("ViT-B/16").config(),
            ImageBindAudioConfig.HUGE, HeadConfig.vitB16(224, 224), 224, 224, B16_WEIGHTS, B16_LICENCE);

    /** Small random-initialised encoders for tests, the demo and CPU training (see the class comment). */
    public static final AvSalConfig TINY = new AvSalConfig("avsal-r-tiny",
            new ClipVisionConfig(112, 16, 64, 4, 2, 32, 256, 1e-5, ClipVisionConfig.Activation.QUICK_GELU),
            new ImageBindAudioConfig(64, 2, 2, 32, 16, 10, 128, 204, 256),
            new HeadConfig(List.of(1, 2, 3, 4), 16, 7, 7, new FusionConfig(64, 64, 32, 4, 2, 1e-5),
                    ConvGruConfig.of(32), DecoderConfig.of(32)),
            112, 112, "random initialisation (no pretrained weights)", "no third-party weights");

    /** The presets. */
    public static final List<AvSalConfig> PRESETS = List.of(B16, TINY);

    /** The preset with this name (case-insensitive); IllegalArgumentException listing the known names. */
    public static AvSalConfig preset(String name) {
        for (AvSalConfig c : PRESETS) if (c.name.equalsIgnoreCase(name.trim())) return c;
        throw new IllegalArgumentException("unknown AVSal-R preset '" + name + "'; known: "
                + PRESETS.stream().map(AvSalConfig::name).collect(Collectors.joining(", ")));
    }

    /** The preset whose encoders and head (grid aside) equal these, or null. */
    public static AvSalConfig matchingPreset(ClipVisionConfig clip, ImageBindAudioConfig audio, HeadConfig head) {
        for (AvSalConfig p : PRESETS)
            if (p.clip.equals(clip) && p.audio.equals(audio) && withGrid(head, p.head.gridH(), p.head.gridW()).equals(p.head))
                return p;
        return null;
    }

    /** True if the encoders and the head (apart from the head's default grid) are those of {@code other}. */
    public boolean sameStructure(AvSalConfig other) {
        return clip.equals(other.clip) && audio.equals(other.audio)
                && withGrid(head, other.head.gridH(), other.head.gridW()).equals(other.head);
    }

    /** A copy with another default input size (the head's default grid follows). */
    public AvSalConfig withInputSize(int height, int width) {
        int p = clip.patchSize();
        if (height < p || width < p || height % p != 0 || width % p != 0)
            throw new IllegalArgumentException("input " + height + "x" + width + " is not a positive multiple of the patch size " + p);
        return new AvSalConfig(name, clip, audio, withGrid(head, height / p, width / p), height, width, weights, licence);
    }

    static HeadConfig withGrid(HeadConfig h, int gh, int gw) {
        return new HeadConfig(h.taps(), h.patchSize(), gh, gw, h.fusion(), h.gru(), h.decoder());
    }

    /**
     * Parameters per part, computed from the structure (nothing allocated): {@code clip}, {@code audio},
     * {@code head} and {@code total}. Buffers (ImageBind's logit scale) are not parameters.
     */
    public Map<String, Long> parameterCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("clip", clipParameters(clip));
        m.put("audio", audioParameters(audio));
        m.put("head", headParameters(head));
        m.put("total", m.get("clip") + m.get("audio") + m.get("head"));
        return m;
    }

    private static long clipParameters(ClipVisionConfig c) {
        long w = c.width(), m = c.mlpWidth();
        long block = 4 * w + (3 * w * w + 3 * w) + (w * w + w) + (m * w + m) + (w * m + w);
        return w * 3L * c.patchSize() * c.patchSize() + w + (long) c.tokens() * w + 2 * w + c.layers() * block
                + 2 * w + w * c.outputDim();
    }

    private static long audioParameters(ImageBindAudioConfig a) {
        long w = a.width(), m = a.mlpWidth();
        long block = 4 * w + (3 * w * w + 3 * w) + 2 * w + (w * w + w) + (m * w + m) + (w * m + w);
        return w + w * (long) a.kernel() * a.kernel() + 2 * w + (long) a.tokens() * w + a.layers() * block + 2 * w
                + (long) a.outputDim() * w;
    }

    private static long headParameters(HeadConfig h) {
        FusionConfig f = h.fusion();
        long d = f.dim(), r = f.ffnRatio(), k = h.gru().kernel(), hc = h.decoder().headChannels();
        long fusion = (f.visualWidth() * d + d) + (f.audioWidth() * d + d) + 6 * d + 4 * (d * d + d)
                + (r * d * d + r * d) + (r * d * d + d);
        long gru = 2 * (3 * d * d * k * k) + 3 * d;
        long decoder = (d * d * 16 + d) + (d * d * 4 + d) + (d * d + d) + (d * d * 9 + d) + 3 * (d * d * 9 + d)
                + (hc * d * 9 + hc) + (hc + 1);
        return HeadConfig.LEVELS * fusion + gru + decoder;
    }

    /** Compact JSON (the layout of {@link #fromJson}; the head part uses the keys of {@link HeadConfig#toJson()}). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("name", name);
        m.put("input_height", inputHeight);
        m.put("input_width", inputWidth);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("image_size", clip.imageSize());
        c.put("patch_size", clip.patchSize());
        c.put("width", clip.width());
        c.put("layers", clip.layers());
        c.put("heads", clip.heads());
        c.put("output_dim", clip.outputDim());
        c.put("mlp_width", clip.mlpWidth());
        c.put("layer_norm_eps", clip.layerNormEps());
        c.put("activation", clip.activation().name().toLowerCase(Locale.ROOT));
        m.put("clip", c);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("width", audio.width());
        a.put("layers", audio.layers());
        a.put("heads", audio.heads());
        a.put("output_dim", audio.outputDim());
        a.put("kernel", audio.kernel());
        a.put("stride", audio.stride());
        a.put("mel_bins", audio.melBins());
        a.put("target_length", audio.targetLength());
        a.put("mlp_width", audio.mlpWidth());
        m.put("audio", a);
        try {
            m.put("head", Json.parse(head.toJson()));
        } catch (JsonException e) {
            throw new IllegalStateException("HeadConfig.toJson() wrote invalid JSON", e);
        }
        m.put("weights", weights);
        m.put("licence", licence);
        return Json.write(m);
    }

    /**
     * Parses {@link #toJson()} output. {@code source} names the input in messages.
     *
     * @throws IllegalArgumentException naming the source and the problem (unknown format, missing or mistyped key,
     *                                  inconsistent parts)
     */
    public static AvSalConfig fromJson(String json, String source) {
        Object parsed;
        try {
            parsed = Json.parse(json, source);
        } catch (JsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException(source + ": model config is not a JSON object");
        int format = toInt(m, "format", source);
        if (format != FORMAT)
            throw new IllegalArgumentException(source + ": model config format " + format + " is not supported (this avsal reads " + FORMAT + ")");
        Map<?, ?> c = object(m, "clip", source), a = object(m, "audio", source);
        object(m, "head", source);
        try {
            ClipVisionConfig.Activation act = switch (string(c, "activation", source)) {
                case "quick_gelu" -> ClipVisionConfig.Activation.QUICK_GELU;
                case "gelu" -> ClipVisionConfig.Activation.GELU;
                default -> throw new IllegalArgumentException(source + ": unknown CLIP activation '" + c.get("activation") + "'");
            };
            ClipVisionConfig clip = new ClipVisionConfig(toInt(c, "image_size", source), toInt(c, "patch_size", source),
                    toInt(c, "width", source), toInt(c, "layers", source), toInt(c, "heads", source),
                    toInt(c, "output_dim", source), toInt(c, "mlp_width", source), toDouble(c, "layer_norm_eps", source), act);
            ImageBindAudioConfig audio = new ImageBindAudioConfig(toInt(a, "width", source), toInt(a, "layers", source),
                    toInt(a, "heads", source), toInt(a, "output_dim", source), toInt(a, "kernel", source),
                    toInt(a, "stride", source), toInt(a, "mel_bins", source), toInt(a, "target_length", source),
                    toInt(a, "mlp_width", source));
            HeadConfig head = HeadConfig.fromJson(Json.write(m.get("head")));
            return new AvSalConfig(string(m, "name", source), clip, audio, head, toInt(m, "input_height", source),
                    toInt(m, "input_width", source), m.get("weights") instanceof String s ? s : "",
                    m.get("licence") instanceof String s ? s : "");
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(source) ? e
                    : new IllegalArgumentException(source + ": invalid model config: " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> object(Map<?, ?> m, String key, String source) {
        if (m.get(key) instanceof Map<?, ?> o) return o;
        throw new IllegalArgumentException(source + ": model config key '" + key + "' is " + (m.containsKey(key) ? "not an object" : "missing"));
    }

    private static String string(Map<?, ?> m, String key, String source) {
        if (m.get(key) instanceof String s) return s;
        throw new IllegalArgumentException(source + ": model config key '" + key + "' is " + (m.containsKey(key) ? "not a string" : "missing"));
    }

    private static int toInt(Map<?, ?> m, String key, String source) {
        if (m.get(key) instanceof Long l && l == (int) (long) l) return (int) (long) l;
        throw new IllegalArgumentException(source + ": model config key '" + key + "' is " + (m.containsKey(key) ? "not an integer: " + m.get(key) : "missing"));
    }

    private static double toDouble(Map<?, ?> m, String key, String source) {
        if (m.get(key) instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(source + ": model config key '" + key + "' is " + (m.containsKey(key) ? "not a number" : "missing"));
    }

    @Override
    public String toString() {
        return name + " (" + clip + "; " + audio + "; head d=" + head.dim() + " taps " + head.taps() + "; input "
                + inputHeight + "x" + inputWidth + ")";
    }
}
