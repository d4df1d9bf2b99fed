package dev.avsal.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved {@code R G B R G B ...}: the value of channel c at
 * (x, y) is {@code rgb[(y * width + x) * 3 + c] & 0xFF}.
 *
 * <p>The array is not copied (frames are large and produced per video frame): whoever builds an RgbImage hands the
 * array over and must not change it afterwards. Immutable in that sense, hence safe to share between threads.
 *
 * @param width  pixels per row, in [1, {@link #MAX_SIDE}]
 * @param height rows, in [1, {@link #MAX_SIDE}]
 * @param rgb    {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
    /** Largest accepted width or height. */
    public static final int MAX_SIDE = 1 << 15;
    /** Largest accepted pixel count (the byte array must fit in a Java array). */
    public static final long MAX_PIXELS = (Integer.MAX_VALUE - 16) / 3;

    public RgbImage {
        checkSize("image", width, height);
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, a " + width + "x" + height
                    + " RGB image needs " + (width * height * 3));
        }
    }

    /** Throws IllegalArgumentException naming {@code what} unless width and height are acceptable image sides. */
    static void checkSize(String what, int width, int height) {
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException(what + " size " + width + "x" + height + " is out of range: each side "
                    + "must be in [1, " + MAX_SIDE + "]");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException(what + " size " + width + "x" + height + " has more than "
                    + MAX_PIXELS + " pixels");
        }
    }

    /** Channel c (0 R, 1 G, 2 B) at (x, y), 0..255. */
    public int get(int x, int y, int c) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(c, 3);
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** An image filled with one colour. */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        checkSize("image", width, height);
        byte[] a = new byte[width * height * 3];
        for (int i = 0; i < a.length; i += 3) {
            a[i] = (byte) r;
            a[i + 1] = (byte) g;
            a[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, a);
    }

    /**
     * Reads a PNG, JPEG (or any format javax.imageio reads) into RGB the way {@code PIL.Image.open(f).convert("RGB")}
     * does: the file's raw sample values, without colour management (no ICC profile, gamma or gray-to-sRGB
     * conversion is applied); gray is replicated to R, G and B; alpha is dropped (not composited); palettes are
     * looked up; 16-bit samples keep their high byte (as Pillow does for 16-bit RGB; for 16-bit gray Pillow clips
     * to 255 instead). JPEG decoding is the JDK's (IJG libjpeg, islow IDCT, fancy
     * upsampling), which usually but not provably equals Pillow's libjpeg-turbo to the bit. EXIF orientation is
     * ignored, as Pillow ignores it on open.
     *
     * @throws IOException naming the file if it cannot be read, is not an image, or has a colour space other than
     *     gray or RGB (e.g. CMYK JPEG)
     */
    public static RgbImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        BufferedImage img;
        try (ImageInputStream iis = new FileImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) throw new IOException(file + ": not an image format javax.imageio can read");
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                // check the size before decoding, so that a huge image fails cleanly instead of exhausting memory
                checkSize("image", reader.getWidth(0), reader.getHeight(0));
                img = reader.read(0);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + ": cannot decode " + reader.getFormatName() + " image: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
        try {
            return fromBufferedImage(img);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The raw samples of a BufferedImage as RGB (see {@link #read}): the raster is read directly, so the colour
     * space's conversion (e.g. linear-gray or ICC) is not applied.
     *
     * @throws IllegalArgumentException for colour spaces other than gray and RGB, or unsupported sizes
     */
    public static RgbImage fromBufferedImage(BufferedImage img) {
        Objects.requireNonNull(img, "image");
        int w = img.getWidth(), h = img.getHeight();
        checkSize("image", w, h);
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            byte[][] lut = new byte[3][size];
            for (int i = 0; i < size; i++) {
                lut[0][i] = (byte) icm.getRed(i);
                lut[1][i] = (byte) icm.getGreen(i);
                lut[2][i] = (byte) icm.getBlue(i);
            }
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int idx = Math.min(row[x], size - 1), o = (y * w + x) * 3;
                    out[o] = lut[0][idx];
                    out[o + 1] = lut[1][idx];
                    out[o + 2] = lut[2][idx];
                }
            }
            return new RgbImage(w, h, out);
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        boolean gray = type == ColorSpace.TYPE_GRAY && colours == 1;
        if (!gray && !(type == ColorSpace.TYPE_RGB && colours == 3)) {
            throw new IllegalArgumentException("unsupported colour space (type " + type + ", " + colours
                    + " colour components); only gray and RGB images are supported");
        }
        for (int c = 0; c < 3; c++) {
            int band = gray ? 0 : c;
            int bits = r.getSampleModel().getSampleSize(band);
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, band, row);
                for (int x = 0; x < w; x++) out[(y * w + x) * 3 + c] = (byte) to8Bit(row[x], bits);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Scales a sample of {@code bits} bits to 8 bits: high byte of wider samples, replication for narrower ones. */
    private static int to8Bit(int v, int bits) {
        if (bits == 8) return v;
        if (bits > 8) return v >>> (bits - 8);
        return (int) Math.round(v * 255.0 / ((1 << bits) - 1));
    }

    /** This image as a TYPE_3BYTE_BGR BufferedImage (e.g. to write it with ImageIO). */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        int[] row = new int[width * 3];
        for (int y = 0; y < height; y++) {
            for (int i = 0; i < row.length; i++) row[i] = rgb[y * width * 3 + i] & 0xFF;
            img.getRaster().setPixels(0, y, width, 1, row);
        }
        return img;
    }

    /** Writes this image as a PNG. */
    public void writePng(Path file) throws IOException {
        if (!ImageIO.write(toBufferedImage(), "png", file.toFile())) throw new IOException(file + ": no PNG writer");
    }

    @Override
    public String toString() { return "RgbImage[" + width + "x" + height + "]"; }
}
