package dev.avsal.model.head;

import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything that fixes the shape of an {@link AvSalHead}, stored with exported weights as JSON (safetensors
 * metadata key {@value AvSalHead#CONFIG_METADATA_KEY}; same keys as {@code HeadConfig} in tools/avsal_head.py).
 *
 * <p>AVSal-R choices (the paper states none of them): taps after CLIP blocks 3/6/9/12 (1-based; 0-based resblock
 * indices 2/5/8/11), the DPT convention for a 12-block ViT, evenly spread from low-level to semantic features;
 * d = 128 everywhere; patch size 16 (ViT-B/16). The grid is a default only: the head's weights do not depend on it,
 * so one head serves 224x224 (14x14) and 224x384 (14x24) through {@link AvSalHead#forward(List, long, long,
 * org.bytedeco.pytorch.Tensor, long, long)}.
 *
 * @param taps      four 1-based CLIP block numbers whose outputs feed fusion levels 1..4 (for the encoder side;
 *                  strictly increasing)
 * @param patchSize input pixels per grid cell: the output map is (gridH·patchSize) x (gridW·patchSize)
 * @param gridH     default patch-grid height
 * @param gridW     default patch-grid width
 * @param fusion    the four fusion levels (all alike)
 * @param gru       the ConvGRU on level 4
 * @param decoder   the decoder
 */
public record HeadConfig(List<Integer> taps, int patchSize, int gridH, int gridW,
                         FusionConfig fusion, ConvGruConfig gru, DecoderConfig decoder) {
    /** Number of fusion levels (fixed: the decoder's pyramid has four scales). */
    public static final int LEVELS = 4;

    public HeadConfig {
        if (taps == null || taps.size() != LEVELS)
            throw new IllegalArgumentException("head config: expected " + LEVELS + " taps, got " + taps);
        taps = List.copyOf(taps);
        for (int i = 0; i < LEVELS; i++)
            if (taps.get(i) < 1 || (i > 0 && taps.get(i) <= taps.get(i - 1)))
                throw new IllegalArgumentException("head config: taps must be strictly increasing 1-based block numbers, got " + taps);
        HeadChecks.positive("patchSize", patchSize);
        HeadChecks.positive("gridH", gridH);
        HeadChecks.positive("gridW", gridW);
        if (fusion == null || gru == null || decoder == null) throw new IllegalArgumentException("head config: null part");
        if (gru.dim() != fusion.dim() || decoder.dim() != fusion.dim())
            throw new IllegalArgumentException("head config: fusion, gru and decoder widths differ: "
                    + fusion.dim() + ", " + gru.dim() + ", " + decoder.dim());
    }

    /**
     * CLIP ViT-B/16 taps 3/6/9/12 and ImageBind-huge audio tokens (both 768 wide), d = 128, 4 heads, FFN ratio 2,
     * 3x3 ConvGRU, sigmoid output, for an input of {@code inputH x inputW} pixels (multiples of 16: 224x224 or
     * 224x384).
     */
    public static HeadConfig vitB16(int inputH, int inputW) {
        if (inputH <= 0 || inputW <= 0 || inputH % 16 != 0 || inputW % 16 != 0)
            throw new IllegalArgumentException("head config: input " + inputH + "x" + inputW + " is not a positive multiple of 16");
        int d = 128;
        return new HeadConfig(List.of(3, 6, 9, 12), 16, inputH / 16, inputW / 16,
                FusionConfig.of(768, 768, d), ConvGruConfig.of(d), DecoderConfig.of(d));
    }

    /** {@link #vitB16(int, int)} at 224x224. */
    public static HeadConfig defaults() { return vitB16(224, 224); }

    /** Fused width d. */
    public int dim() { return fusion.dim(); }

    /** Default output height: gridH·patchSize. */
    public int inputH() { return gridH * patchSize; }

    /** Default output width: gridW·patchSize. */
    public int inputW() { return gridW * patchSize; }

    /** The 0-based transformer block indices of the taps (resblock K in OpenAI CLIP's numbering). */
    public int[] tapIndices() { return taps.stream().mapToInt(t -> t - 1).toArray(); }

    /** Compact JSON with sorted keys (the keys of {@code HeadConfig} in tools/avsal_head.py). */
    public String toJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("taps", taps);
        m.put("patch_size", patchSize);
        m.put("grid_h", gridH);
        m.put("grid_w", gridW);
        m.put("visual_width", fusion.visualWidth());
        m.put("audio_width", fusion.audioWidth());
        m.put("dim", fusion.dim());
        m.put("heads", fusion.heads());
        m.put("ffn_ratio", fusion.ffnRatio());
        m.put("eps", fusion.eps());
        m.put("gru_kernel", gru.kernel());
        m.put("output", decoder.output().jsonName());
        return Json.write(m);
    }

    private static final List<String> KEYS = List.of("taps", "patch_size", "grid_h", "grid_w", "visual_width",
            "audio_width", "dim", "heads", "ffn_ratio", "eps", "gru_kernel", "output");

    /**
     * Parses {@link #toJson()} output (or Python's {@code to_json()}). Every key is required; unknown keys are
     * refused, so that a config from a newer head with more options fails loudly instead of building a different
     * function.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static HeadConfig fromJson(String json) {
        Object parsed;
        try {
            parsed = Json.parse(json, "head config JSON");
        } catch (JsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException("head config JSON: not an object");
        for (Object k : m.keySet())
            if (!KEYS.contains(k)) throw new IllegalArgumentException("head config JSON: unknown key '" + k + "'");
        for (String k : KEYS)
            if (!m.containsKey(k)) throw new IllegalArgumentException("head config JSON: missing key '" + k + "'");
        if (!(m.get("taps") instanceof List<?> rawTaps))
            throw new IllegalArgumentException("head config JSON: 'taps' is not a list");
        List<Integer> taps = new ArrayList<>();
        for (Object o : rawTaps) taps.add(toInt("taps", o));
        if (!(m.get("output") instanceof String out))
            throw new IllegalArgumentException("head config JSON: 'output' is not a string");
        int d = toInt("dim", m.get("dim"));
        return new HeadConfig(taps, toInt("patch_size", m.get("patch_size")), toInt("grid_h", m.get("grid_h")),
                toInt("grid_w", m.get("grid_w")),
                new FusionConfig(toInt("visual_width", m.get("visual_width")), toInt("audio_width", m.get("audio_width")),
                        d, toInt("heads", m.get("heads")), toInt("ffn_ratio", m.get("ffn_ratio")), toDouble("eps", m.get("eps"))),
                new ConvGruConfig(d, toInt("gru_kernel", m.get("gru_kernel"))),
                new DecoderConfig(d, OutputNormalization.fromJson(out)));
    }

    private static int toInt(String key, Object o) {
        if (o instanceof Long l && l == (int) (long) l) return (int) (long) l;
        throw new IllegalArgumentException("head config JSON: '" + key + "' is not an integer: " + o);
    }

    private static double toDouble(String key, Object o) {
        if (o instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("head config JSON: '" + key + "' is not a number: " + o);
    }
}
