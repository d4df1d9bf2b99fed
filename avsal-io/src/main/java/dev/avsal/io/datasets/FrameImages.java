package dev.avsal.io.datasets;

import dev.avsal.data.DatasetException;
import dev.avsal.metrics.Map2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Ground-truth images (PNG 8/16-bit, JPEG) as grey maps. Stateless. */
final class FrameImages {
    private FrameImages() {}

    /**
     * The image as a map: grey images as stored (0..255 or 0..65535), colour images as the mean of R, G and B
     * (AIM bench.py's {@code xrgb2gray}; OpenCV's channel order does not change a mean).
     */
    static Map2D grey(Path file) throws DatasetException {
        BufferedImage img;
        try {
            if (!Files.isRegularFile(file)) throw new DatasetException(file + ": no such file");
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read the image: " + e.getMessage(), e);
        }
        if (img == null) throw new DatasetException(file + ": not a PNG or JPEG image");
        int w = img.getWidth(), h = img.getHeight();
        if ((long) w * h > 100_000_000L) throw new DatasetException(file + ": " + w + "x" + h + " is too large for a map");
        Raster r = img.getRaster();
        int bands = Math.min(3, r.getNumBands());
        double[] d = new double[w * h];
        double[] px = new double[r.getNumBands()];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                double s = 0;
                for (int b = 0; b < bands; b++) s += px[b];
                d[y * w + x] = bands == 2 ? px[0] : s / bands;   // grey + alpha: the grey band
            }
        return new Map2D(w, h, d);
    }
}
