package dev.avsal.io;

/** Pixel work shared by the video writers: map resizing, colouring and blending. Stateless. */
final class MapImages {
    private MapImages() {}

    /**
     * Bilinear resize of a w x h map to ow x oh with pixel centres aligned (half-pixel convention, edges clamped),
     * as OpenCV's INTER_LINEAR and PyTorch's align_corners=False do when enlarging.
     */
    static float[] resize(float[] map, int w, int h, int ow, int oh) {
        if (w == ow && h == oh) return map;
        float[] out = new float[ow * oh];
        int[] x0 = new int[ow], x1 = new int[ow];
        float[] fx = new float[ow];
        for (int x = 0; x < ow; x++) {
            double sx = Math.min(Math.max((x + 0.5) * w / ow - 0.5, 0), w - 1);
            x0[x] = (int) sx;
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = (float) (sx - x0[x]);
        }
        for (int y = 0; y < oh; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / oh - 0.5, 0), h - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            float fy = (float) (sy - y0);
            int r0 = y0 * w, r1 = y1 * w, o = y * ow;
            for (int x = 0; x < ow; x++) {
                float top = map[r0 + x0[x]] + (map[r0 + x1[x]] - map[r0 + x0[x]]) * fx[x];
                float bot = map[r1 + x0[x]] + (map[r1 + x1[x]] - map[r1 + x0[x]]) * fx[x];
                out[o + x] = top + (bot - top) * fy;
            }
        }
        return out;
    }

    /** Values in [0, 1] through a colormap to RGB bytes. */
    static byte[] colour(float[] v, Colormap cm) {
        byte[] rgb = new byte[v.length * 3];
        for (int i = 0; i < v.length; i++) {
            int k = Colormap.index(v[i]);
            rgb[i * 3] = (byte) cm.channel(k, 0);
            rgb[i * 3 + 1] = (byte) cm.channel(k, 1);
            rgb[i * 3 + 2] = (byte) cm.channel(k, 2);
        }
        return rgb;
    }

    /**
     * Blends the colormap of v over frame in place: {@code out = (1 - a) frame + a colour(v)} with
     * {@code a = alpha}, or {@code a = alpha * v} when bySaliency (non-salient areas keep the original picture).
     */
    static void overlay(byte[] frame, float[] v, Colormap cm, float alpha, boolean bySaliency) {
        for (int i = 0; i < v.length; i++) {
            int k = Colormap.index(v[i]);
            float a = bySaliency ? alpha * k / 255f : alpha;
            for (int c = 0; c < 3; c++) {
                int p = i * 3 + c;
                frame[p] = (byte) Math.round((frame[p] & 0xFF) * (1 - a) + cm.channel(k, c) * a);
            }
        }
    }
}
