package dev.avsal.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.metrics.Map2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapFilesTest {
    @TempDir Path tmp;

    @Test
    void formatsAndScales() throws Exception {
        double[] v = {0, 1, 2, 255, 7, 128};
        EvalData.npy(tmp.resolve("u.npy"), "u1", new int[] {2, 3}, v);
        EvalData.npy(tmp.resolve("f.npy"), "f4", new int[] {2, 3}, new double[] {0.5, -1, 3.25, 0, 1e-3, 2});
        EvalData.npy(tmp.resolve("d.npy"), "f8", new int[] {3, 2}, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
        Map2D u = MapFiles.read(tmp.resolve("u.npy"));
        assertEquals(3, u.width());
        assertEquals(2, u.height());
        assertArrayEquals(v, u.data(), 0.0);
        assertEquals(128 / 255.0, MapFiles.read(tmp.resolve("u.npy"), true).get(2, 1), 0.0);
        assertArrayEquals(new double[] {0.5, -1, 3.25, 0, (float) 1e-3, 2}, MapFiles.read(tmp.resolve("f.npy"), true).data(), 0.0);
        Map2D d = MapFiles.read(tmp.resolve("d.npy"));
        assertEquals(2, d.width());
        assertEquals(0.3, d.get(0, 1), 0.0);

        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        g16.getRaster().setSample(1, 0, 0, 1000);
        ImageIO.write(g16, "png", tmp.resolve("g16.png").toFile());
        assertArrayEquals(new double[] {65535, 1000}, MapFiles.read(tmp.resolve("g16.png")).data(), 0.0);
        assertArrayEquals(new double[] {1, 1000 / 65535.0}, MapFiles.read(tmp.resolve("g16.png"), true).data(), 0.0);
        BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x1E3C5A); // 30, 60, 90
        ImageIO.write(rgb, "png", tmp.resolve("rgb.png").toFile());
        assertEquals(60.0, MapFiles.read(tmp.resolve("rgb.png")).get(0, 0), 0.0);
        assertEquals(60 / 255.0, MapFiles.read(tmp.resolve("rgb.png"), true).get(0, 0), 1e-15);
    }

    @Test
    void badFilesNameTheProblem() throws Exception {
        EvalData.npy(tmp.resolve("i8.npy"), "f4", new int[] {2, 3}, new double[6]);
        byte[] b = Files.readAllBytes(tmp.resolve("i8.npy"));
        Files.write(tmp.resolve("i8.npy"), new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", "<i8")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("i8.npy"))).getMessage()
                .contains("unsupported dtype '<i8'"));
        Files.write(tmp.resolve("short.npy"), java.util.Arrays.copyOf(b, b.length - 4));
        assertTrue(assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("short.npy"))).getMessage()
                .contains("short.npy: expected 24 data bytes"));
        EvalData.npy(tmp.resolve("nan.npy"), "f8", new int[] {1, 2}, new double[] {1, Double.NaN});
        assertTrue(assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("nan.npy"))).getMessage().contains("non-finite"));
        EvalData.npy(tmp.resolve("s.npy"), "f4", new int[] {2, 1, 3}, new double[6]);
        assertTrue(assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("s.npy"))).getMessage().contains("2-D"));
        Files.writeString(tmp.resolve("x.png"), "not a png");
        assertTrue(assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("x.png"))).getMessage().contains("x.png"));
        assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("x.tiff")));
        assertThrows(EvalException.class, () -> MapFiles.read(tmp.resolve("missing.npy")));
    }
}
