package dev.avsal.model;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a CLIP ViT image tower in a checkpoint and presents it under OpenAI's {@code visual.*} names without the
 * {@code visual.} prefix. Layouts understood:
 * <ul>
 * <li>OpenAI {@code clip/model.py} and open_clip ({@code [prefix]visual.conv1.weight}, or bare {@code conv1.weight}
 *     for a tower saved alone). open_clip's ViT uses the same names (its blocks hold an nn.MultiheadAttention or a
 *     same-named custom attention); its optional LayerScale ({@code ls_1.gamma}) is not supported and is reported.
 * <li>Hugging Face {@code CLIPVisionModel}, {@code CLIPVisionModelWithProjection} and {@code CLIPModel}
 *     ({@code [prefix]vision_model.*}, {@code [prefix]visual_projection.weight}): q/k/v are concatenated into
 *     {@code in_proj_*}, {@code visual_projection.weight} is transposed into {@code proj}.
 * </ul>
 * Keys under the tower's prefix that have no counterpart are passed through under their file names, so that the
 * mismatch report lists them as unexpected; keys outside it (text tower, other modalities) are ignored.
 */
final class ClipKeys {
    private ClipKeys() {}

    static final String HF_ANCHOR = "vision_model.embeddings.patch_embedding.weight";
    static final String OPENAI_ANCHOR = "visual.conv1.weight";
    private static final Pattern HF_LAYER = Pattern.compile("encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern HF_QKV = Pattern.compile("self_attn\\.([qkv])_proj\\.(weight|bias)");

    /** The tower's tensors by OpenAI name (values read lazily). */
    static Map<String, TensorData> visionWeights(Checkpoint ckpt) throws CheckpointException, ModelConfigException {
        List<String> names = new ArrayList<>(ckpt.tensorNames());
        String hf = findPrefix(names, HF_ANCHOR);
        if (hf != null) return fromHf(ckpt, names, hf);
        String openai = findPrefix(names, OPENAI_ANCHOR);
        String root = openai != null ? openai + "visual." : findBareRoot(ckpt, names);
        if (root == null) {
            throw new ModelConfigException(ckpt.file() + ": no CLIP ViT image tower found (looked for '"
                    + OPENAI_ANCHOR + "' as in OpenAI/open_clip files, '" + HF_ANCHOR + "' as in Hugging Face files, "
                    + "or a bare 'conv1.weight' with 'class_embedding'); first keys: " + head(names));
        }
        if (!ckpt.contains(root + "class_embedding") && (ckpt.contains(root + "attnpool.positional_embedding")
                || names.stream().anyMatch(n -> n.startsWith(root + "layer1.")))) {
            throw new ModelConfigException(ckpt.file() + ": this is a CLIP ResNet image tower (" + root
                    + "attnpool.*); only ViT towers are supported");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String n : names) if (n.startsWith(root)) out.put(n.substring(root.length()), ckpt.tensor(n));
        return out;
    }

    private static String findBareRoot(Checkpoint ckpt, List<String> names) {
        for (String n : names) {
            if (n.equals("conv1.weight") || n.endsWith(".conv1.weight")) {
                String root = n.substring(0, n.length() - "conv1.weight".length());
                if (ckpt.contains(root + "class_embedding")) return root;
            }
        }
        return null;
    }

    /** The text before {@code anchor} in the first name that ends with it at a dot boundary, or null. */
    static String findPrefix(List<String> names, String anchor) {
        for (String n : names) {
            if (n.equals(anchor)) return "";
            if (n.endsWith("." + anchor)) return n.substring(0, n.length() - anchor.length());
        }
        return null;
    }

    private static Map<String, TensorData> fromHf(Checkpoint ckpt, List<String> names, String prefix)
            throws CheckpointException {
        String vm = prefix + "vision_model.";
        Map<String, TensorData> out = new LinkedHashMap<>();
        // per layer: "q.weight" -> tensor, concatenated in q, k, v order below; file keys kept for the report
        Map<Integer, Map<String, TensorData>> qkv = new TreeMap<>();
        Map<TensorData, String> fileKey = new java.util.IdentityHashMap<>();
        for (String n : names) {
            if (n.equals(prefix + "visual_projection.weight")) {
                out.put("proj", DerivedTensors.transpose(ckpt.tensor(n)));
                continue;
            }
            if (!n.startsWith(vm)) continue;
            String k = n.substring(vm.length());
            String mapped = null;
            Matcher m = HF_LAYER.matcher(k);
            if (k.equals("embeddings.position_ids")) {
                continue; // index buffer [0..N), not a weight; saved by older transformers versions
            } else if (k.equals("embeddings.patch_embedding.weight")) {
                mapped = "conv1.weight";
            } else if (k.equals("embeddings.class_embedding")) {
                mapped = "class_embedding";
            } else if (k.equals("embeddings.position_embedding.weight")) {
                mapped = "positional_embedding";
            } else if (k.startsWith("pre_layrnorm.")) {
                mapped = "ln_pre." + k.substring("pre_layrnorm.".length());
            } else if (k.startsWith("post_layernorm.")) {
                mapped = "ln_post." + k.substring("post_layernorm.".length());
            } else if (m.matches()) {
                int layer = Integer.parseInt(m.group(1));
                String rest = m.group(2), block = "transformer.resblocks." + layer + ".";
                Matcher q = HF_QKV.matcher(rest);
                if (q.matches()) {
                    TensorData t = ckpt.tensor(n);
                    fileKey.put(t, n);
                    qkv.computeIfAbsent(layer, x -> new LinkedHashMap<>()).put(q.group(1) + "." + q.group(2), t);
                    continue;
                }
                mapped = rest.startsWith("layer_norm1.") ? block + "ln_1." + rest.substring(12)
                        : rest.startsWith("layer_norm2.") ? block + "ln_2." + rest.substring(12)
                        : rest.startsWith("mlp.fc1.") ? block + "mlp.c_fc." + rest.substring(8)
                        : rest.startsWith("mlp.fc2.") ? block + "mlp.c_proj." + rest.substring(8)
                        : rest.startsWith("self_attn.out_proj.") ? block + "attn.out_proj." + rest.substring(19)
                        : null;
            }
            out.put(mapped != null ? mapped : n, ckpt.tensor(n));
        }
        for (Map.Entry<Integer, Map<String, TensorData>> e : qkv.entrySet()) {
            String block = "transformer.resblocks." + e.getKey() + ".attn.";
            for (String kind : List.of("weight", "bias")) {
                Map<String, TensorData> parts = e.getValue();
                TensorData q = parts.get("q." + kind), k = parts.get("k." + kind), v = parts.get("v." + kind);
                TensorData cat = q != null && k != null && v != null ? DerivedTensors.concat(List.of(q, k, v)) : null;
                if (cat != null) {
                    out.put(block + "in_proj_" + kind, cat);
                } else { // incomplete or inconsistent: leave them visible as unexpected
                    for (TensorData t : new TensorData[] {q, k, v}) if (t != null) out.put(fileKey.get(t), t);
                }
            }
        }
        return out;
    }

    private static String head(List<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names.subList(0, Math.min(5, names.size())))
                + (names.size() > 5 ? ", ..." : "");
    }
}
