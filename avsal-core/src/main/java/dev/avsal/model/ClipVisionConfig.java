package dev.avsal.model;

import dev.avsal.AvSalException;
import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Structure of a CLIP ViT image tower, named after the weights (OpenAI {@code clip/model.py VisionTransformer};
 * Hugging Face {@code CLIPVisionConfig} in brackets).
 *
 * @param imageSize    native input side in pixels ({@code image_size}); the positional grid is
 *                     {@code imageSize/patchSize} squared
 * @param patchSize    patch side = conv1 kernel and stride ({@code patch_size})
 * @param width        token width ({@code hidden_size})
 * @param layers       residual attention blocks ({@code num_hidden_layers})
 * @param heads        attention heads ({@code num_attention_heads}); OpenAI uses {@code width / 64}
 * @param outputDim    projection size ({@code projection_dim}), 0 for a tower without projection
 * @param mlpWidth     MLP hidden size ({@code intermediate_size}), OpenAI {@code 4 * width}
 * @param layerNormEps LayerNorm epsilon ({@code layer_norm_eps}), 1e-5 in OpenAI CLIP
 * @param activation   MLP activation ({@code hidden_act}): QuickGELU in OpenAI CLIP
 */
public record ClipVisionConfig(int imageSize, int patchSize, int width, int layers, int heads, int outputDim,
                               int mlpWidth, double layerNormEps, Activation activation) {

    /** MLP activations. */
    public enum Activation {
        /** {@code x * sigmoid(1.702 x)} (OpenAI CLIP, HF {@code quick_gelu}). */
        QUICK_GELU,
        /** Exact erf GELU (HF {@code gelu}, open_clip models trained without QuickGELU). */
        GELU
    }

    public ClipVisionConfig {
        if (patchSize < 1 || imageSize < patchSize || imageSize % patchSize != 0)
            throw new IllegalArgumentException("imageSize " + imageSize + " must be a positive multiple of patchSize "
                    + patchSize);
        if (width < 1 || layers < 1 || heads < 1 || outputDim < 0 || mlpWidth < 1)
            throw new IllegalArgumentException("invalid CLIP vision config: width " + width + ", layers " + layers
                    + ", heads " + heads + ", outputDim " + outputDim + ", mlpWidth " + mlpWidth);
        if (width % heads != 0)
            throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layerNormEps must be > 0: " + layerNormEps);
        if (activation == null) throw new IllegalArgumentException("activation is null");
    }

    /** An OpenAI-style config: MLP 4x width, LayerNorm eps 1e-5, QuickGELU. */
    public ClipVisionConfig(int imageSize, int patchSize, int width, int layers, int heads, int outputDim) {
        this(imageSize, patchSize, width, layers, heads, outputDim, 4 * width, 1e-5, Activation.QUICK_GELU);
    }

    /** Patches per side at the native size. */
    public int grid() { return imageSize / patchSize; }

    /** Tokens at the native size: CLS plus {@code grid()^2} patches. */
    public int tokens() { return grid() * grid() + 1; }

    /** Width of one attention head. */
    public int headDim() { return width / heads; }

    /** A copy with another head count (the weights do not determine it; OpenAI's rule is {@code width / 64}). */
    public ClipVisionConfig withHeads(int h) {
        return new ClipVisionConfig(imageSize, patchSize, width, layers, h, outputDim, mlpWidth, layerNormEps,
                activation);
    }

    /** A copy with another LayerNorm epsilon. */
    public ClipVisionConfig withLayerNormEps(double eps) {
        return new ClipVisionConfig(imageSize, patchSize, width, layers, heads, outputDim, mlpWidth, eps, activation);
    }

    /** A copy with another MLP activation. */
    public ClipVisionConfig withActivation(Activation a) {
        return new ClipVisionConfig(imageSize, patchSize, width, layers, heads, outputDim, mlpWidth, layerNormEps, a);
    }

    /**
     * The default blocks to tap (1-based): the outputs of the blocks at 1/4, 2/4, 3/4 and 4/4 of the depth
     * (3, 6, 9, 12 for ViT-B; 6, 12, 18, 24 for ViT-L), or every block when the depth is not a multiple of 4.
     */
    public int[] defaultTaps() {
        if (layers % 4 == 0) return new int[] {layers / 4, layers / 2, 3 * layers / 4, layers};
        int[] all = new int[layers];
        for (int i = 0; i < layers; i++) all[i] = i + 1;
        return all;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CLIP ViT %dpx/%d (width %d, %d layers, %d heads, mlp %d, out %d, %s, eps %.0e)",
                imageSize, patchSize, width, layers, heads, mlpWidth, outputDim, activation, layerNormEps);
    }

    /**
     * A named OpenAI CLIP release.
     *
     * @param name     the name used by {@code clip.load} ({@code ViT-B/16})
     * @param fileName the official file name ({@code ViT-B-16.pt}, a TorchScript archive with fp16 weights)
     * @param sha256   the SHA-256 of that file (the URL's directory name in {@code clip.py _MODELS})
     * @param config   the image tower's structure
     */
    public record Preset(String name, String fileName, String sha256, ClipVisionConfig config) {
        /** The official download URL. */
        public String url() {
            return "https://openaipublic.azureedge.net/clip/models/" + sha256 + "/" + fileName;
        }
    }

    /** OpenAI's ViT releases (openai/CLIP {@code clip/clip.py} at commit d05afc4). */
    public static final List<Preset> PRESETS = List.of(
            new Preset("ViT-B/32", "ViT-B-32.pt",
                    "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af",
                    new ClipVisionConfig(224, 32, 768, 12, 12, 512)),
            new Preset("ViT-B/16", "ViT-B-16.pt",
                    "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f",
                    new ClipVisionConfig(224, 16, 768, 12, 12, 512)),
            new Preset("ViT-L/14", "ViT-L-14.pt",
                    "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836",
                    new ClipVisionConfig(224, 14, 1024, 24, 16, 768)),
            new Preset("ViT-L/14@336px", "ViT-L-14-336px.pt",
                    "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02",
                    new ClipVisionConfig(336, 14, 1024, 24, 16, 768)));

    /**
     * The preset with this name ({@code ViT-B/16}; case-insensitive, {@code -} for {@code /} and {@code @336} for
     * {@code @336px} accepted). Throws IllegalArgumentException listing the known names.
     */
    public static Preset preset(String name) {
        String n = normalise(name);
        for (Preset p : PRESETS) if (normalise(p.name()).equals(n)) return p;
        throw new IllegalArgumentException("unknown CLIP preset '" + name + "'; known: "
                + PRESETS.stream().map(Preset::name).collect(Collectors.joining(", ")));
    }

    private static String normalise(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('/', '-');
        return n.endsWith("@336") ? n + "px" : n;
    }

    /**
     * The structure described by a Hugging Face {@code config.json}: a {@code CLIPVisionConfig} (model_type
     * {@code clip_vision_model}) or a whole {@code CLIPConfig} (its {@code vision_config}, and the top-level
     * {@code projection_dim}). {@code hidden_act} must be {@code quick_gelu} or {@code gelu}. A vision config
     * without {@code projection_dim} gives {@code outputDim} 0 (a {@code CLIPVisionModel} has no projection).
     */
    public static ClipVisionConfig fromHfConfig(Path configJson) throws AvSalException {
        Object parsed = Json.parse(configJson);
        if (!(parsed instanceof Map<?, ?> top))
            throw new ModelConfigException(configJson + ": not a JSON object");
        Map<?, ?> v = top.get("vision_config") instanceof Map<?, ?> vc ? vc : top;
        Object proj = top.containsKey("vision_config") ? top.get("projection_dim") : v.get("projection_dim");
        String act = String.valueOf(v.containsKey("hidden_act") ? v.get("hidden_act") : "quick_gelu");
        Activation a = switch (act) {
            case "quick_gelu" -> Activation.QUICK_GELU;
            case "gelu" -> Activation.GELU;
            default -> throw new ModelConfigException(configJson + ": hidden_act '" + act
                    + "' is not supported (quick_gelu or gelu)");
        };
        try {
            int width = intOf(v, "hidden_size", configJson);
            return new ClipVisionConfig(intOf(v, "image_size", configJson), intOf(v, "patch_size", configJson), width,
                    intOf(v, "num_hidden_layers", configJson), intOf(v, "num_attention_heads", configJson),
                    proj == null ? 0 : intOf(Map.of("projection_dim", proj), "projection_dim", configJson),
                    v.containsKey("intermediate_size") ? intOf(v, "intermediate_size", configJson) : 4 * width,
                    v.get("layer_norm_eps") instanceof Number n ? n.doubleValue() : 1e-5, a);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(configJson + ": invalid CLIP vision config: " + e.getMessage());
        }
    }

    private static int intOf(Map<?, ?> m, String key, Path file) throws ModelConfigException {
        Object o = m.get(key);
        if (o instanceof Long l && l > 0 && l <= Integer.MAX_VALUE) return l.intValue();
        throw new ModelConfigException(file + ": '" + key + "' is " + (o == null ? "missing" : "not a positive int: "
                + o));
    }
}
