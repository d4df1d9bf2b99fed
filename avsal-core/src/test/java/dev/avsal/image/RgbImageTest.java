package dev.avsal.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RgbImageTest {
    @TempDir
    Path dir;

    @Test
    void validatesSizeAndLength() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(-1, 2, new byte[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RgbImage(RgbImage.MAX_SIDE + 1, 1, new byte[3 * (RgbImage.MAX_SIDE + 1)]));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new RgbImage(1, 1, null));
        RgbImage ok = new RgbImage(2, 1, new byte[] {1, 2, 3, (byte) 200, 5, 6});
        assertEquals(200, ok.get(1, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ok.get(2, 0, 0));
    }

    @Test
    void rgbPngRoundTrips() throws IOException {
        RgbImage img = PilResizeTest.random(13, 7, 4);
        Path f = dir.resolve("rgb.png");
        img.writePng(f);
        assertArrayEquals(img.rgb(), RgbImage.read(f).rgb());
    }

    @Test
    void grayPngKeepsRawValues() throws IOException {
        // TYPE_BYTE_GRAY is linear gray in Java2D: getRGB would turn 100 into ~170; we want Pillow's 100
        BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 100);
        g.getRaster().setSample(2, 1, 0, 255);
        RgbImage img = write(g, "gray.png");
        assertEquals(100, img.get(0, 0, 0));
        assertEquals(100, img.get(0, 0, 1));
        assertEquals(100, img.get(0, 0, 2));
        assertEquals(0, img.get(1, 0, 0));
        assertEquals(255, img.get(2, 1, 2));
    }

    @Test
    void grayAlphaAndRgbaDropAlphaWithoutCompositing() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {60, 0});
        r.setPixel(1, 0, new int[] {200, 128});
        RgbImage la = write(new BufferedImage(cm, r, false, null), "la.png");
        assertEquals(60, la.get(0, 0, 1));
        assertEquals(200, la.get(1, 0, 2));

        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x000A141E); // fully transparent, colour (10, 20, 30)
        argb.setRGB(1, 0, 0x80FF8040);
        RgbImage rgba = write(argb, "rgba.png");
        assertArrayEquals(new byte[] {10, 20, 30, (byte) 255, (byte) 128, 64}, rgba.rgb());
    }

    @Test
    void palettePngIsLookedUp() throws IOException {
        byte[] red = {0, (byte) 250, 7}, green = {0, 5, 77}, blue = {0, 9, (byte) 177};
        IndexColorModel icm = new IndexColorModel(8, 3, red, green, blue);
        BufferedImage p = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        p.getRaster().setSample(1, 0, 0, 1);
        p.getRaster().setSample(2, 0, 0, 2);
        RgbImage img = write(p, "palette.png");
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 250, 5, 9, 7, 77, (byte) 177}, img.rgb());
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {0x12FF, 0xAB01, 0xFFFF});
        RgbImage img = write(new BufferedImage(cm, r, false, null), "rgb16.png");
        assertArrayEquals(new byte[] {0x12, (byte) 0xAB, (byte) 0xFF}, img.rgb());
    }

    @Test
    void jpegIsDecoded() throws IOException {
        RgbImage flat = RgbImage.filled(16, 16, 200, 100, 50);
        Path f = dir.resolve("flat.jpg");
        assertTrue(ImageIO.write(flat.toBufferedImage(), "jpeg", f.toFile()));
        RgbImage back = RgbImage.read(f);
        assertEquals(16, back.width());
        assertEquals(200, back.get(8, 8, 0), 3);
        assertEquals(100, back.get(8, 8, 1), 3);
        assertEquals(50, back.get(8, 8, 2), 3);
    }

    @Test
    void unreadableFilesFailNamingTheFile() throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        IOException e = assertThrows(IOException.class, () -> RgbImage.read(text));
        assertTrue(e.getMessage().contains("notes.png"), e.getMessage());
        Path missing = dir.resolve("missing.png");
        e = assertThrows(IOException.class, () -> RgbImage.read(missing));
        assertTrue(e.getMessage().contains("missing.png"), e.getMessage());
        Path truncated = dir.resolve("cut.png");
        PilResizeTest.random(50, 50, 1).writePng(truncated);
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        e = assertThrows(IOException.class, () -> RgbImage.read(truncated));
        assertTrue(e.getMessage().contains("cut.png"), e.getMessage());
    }

    private RgbImage write(BufferedImage img, String name) throws IOException {
        Path f = dir.resolve(name);
        assertTrue(ImageIO.write(img, "png", f.toFile()), "no PNG writer for " + name);
        return RgbImage.read(f);
    }
}
