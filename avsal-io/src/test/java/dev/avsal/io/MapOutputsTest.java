package dev.avsal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapOutputsTest {
    @TempDir Path tmp;

    /** A 7x3 map with known values, including out-of-range ones and NaN. */
    static final float[] MAP = {
        0f, 0.5f, 1f, 0.25f, 0.75f, 0.1f, 0.9f,
        -0.5f, 1.5f, Float.NaN, 0.001f, 0.999f, 0.2f, 0.3f,
        0.4f, 0.6f, 0.7f, 0.8f, 0.05f, 0.95f, 0.5f};

    /** Width, height, bit depth and colour type from the IHDR chunk (independent of ImageIO's reader). */
    static int[] ihdr(Path png) throws IOException {
        byte[] b = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, Arrays.copyOf(b, 8));
        assertEquals("IHDR", new String(b, 12, 4, StandardCharsets.US_ASCII));
        ByteBuffer h = ByteBuffer.wrap(b, 16, 10);
        return new int[] {h.getInt(), h.getInt(), h.get() & 0xFF, h.get() & 0xFF};
    }

    static double clamp(float v) { return Float.isNaN(v) ? 0 : Math.max(0, Math.min(1, v)); }

    @Test void png8And16() throws Exception {
        Path p8 = tmp.resolve("m8.png"), p16 = tmp.resolve("m16.png");
        SaliencyMaps.writePng8(p8, MAP, 7, 3, MapScaling.CLAMP, false);
        SaliencyMaps.writePng16(p16, MAP, 7, 3, MapScaling.CLAMP, false);
        assertArrayEquals(new int[] {7, 3, 8, 0}, ihdr(p8), "8-bit grayscale");
        assertArrayEquals(new int[] {7, 3, 16, 0}, ihdr(p16), "16-bit grayscale");
        Raster r8 = ImageIO.read(p8.toFile()).getRaster(), r16 = ImageIO.read(p16.toFile()).getRaster();
        for (int i = 0; i < MAP.length; i++) {
            int x = i % 7, y = i / 7;
            assertEquals(Math.round(clamp(MAP[i]) * 255), r8.getSample(x, y, 0), "8-bit at " + i);
            assertEquals(Math.round(clamp(MAP[i]) * 65535), r16.getSample(x, y, 0), "16-bit at " + i);
        }
        assertEquals(66, r16.getSample(3, 1, 0), "0.001 keeps its precision in 16 bits");
        assertEquals(0, r8.getSample(3, 1, 0));
    }

    @Test void frameFileNames() {
        assertEquals(tmp.resolve("frame_000042.png"), SaliencyMaps.frameFile(tmp, 42, "png"));
        assertEquals(tmp.resolve("frame_1234567.npy"), SaliencyMaps.frameFile(tmp, 1_234_567, "npy"));
    }

    @Test void minMaxScaling() throws Exception {
        float[] m = {2f, 4f, 3f, 6f};
        Path p = tmp.resolve("mm.png");
        SaliencyMaps.writePng8(p, m, 2, 2, MapScaling.MIN_MAX, false);
        Raster r = ImageIO.read(p.toFile()).getRaster();
        assertEquals(0, r.getSample(0, 0, 0));
        assertEquals(128, r.getSample(1, 0, 0)); // (4-2)/4 = 0.5 -> 127.5 -> 128
        assertEquals(64, r.getSample(0, 1, 0));  // 0.25 -> 63.75
        assertEquals(255, r.getSample(1, 1, 0));
        Path flat = tmp.resolve("flat.png");
        SaliencyMaps.writePng8(flat, new float[] {3, 3, 3, 3}, 2, 2, MapScaling.MIN_MAX, false);
        assertEquals(0, ImageIO.read(flat.toFile()).getRaster().getSample(1, 1, 0));
    }

    @Test void neverOverwritesUnlessAsked() throws Exception {
        Path p = tmp.resolve("keep.png");
        Files.writeString(p, "precious");
        assertThrows(FileAlreadyExistsException.class, () -> SaliencyMaps.writePng8(p, MAP, 7, 3, MapScaling.CLAMP, false));
        assertThrows(FileAlreadyExistsException.class, () -> SaliencyMaps.writeNpy(p, MAP, 7, 3, false));
        assertThrows(FileAlreadyExistsException.class, () -> Npy.openStack(p, 7, 3, false));
        assertEquals("precious", Files.readString(p));
        SaliencyMaps.writePng8(p, MAP, 7, 3, MapScaling.CLAMP, true);
        assertArrayEquals(new int[] {7, 3, 8, 0}, ihdr(p));
        assertThrows(IllegalArgumentException.class, () -> SaliencyMaps.writePng8(tmp.resolve("x.png"), MAP, 6, 3,
                MapScaling.CLAMP, false));
        assertThrows(IOException.class, () -> SaliencyMaps.writePng8(tmp.resolve("no/dir/x.png"), MAP, 7, 3,
                MapScaling.CLAMP, false));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(java.util.List.of("keep.png"), s.map(x -> x.getFileName().toString()).toList(),
                    "no temporary files left behind");
        }
    }

    @Test void npyRoundTripAndHeader() throws Exception {
        Path p = tmp.resolve("m.npy");
        SaliencyMaps.writeNpy(p, MAP, 7, 3, false);
        byte[] b = Files.readAllBytes(p);
        assertEquals(128 + 21 * 4, b.length, "128-byte header, then the raw floats");
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(b, 8));
        assertEquals(118, (b[8] & 0xFF) | (b[9] & 0xFF) << 8);
        String h = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
        assertTrue(h.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 7), }"), h);
        assertTrue(h.endsWith(" \n"));
        assertEquals(Float.floatToRawIntBits(MAP[8]), ByteBuffer.wrap(b, 128 + 8 * 4, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(), "little-endian raw floats");
        Npy.Array a = Npy.read(p);
        assertArrayEquals(new int[] {3, 7}, a.shape());
        assertArrayEquals(MAP, a.data(), 0f); // NaN too: raw floats, no scaling
    }

    @Test void npyStack() throws Exception {
        Path p = tmp.resolve("stack.npy");
        try (Npy.Stack s = Npy.openStack(p, 7, 3, false)) {
            for (int k = 0; k < 5; k++) {
                float[] m = MAP.clone();
                m[0] = k;
                s.append(m);
            }
            assertFalse(Files.exists(p), "the name appears only when complete");
        }
        Npy.Array a = Npy.read(p);
        assertArrayEquals(new int[] {5, 3, 7}, a.shape());
        for (int k = 0; k < 5; k++) assertEquals(k, a.data()[k * 21]);
        Path q = tmp.resolve("aborted.npy");
        Npy.Stack s = Npy.openStack(q, 2, 2, false);
        s.append(new float[4]);
        s.abort();
        try (Stream<Path> l = Files.list(tmp)) {
            assertEquals(java.util.List.of("stack.npy"), l.map(x -> x.getFileName().toString()).toList());
        }
    }
}
