package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.swscale.*;

/**
 * The swscale filter used to resize frames to the model input. When shrinking, swscale widens every filter by the
 * scale factor, so all of these are antialiased (like PIL's resize), not point-sampled.
 */
public enum ResizeFilter {
    /** Triangle filter. */
    BILINEAR(SWS_BILINEAR),
    /**
     * swscale's bicubic (B = 0, C = 0.6): the default. Closest to Pillow's BICUBIC (CLIP-style training): on the
     * preprocessing fixtures the mean difference is 0.2 levels (max 9).
     */
    BICUBIC(SWS_BICUBIC),
    /** Box filter averaging the covered source pixels. */
    AREA(SWS_AREA),
    /** Lanczos, sharpest and slowest. */
    LANCZOS(SWS_LANCZOS);

    final int swsFlag;

    ResizeFilter(int swsFlag) { this.swsFlag = swsFlag; }
}
