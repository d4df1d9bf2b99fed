package dev.avsal.io;

/** How float saliency values become pixel values in images and videos. */
public enum MapScaling {
    /** Values are taken as already in [0, 1] (e.g. a sigmoid output) and clamped to it. */
    CLAMP,
    /** Each map is stretched to [0, 1] by its own minimum and maximum (a constant map becomes 0). */
    MIN_MAX;

    /** The value of map[i] in [0, 1] under this scaling; NaN counts as 0. */
    static float[] apply(MapScaling s, float[] map) {
        float[] out = new float[map.length];
        float lo = 0, scale = 1;
        if (s == MIN_MAX) {
            float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
            for (float v : map) {
                if (v < min) min = v;
                if (v > max) max = v;
            }
            lo = min;
            scale = max > min ? 1f / (max - min) : 0f;
        }
        for (int i = 0; i < map.length; i++) {
            float v = (map[i] - lo) * scale;
            out[i] = v > 0 ? (v < 1 ? v : 1) : 0; // NaN fails both tests: 0
        }
        return out;
    }
}
