package dev.avsal.predict;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.TensorData;
import dev.avsal.model.ModelConfigException;
import dev.avsal.model.head.ConvGruConfig;
import dev.avsal.model.head.DecoderConfig;
import dev.avsal.model.head.FusionConfig;
import dev.avsal.model.head.HeadConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds an AVSal-R head in a PyTorch checkpoint written by tools/avsal_head.py users, whatever wraps it: the head's
 * keys ({@code fusion.*}, {@code gru.*}, {@code decoder.*}) are taken after whatever prefix precedes
 * {@code fusion.0.visual_proj.weight} ({@code module.} from DistributedDataParallel, {@code _orig_mod.} from
 * torch.compile, {@code state_dict.model.head.} from Lightning, ...). Other keys (encoders, optimizer state) are
 * ignored. Internal API; stateless and thread-safe.
 */
public final class HeadCheckpoints {
    /** The key whose prefix locates the head. */
    public static final String ANCHOR = "fusion.0.visual_proj.weight";
    private static final List<String> PARTS = List.of("fusion.", "gru.", "decoder.");
    private static final List<String> CONFIG_KEYS = List.of("__metadata__.avsal.config", "avsal.config", "head_config",
            "config");

    private HeadCheckpoints() {}

    /** The prefix before {@link #ANCHOR} in the checkpoint's first key that ends with it (at a dot), or null. */
    public static String prefix(Checkpoint ckpt) {
        for (String n : ckpt.tensorNames()) {
            if (n.equals(ANCHOR)) return "";
            if (n.endsWith("." + ANCHOR)) return n.substring(0, n.length() - ANCHOR.length());
        }
        return null;
    }

    /** The head's tensors under their own names (the prefix removed). */
    public static Map<String, TensorData> headTensors(Checkpoint ckpt) throws CheckpointException, ModelConfigException {
        String prefix = prefix(ckpt);
        if (prefix == null)
            throw new ModelConfigException(ckpt.file() + ": no AVSal-R head found (no key ending in '" + ANCHOR
                    + "'); first keys: " + ckpt.tensorNames().stream().limit(5).toList());
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String n : ckpt.tensorNames()) {
            if (!n.startsWith(prefix)) continue;
            String k = n.substring(prefix.length());
            if (PARTS.stream().anyMatch(k::startsWith)) out.put(k, ckpt.tensor(n));
        }
        return out;
    }

    /**
     * A head config stored beside the weights, if any: a string entry {@code config}, {@code head_config} or
     * {@code avsal.config} (at the top, beside the head's prefix, or in safetensors metadata) holding
     * {@code HeadConfig.to_json()} output.
     *
     * @throws ModelConfigException if such an entry exists but is not a valid head config
     */
    public static HeadConfig storedConfig(Checkpoint ckpt) throws ModelConfigException {
        String prefix = prefix(ckpt);
        Map<String, Object> meta = ckpt.metadata();
        for (String key : CONFIG_KEYS) {
            for (String k : prefix == null || prefix.isEmpty() ? List.of(key, "__metadata__." + key)
                    : List.of(prefix + key, key, "__metadata__." + key)) {
                if (meta.get(k) instanceof String s) {
                    try {
                        return HeadConfig.fromJson(s);
                    } catch (IllegalArgumentException e) {
                        throw new ModelConfigException(ckpt.file() + ": entry '" + k + "' is not a valid head config: " + e.getMessage());
                    }
                }
            }
        }
        return null;
    }

    /**
     * The head config implied by the weight shapes: visual and audio widths and d from the projections, the FFN
     * ratio, the GRU kernel. What the weights do not record (taps, patch size, grid, attention heads, LayerNorm
     * eps, output normalisation) comes from {@code base}.
     */
    public static HeadConfig inferConfig(Map<String, TensorData> w, HeadConfig base, String source) throws ModelConfigException {
        long[] vp = shape(w, "fusion.0.visual_proj.weight", 2, source);
        long[] ap = shape(w, "fusion.0.audio_proj.weight", 2, source);
        long[] ffn = shape(w, "fusion.0.ffn.0.weight", 2, source);
        long[] gx = shape(w, "gru.conv_x.weight", 4, source);
        long d = vp[0];
        if (ap[0] != d || ffn[1] != d || ffn[0] % d != 0 || gx[0] != 3 * d || gx[1] != d || gx[2] != gx[3])
            throw new ModelConfigException(source + ": inconsistent head shapes: visual_proj " + Arrays.toString(vp)
                    + ", audio_proj " + Arrays.toString(ap) + ", ffn.0 " + Arrays.toString(ffn) + ", gru.conv_x "
                    + Arrays.toString(gx));
        FusionConfig bf = base.fusion();
        int heads = d % bf.heads() == 0 ? bf.heads() : 1;
        try {
            int di = Math.toIntExact(d);
            return new HeadConfig(base.taps(), base.patchSize(), base.gridH(), base.gridW(),
                    new FusionConfig(Math.toIntExact(vp[1]), Math.toIntExact(ap[1]), di, heads, Math.toIntExact(ffn[0] / d), bf.eps()),
                    new ConvGruConfig(di, Math.toIntExact(gx[2])), new DecoderConfig(di, base.decoder().output()));
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(source + ": cannot build a head config from the weights: " + e.getMessage());
        }
    }

    private static long[] shape(Map<String, TensorData> w, String key, int rank, String source) throws ModelConfigException {
        TensorData t = w.get(key);
        if (t == null) throw new ModelConfigException(source + ": head weight '" + key + "' is missing");
        long[] s = t.shape();
        if (s.length != rank)
            throw new ModelConfigException(source + ": head weight " + key + " has shape " + Arrays.toString(s) + ", expected " + rank + "-d");
        return s;
    }
}
