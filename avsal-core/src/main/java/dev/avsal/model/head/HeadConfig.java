package dev.avsal.model.head;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /** Flat JSON with sorted keys, as {@code HeadConfig.to_json()} in tools/avsal_head.py writes it. */
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
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (b.length() > 1) b.append(", ");
            b.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            b.append(v instanceof String s ? "\"" + s + "\"" : v.toString().replace(" ", ""));
        }
        return b.append('}').toString();
    }

    /**
     * Parses {@link #toJson()} output (or Python's). Every key is required; unknown keys are refused so that a
     * config from a newer head with more options fails loudly instead of building a different function.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static HeadConfig fromJson(String json) {
        Map<String, Object> m = FlatJson.parse(json);
        List<String> known = List.of("taps", "patch_size", "grid_h", "grid_w", "visual_width", "audio_width", "dim",
                "heads", "ffn_ratio", "eps", "gru_kernel", "output");
        for (String k : m.keySet())
            if (!known.contains(k)) throw new IllegalArgumentException("head config JSON: unknown key '" + k + "'");
        for (String k : known)
            if (!m.containsKey(k)) throw new IllegalArgumentException("head config JSON: missing key '" + k + "'");
        if (!(m.get("taps") instanceof List<?> rawTaps))
            throw new IllegalArgumentException("head config JSON: 'taps' is not a list");
        List<Integer> taps = new ArrayList<>();
        for (Object o : rawTaps) taps.add(FlatJson.toInt("taps", o));
        int d = FlatJson.toInt("dim", m.get("dim"));
        if (!(m.get("output") instanceof String out)) throw new IllegalArgumentException("head config JSON: 'output' is not a string");
        return new HeadConfig(taps, FlatJson.toInt("patch_size", m.get("patch_size")),
                FlatJson.toInt("grid_h", m.get("grid_h")), FlatJson.toInt("grid_w", m.get("grid_w")),
                new FusionConfig(FlatJson.toInt("visual_width", m.get("visual_width")),
                        FlatJson.toInt("audio_width", m.get("audio_width")), d, FlatJson.toInt("heads", m.get("heads")),
                        FlatJson.toInt("ffn_ratio", m.get("ffn_ratio")), FlatJson.toDouble("eps", m.get("eps"))),
                new ConvGruConfig(d, FlatJson.toInt("gru_kernel", m.get("gru_kernel"))),
                new DecoderConfig(d, OutputNormalization.fromJson(out)));
    }

    /** A parser for one flat JSON object of numbers, strings, booleans, null and lists of those. */
    static final class FlatJson {
        private final String s;
        private int i;

        private FlatJson(String s) { this.s = s; }

        static Map<String, Object> parse(String json) {
            if (json == null) throw new IllegalArgumentException("head config JSON: null");
            FlatJson p = new FlatJson(json);
            Map<String, Object> m = new LinkedHashMap<>();
            p.expect('{');
            if (!p.peek('}')) {
                do {
                    String k = p.string();
                    p.expect(':');
                    if (m.put(k, p.value(true)) != null) throw p.error("duplicate key '" + k + "'");
                } while (p.accept(','));
            }
            p.expect('}');
            p.ws();
            if (p.i != json.length()) throw p.error("trailing characters");
            return m;
        }

        private Object value(boolean allowList) {
            ws();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            if (c == '"') return string();
            if (c == '[' && allowList) {
                List<Object> l = new ArrayList<>();
                i++;
                if (!peek(']')) do l.add(value(false)); while (accept(','));
                expect(']');
                return l;
            }
            for (String lit : new String[] {"true", "false", "null"})
                if (s.startsWith(lit, i)) {
                    i += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String num = s.substring(start, i);
            try {
                return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
            } catch (NumberFormatException e) {
                throw error("bad value '" + num + "'");
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') throw error("escapes are not supported");
                b.append(c);
            }
            expect('"');
            return b.toString();
        }

        private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        private boolean peek(char c) { ws(); return i < s.length() && s.charAt(i) == c; }

        private boolean accept(char c) {
            if (!peek(c)) return false;
            i++;
            return true;
        }

        private void expect(char c) { if (!accept(c)) throw error("expected '" + c + "'"); }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("head config JSON: " + what + " at character " + i);
        }

        static int toInt(String key, Object o) {
            if (o instanceof Long l && l == (int) (long) l) return (int) (long) l;
            throw new IllegalArgumentException("head config JSON: '" + key + "' is not an integer: " + o);
        }

        static double toDouble(String key, Object o) {
            if (o instanceof Number n) return n.doubleValue();
            throw new IllegalArgumentException("head config JSON: '" + key + "' is not a number: " + o);
        }
    }
}
