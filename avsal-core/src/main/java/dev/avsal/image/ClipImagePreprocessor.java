package dev.avsal.image;

import java.util.Objects;

/**
 * CLIP's image preprocessing (openai/CLIP {@code clip.py::_transform}, identical to ImageBind's vision transform):
 * {@code Resize(n, BICUBIC)} of the shorter side, {@code CenterCrop(n)}, {@code ToTensor()} (/255) and
 * {@code Normalize(CLIP_MEAN, CLIP_STD)}, giving float {@code [3][H][W]} (CHW, row-major) as torchvision computes it
 * on a PIL image:
 * <ul>
 *   <li>resize: shorter side to n, longer side {@code int(n * long / short)} (torchvision's rule), with
 *       {@link PilResize} (Pillow bicubic); no resize when the size already matches;</li>
 *   <li>centre crop: {@code top = int(round((h - n) / 2.0))}, likewise {@code left} (Python rounds half to even);</li>
 *   <li>{@code (v / 255f - mean[c]) / std[c]} in float32, i.e. the same float operations as torchvision.</li>
 * </ul>
 * {@link ExactSize} instead resizes straight to H x W without cropping (e.g. 224 x 384 for wide frames).
 *
 * <p>Immutable and thread-safe. The resampling plan for the most recent source size is cached, so a stream of
 * equally sized video frames computes its filter weights once.
 */
public final class ClipImagePreprocessor {
    /** CLIP's per-channel mean (R, G, B) from {@code clip.py}. */
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's per-channel std (R, G, B) from {@code clip.py}. */
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /** Largest accepted output side. */
    public static final int MAX_OUTPUT_SIDE = 8192;
    // value of each byte after ToTensor + Normalize, per channel: the whole normalisation is a lookup
    private static final float[][] LUT = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) for (int v = 0; v < 256; v++) LUT[c][v] = ((float) v / 255f - MEAN[c]) / STD[c];
    }

    /** How the image is brought to the output size. */
    public sealed interface Mode permits CenterCrop, ExactSize {}

    /** CLIP's transform: shorter side to {@code size}, then the central {@code size x size}. */
    public record CenterCrop(int size) implements Mode {
        public CenterCrop {
            if (size < 1 || size > MAX_OUTPUT_SIDE) {
                throw new IllegalArgumentException("crop size must be in [1, " + MAX_OUTPUT_SIDE + "], got " + size);
            }
        }
    }

    /** Resize to exactly {@code height x width} (aspect ratio not kept), no crop. */
    public record ExactSize(int height, int width) implements Mode {
        public ExactSize {
            if (height < 1 || width < 1 || height > MAX_OUTPUT_SIDE || width > MAX_OUTPUT_SIDE) {
                throw new IllegalArgumentException("output size " + height + "x" + width + " (HxW) is out of range:"
                        + " each side must be in [1, " + MAX_OUTPUT_SIDE + "]");
            }
        }
    }

    private final Mode mode;
    private final int outW, outH;
    private volatile PilResize cached;

    public ClipImagePreprocessor(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (mode instanceof CenterCrop c) {
            outW = outH = c.size();
        } else {
            ExactSize e = (ExactSize) mode;
            outW = e.width();
            outH = e.height();
        }
    }

    /** CLIP's transform at n x n (224 for ViT-B/16 and ImageBind, 336 for ViT-L/14@336). */
    public static ClipImagePreprocessor centerCrop(int n) { return new ClipImagePreprocessor(new CenterCrop(n)); }

    /** Resize to height x width without cropping. */
    public static ClipImagePreprocessor exactSize(int height, int width) {
        return new ClipImagePreprocessor(new ExactSize(height, width));
    }

    public Mode mode() { return mode; }
    public int outputWidth() { return outW; }
    public int outputHeight() { return outH; }
    /** Floats per image: {@code 3 * H * W}. */
    public int outputLength() { return 3 * outW * outH; }

    /** CLIP's mean (R, G, B), a copy. */
    public static float[] clipMean() { return MEAN.clone(); }

    /** CLIP's std (R, G, B), a copy. */
    public static float[] clipStd() { return STD.clone(); }

    /** The resized (and cropped) 8-bit image, before ToTensor/Normalize. */
    public RgbImage resize(RgbImage image) {
        Objects.requireNonNull(image, "image");
        return plan(image.width(), image.height()).apply(image);
    }

    /** The normalised float tensor {@code [3][H][W]}. */
    public float[] preprocess(RgbImage image) {
        float[] out = new float[outputLength()];
        preprocess(image, out, 0);
        return out;
    }

    /** As {@link #preprocess(RgbImage)}, writing {@link #outputLength()} floats at {@code out[offset]} (batching). */
    public void preprocess(RgbImage image, float[] out, int offset) {
        Objects.requireNonNull(out, "out");
        Objects.checkFromIndexSize(offset, outputLength(), out.length);
        normalize(resize(image), out, offset);
    }

    /**
     * ToTensor + Normalize of an 8-bit image of any size into CHW floats at {@code out[offset]}
     * ({@code 3 * w * h} values).
     */
    public static void normalize(RgbImage image, float[] out, int offset) {
        int plane = image.width() * image.height();
        Objects.checkFromIndexSize(offset, 3 * plane, out.length);
        byte[] rgb = image.rgb();
        float[] l0 = LUT[0], l1 = LUT[1], l2 = LUT[2];
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            out[offset + i] = l0[rgb[p] & 0xFF];
            out[offset + plane + i] = l1[rgb[p + 1] & 0xFF];
            out[offset + 2 * plane + i] = l2[rgb[p + 2] & 0xFF];
        }
    }

    /** The resampling plan for a source size (cached for the latest size). */
    PilResize plan(int srcW, int srcH) {
        PilResize p = cached;
        if (p != null && p.sourceWidth() == srcW && p.sourceHeight() == srcH) return p;
        RgbImage.checkSize("source image", srcW, srcH);
        if (mode instanceof CenterCrop c) {
            int n = c.size();
            int rw, rh;
            if (srcW <= srcH) {
                rw = n;
                rh = (int) ((double) ((long) n * srcH) / srcW);
            } else {
                rh = n;
                rw = (int) ((double) ((long) n * srcW) / srcH);
            }
            if (rw > RgbImage.MAX_SIDE || rh > RgbImage.MAX_SIDE) {
                throw new IllegalArgumentException("source image " + srcW + "x" + srcH + " is too elongated: resizing"
                        + " its shorter side to " + n + " gives " + rw + "x" + rh);
            }
            int top = (int) Math.rint((rh - n) / 2.0), left = (int) Math.rint((rw - n) / 2.0);
            p = PilResize.of(srcW, srcH, rw, rh, left, top, n, n);
        } else {
            p = PilResize.of(srcW, srcH, outW, outH);
        }
        cached = p;
        return p;
    }
}
