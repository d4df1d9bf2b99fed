package dev.avsal.io;

/**
 * Maps values in [0, 1] to colours. VIRIDIS and INFERNO are the perceptually uniform maps of matplotlib (van der
 * Walt and Smith), reproduced here by linear interpolation between ten published sample colours (the ones R's
 * viridisLite lists for n = 10); lightness increases monotonically, so brighter always means more salient, also
 * for colour-blind viewers and in grayscale print. Immutable, thread-safe.
 */
public enum Colormap {
    /** Black to white. */
    GRAY(0x000000, 0xFFFFFF),
    /** Dark purple, blue, green, yellow. */
    VIRIDIS(0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725),
    /** Black, purple, red, orange, pale yellow: the usual saliency heatmap look (default for overlays). */
    INFERNO(0x000004, 0x1B0C42, 0x4B0C6B, 0x781C6D, 0xA52C60, 0xCF4446, 0xED6925, 0xFB9A06, 0xF7D03C, 0xFCFFA4);

    private final byte[] lut = new byte[256 * 3];

    Colormap(int... anchors) {
        for (int i = 0; i < 256; i++) {
            double pos = i / 255.0 * (anchors.length - 1);
            int k = Math.min((int) pos, anchors.length - 2);
            double f = pos - k;
            for (int c = 0; c < 3; c++) {
                int a = anchors[k] >> (16 - 8 * c) & 0xFF, b = anchors[k + 1] >> (16 - 8 * c) & 0xFF;
                lut[i * 3 + c] = (byte) Math.round(a + (b - a) * f);
            }
        }
    }

    /** 0xRRGGBB of v (clamped to [0, 1]; NaN as 0), quantised to 256 levels. */
    public int rgb(double v) {
        int i = index(v);
        return (lut[i * 3] & 0xFF) << 16 | (lut[i * 3 + 1] & 0xFF) << 8 | (lut[i * 3 + 2] & 0xFF);
    }

    static int index(double v) { return v > 0 ? (v < 1 ? (int) Math.round(v * 255) : 255) : 0; }

    /** Channel c (0 R, 1 G, 2 B) of level i in 0..255. */
    int channel(int i, int c) { return lut[i * 3 + c] & 0xFF; }
}
