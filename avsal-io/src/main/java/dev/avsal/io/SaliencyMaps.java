package dev.avsal.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Writes one saliency map (row-major floats, {@code height} rows of {@code width}) as a grayscale PNG, 8-bit or
 * 16-bit, through javax.imageio (works headless). Values are scaled by {@link MapScaling} and rounded to the
 * nearest level (0..255 or 0..65535). Files are written under a temporary name and renamed when complete; an
 * existing file is replaced only when {@code overwrite} is true. Stateless and thread-safe.
 */
public final class SaliencyMaps {
    private SaliencyMaps() {}

    /**
     * The conventional name of frame {@code index}'s map in a directory: {@code frame_000123.png} (six digits or
     * more, so names sort in frame order).
     */
    public static Path frameFile(Path dir, long index, String extension) {
        if (index < 0) throw new IllegalArgumentException("frame index " + index);
        return dir.resolve(String.format("frame_%06d.%s", index, extension));
    }

    /** 8-bit grayscale PNG. */
    public static void writePng8(Path file, float[] map, int width, int height, MapScaling scaling,
            boolean overwrite) throws IOException {
        float[] v = MapScaling.apply(scaling, check(map, width, height));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) px[i] = (byte) Math.round(v[i] * 255.0);
        writePng(file, img, overwrite);
    }

    /** 16-bit grayscale PNG (65536 levels: keeps the precision of smooth maps). */
    public static void writePng16(Path file, float[] map, int width, int height, MapScaling scaling,
            boolean overwrite) throws IOException {
        float[] v = MapScaling.apply(scaling, check(map, width, height));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        short[] px = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) px[i] = (short) Math.round(v[i] * 65535.0);
        writePng(file, img, overwrite);
    }

    /** Raw float32 map as a NumPy .npy file of shape (height, width) (see {@link Npy}). */
    public static void writeNpy(Path file, float[] map, int width, int height, boolean overwrite) throws IOException {
        Npy.write(file, check(map, width, height), new int[] {height, width}, overwrite);
    }

    private static void writePng(Path file, BufferedImage img, boolean overwrite) throws IOException {
        AtomicFiles.checkTarget(file, overwrite);
        Path tmp = AtomicFiles.temp(file);
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException(file + ": no PNG writer in this JVM");
            AtomicFiles.commit(tmp, file, overwrite);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.discard(tmp);
            throw e;
        }
    }

    static float[] check(float[] map, int width, int height) {
        Objects.requireNonNull(map, "map");
        if (width < 1 || height < 1 || (long) width * height != map.length) {
            throw new IllegalArgumentException("map has " + map.length + " values, not " + width + "x" + height);
        }
        return map;
    }
}
