package dev.avsal.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.metrics.Map2D;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Fixtures written by GNU Octave with tools/make_mat_fixtures.m (the expected values are from that script). */
class MatFileTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/mat");

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"all_v6.mat", "all_v7.mat"})
    void readsOctaveArrays(String name) throws Exception {
        MatFile m = MatFile.read(DIR.resolve(name));
        assertEquals(List.of("d", "p", "s", "b", "u", "i16", "eyeMap", "x", "z", "c", "t", "e"), m.names());
        Map2D d = m.map("d");                                   // [1 2 3; 4 5 6]
        assertEquals(3, d.width());
        assertEquals(2, d.height());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, d.data());
        assertArrayEquals(new double[] {Math.PI, -1.0 / 3, 1e-300, 9007199254740994.0}, m.map("p").data());
        assertArrayEquals(new double[] {0.5, -1.25, 3, (double) 1e-7f}, m.map("s").data());
        Map2D b = m.map("b");                                   // logical([1 0; 0 1; 1 1])
        assertEquals(2, b.width());
        assertEquals(3, b.height());
        assertArrayEquals(new double[] {1, 0, 0, 1, 1, 1}, b.data());
        assertArrayEquals(new double[] {0, 255, 7}, m.map("u").data());
        Map2D i = m.map("i16");
        assertEquals(1, i.width());
        assertArrayEquals(new double[] {-300, 300}, i.data());
        Map2D e = m.map("eyeMap");                              // ones at (row 2, col 4) and (row 4, col 1), 1-based
        assertEquals(5, e.width());
        assertEquals(4, e.height());
        assertEquals(1.0, e.get(3, 1));
        assertEquals(1.0, e.get(0, 3));
        assertEquals(2.0, Arrays.stream(e.data()).sum());
    }

    @ParameterizedTest
    @ValueSource(strings = {"all_v6.mat", "all_v7.mat"})
    void refusesUnsupportedVariablesNamingFileAndVariable(String name) throws Exception {
        MatFile m = MatFile.read(DIR.resolve(name));
        for (String[] c : new String[][] {{"x", "char"}, {"z", "complex"}, {"c", "cell"}, {"t", "2x2x2"},
                {"e", "empty"}, {"nope", "no variable"}}) {
            DatasetException ex = assertThrows(DatasetException.class, () -> m.map(c[0]));
            assertTrue(ex.getMessage().contains(name) && ex.getMessage().contains(c[1])
                    && ex.getMessage().contains("'" + c[0] + "'"), ex.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"all_v6.mat", "all_v7.mat"})
    void everyTruncationIsATypedError(String name) throws Exception {
        byte[] all = Files.readAllBytes(DIR.resolve(name));
        Path f = tmp.resolve("cut.mat");
        int typed = 0;
        for (int n = 0; n < all.length; n += (n < 160 ? 1 : 7)) {
            Files.write(f, Arrays.copyOf(all, n));
            try {
                MatFile m = MatFile.read(f);
                for (String v : m.names()) {
                    try {
                        m.map(v);
                    } catch (DatasetException e) {
                        assertTrue(e.getMessage().contains("cut.mat"), e.getMessage());
                    }
                }
                // a cut exactly between variables is a valid shorter file: it must not list the missing ones
                assertTrue(m.names().size() < 12, "cut at " + n + " still lists all variables");
            } catch (DatasetException e) {
                assertTrue(e.getMessage().contains("cut.mat"), e.getMessage());
                typed++;
            }
        }
        assertTrue(typed > 0);
    }

    /** Random byte changes: every outcome is values or a DatasetException, never another exception or a hang. */
    @ParameterizedTest
    @ValueSource(strings = {"all_v6.mat", "all_v7.mat"})
    void corruptedBytesGiveValuesOrTypedErrors(String name) throws Exception {
        byte[] good = Files.readAllBytes(DIR.resolve(name));
        java.util.Random rnd = new java.util.Random(42);
        Path f = tmp.resolve("fuzz.mat");
        for (int round = 0; round < 400; round++) {
            byte[] b = good.clone();
            for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                int at = 128 + rnd.nextInt(b.length - 128);
                b[at] = rnd.nextInt(3) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
            }
            Files.write(f, b);
            try {
                MatFile m = MatFile.read(f);
                for (String v : m.names()) {
                    try {
                        m.map(v);
                    } catch (DatasetException e) {
                        assertTrue(e.getMessage().contains("fuzz.mat"), e.getMessage());
                    }
                }
            } catch (DatasetException e) {
                assertTrue(e.getMessage().contains("fuzz.mat"), e.getMessage());
            }
        }
    }

    @Test
    void truncatedDataIsNamed() throws Exception {
        byte[] all = Files.readAllBytes(DIR.resolve("all_v6.mat"));
        Path f = tmp.resolve("short.mat");
        Files.write(f, Arrays.copyOf(all, 200));                // inside the first variable
        DatasetException e = assertThrows(DatasetException.class, () -> MatFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void refusesOtherFormats() throws Exception {
        Path txt = tmp.resolve("a.mat");
        Files.writeString(txt, "not a mat file at all".repeat(10));
        assertTrue(assertThrows(DatasetException.class, () -> MatFile.read(txt)).getMessage().contains("not a MATLAB level-5"));
        Path tiny = tmp.resolve("tiny.mat");
        Files.write(tiny, new byte[10]);
        assertTrue(assertThrows(DatasetException.class, () -> MatFile.read(tiny)).getMessage().contains("tiny.mat"));
        byte[] h5 = new byte[600];
        System.arraycopy(header(ByteOrder.LITTLE_ENDIAN), 0, h5, 0, 128);
        h5[512] = (byte) 0x89; h5[513] = 'H'; h5[514] = 'D'; h5[515] = 'F';
        Path v73 = tmp.resolve("v73.mat");
        Files.write(v73, h5);
        assertTrue(assertThrows(DatasetException.class, () -> MatFile.read(v73)).getMessage().contains("v7.3"));
        assertTrue(assertThrows(DatasetException.class, () -> MatFile.read(tmp.resolve("missing.mat")))
                .getMessage().contains("missing.mat"));
    }

    @Test
    void corruptZlibIsTyped() throws Exception {
        byte[] all = Files.readAllBytes(DIR.resolve("all_v7.mat"));
        for (int i = 140; i < 160; i++) all[i] ^= 0x5A;        // inside the first compressed element's stream
        Path f = tmp.resolve("corrupt.mat");
        Files.write(f, all);
        DatasetException e = assertThrows(DatasetException.class, () -> MatFile.read(f).map("d"));
        assertTrue(e.getMessage().contains("corrupt.mat"), e.getMessage());
    }

    /**
     * A file built here from the format description, in both byte orders, with what Octave does not write:
     * small data elements (name and data of at most 4 bytes in the tag) and a double array stored as uint8 (MATLAB
     * narrows storage that way), one of them compressed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void handBuiltSmallElementsAndNarrowedStorage(String orderName) throws Exception {
        ByteOrder o = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(header(o));
        // 'a' = 1x2 double [200 3] stored as uint8 (2 bytes: a small element)
        byte[] a = matrix(o, 6, new int[] {1, 2}, "a", small(o, 2, new byte[] {(byte) 200, 3}));
        f.write(element(o, 14, a));
        // 'bb' = 2x2 double stored as int16 [-1 2; 3 -4] column-major, zlib-compressed
        ByteBuffer v = ByteBuffer.allocate(8).order(o).putShort((short) -1).putShort((short) 3).putShort((short) 2)
                .putShort((short) -4);
        byte[] bb = matrix(o, 6, new int[] {2, 2}, "bb", element(o, 3, v.array()));
        Deflater def = new Deflater();
        def.setInput(element(o, 14, bb));
        def.finish();
        byte[] z = new byte[512];
        int zn = def.deflate(z);
        def.end();
        f.write(tag(o, 15, zn));
        f.write(z, 0, zn);                                     // compressed elements are not padded
        Path p = tmp.resolve("hand.mat");
        Files.write(p, f.toByteArray());
        MatFile m = MatFile.read(p);
        assertEquals(List.of("a", "bb"), m.names());
        assertArrayEquals(new double[] {200, 3}, m.map("a").data());
        assertArrayEquals(new double[] {-1, 2, 3, -4}, m.map("bb").data());
    }

    static byte[] header(ByteOrder o) {
        ByteBuffer b = ByteBuffer.allocate(128).order(o);
        byte[] text = "MATLAB 5.0 MAT-file, test".getBytes();
        b.put(text);
        for (int i = text.length; i < 116; i++) b.put((byte) ' ');
        b.position(124);
        b.putShort((short) 0x0100);
        b.putShort((short) (('M' << 8) | 'I'));               // reads back as "IM" in a little-endian file
        return b.array();
    }

    static byte[] tag(ByteOrder o, int type, int n) {
        return ByteBuffer.allocate(8).order(o).putInt(type).putInt(n).array();
    }

    /** A normal element, padded to 8 bytes. */
    static byte[] element(ByteOrder o, int type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + ((data.length + 7) & ~7)).order(o);
        b.putInt(type).putInt(data.length).put(data);
        return b.array();
    }

    /** A small element: size and type in one 4-byte word, then up to 4 data bytes. */
    static byte[] small(ByteOrder o, int type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8).order(o);
        b.putInt((data.length << 16) | type).put(data);
        return b.array();
    }

    static byte[] matrix(ByteOrder o, int mxClass, int[] dims, String name, byte[] real) throws Exception {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.write(element(o, 6, ByteBuffer.allocate(8).order(o).putInt(mxClass).putInt(0).array()));
        ByteBuffer d = ByteBuffer.allocate(4 * dims.length).order(o);
        for (int x : dims) d.putInt(x);
        m.write(element(o, 5, d.array()));
        m.write(name.length() <= 4 ? small(o, 1, name.getBytes()) : element(o, 1, name.getBytes()));
        m.write(real);
        return m.toByteArray();
    }
}
