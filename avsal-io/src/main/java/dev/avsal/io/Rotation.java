package dev.avsal.io;

/** Rotates interleaved RGB images by multiples of 90 degrees clockwise. Stateless. */
final class Rotation {
    private Rotation() {}

    /** Image of w x h pixels rotated clockwise by deg (90, 180, 270); the result is h x w for 90 and 270. */
    static byte[] rotate(byte[] src, int w, int h, int deg) {
        byte[] dst = new byte[src.length];
        switch (deg) {
            case 90 -> { // display (x', y') shows source (y', h-1-x'); output width is h
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) copy(src, (y * w + x) * 3, dst, (x * h + (h - 1 - y)) * 3);
            }
            case 180 -> {
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) copy(src, (y * w + x) * 3, dst, ((h - 1 - y) * w + (w - 1 - x)) * 3);
            }
            case 270 -> { // display (x', y') shows source (w-1-y', x'); output width is h
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) copy(src, (y * w + x) * 3, dst, ((w - 1 - x) * h + y) * 3);
            }
            default -> throw new IllegalArgumentException("rotation " + deg);
        }
        return dst;
    }

    private static void copy(byte[] s, int si, byte[] d, int di) {
        d[di] = s[si];
        d[di + 1] = s[si + 1];
        d[di + 2] = s[si + 2];
    }
}
