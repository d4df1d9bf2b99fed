package dev.avsal.data;

import dev.avsal.metrics.Map2D;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal reader of MATLAB level-5 MAT-files (the {@code -v6} and {@code -v7} formats; v7 compresses each variable
 * with zlib), enough for ground truth such as STAViS's {@code fixMap_NNNNN.mat}: real 2-D numeric and logical arrays
 * (any numeric class, e.g. double, single, uint8, logical) by variable name, as {@link Map2D}s. Both byte orders
 * are read. Everything else (complex, sparse, char, cell, struct, object, arrays of more than two dimensions,
 * empty arrays, the HDF5-based v7.3 format, level-4 files) is reported as a {@link DatasetException} naming the file
 * and the variable, as is a truncated or corrupt file.
 *
 * <p>Why our own: the maintained pure-Java readers (e.g. MFL/us.hebi.matlab.mat, JMatIO forks) are extra
 * dependencies, which this project does not take; the subset needed here is small.
 *
 * <p>The whole file is read into memory (ground-truth files are small; files over {@link #MAX_BYTES} are refused),
 * the variable directory is parsed on {@link #read}, and values are decoded by {@link #map}. Immutable and
 * thread-safe.
 */
public final class MatFile {
    /** Largest file, and largest variable, accepted (guards against a corrupt size field). */
    public static final long MAX_BYTES = 1L << 30;

    private static final int MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6,
            MI_SINGLE = 7, MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15;
    private static final String[] CLASS_NAMES = {"?", "cell", "struct", "object", "char", "sparse", "double",
            "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "function",
            "opaque"};

    private final Path file;
    private final Map<String, Variable> vars;

    /** One variable: its header fields and its miMATRIX body (after the tag). */
    private record Variable(String name, int mxClass, boolean complex, boolean logical, int[] dims, ByteBuffer body,
                            int dataStart) {
        String describe() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < dims.length; i++) b.append(i == 0 ? "" : "x").append(dims[i]);
            return b + " " + (complex ? "complex " : "") + (logical ? "logical" : className(mxClass));
        }
    }

    private MatFile(Path file, Map<String, Variable> vars) {
        this.file = file;
        this.vars = vars;
    }

    /** Reads the file and its variable directory. */
    public static MatFile read(Path file) throws DatasetException {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) throw new DatasetException(file + ": no such file");
            long size = Files.size(file);
            if (size > MAX_BYTES) throw new DatasetException(file + ": " + size + " bytes is too large for a MAT-file here");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    /** Convenience: the 2-D array {@code name} of {@code file}. */
    public static Map2D readMap(Path file, String name) throws DatasetException {
        return read(file).map(name);
    }

    /** The variable names in file order. */
    public List<String> names() { return List.copyOf(vars.keySet()); }

    /** Whether the file has a variable {@code name} (of any class). */
    public boolean contains(String name) { return vars.containsKey(name); }

    /**
     * The real 2-D array {@code name} as a map: MATLAB's rows x columns become height x width (MATLAB stores
     * column-major; the map is row-major), values converted to double, logical as 0/1.
     *
     * @throws DatasetException if there is no such variable, it is not a real non-empty 2-D numeric or logical array,
     *                          or its data is truncated
     */
    public Map2D map(String name) throws DatasetException {
        Variable v = vars.get(name);
        if (v == null) throw new DatasetException(file + ": no variable '" + name + "' (variables: " + names() + ")");
        if (v.mxClass < 6 || v.mxClass > 15 || v.complex || v.dims.length != 2)
            throw new DatasetException(file + ": variable '" + name + "' is " + v.describe()
                    + "; only real 2-D numeric or logical arrays are supported");
        int rows = v.dims[0], cols = v.dims[1];
        if (rows <= 0 || cols <= 0) throw new DatasetException(file + ": variable '" + name + "' is empty (" + v.describe() + ")");
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) throw new DatasetException(file + ": variable '" + name + "' is too large");
        Cursor c = new Cursor(file, v.body, "variable '" + name + "'");
        c.pos = v.dataStart;
        int[] tag = c.tag();
        int type = tag[0], nbytes = tag[1];
        int width = elementSize(type);
        if (width == 0) throw new DatasetException(file + ": variable '" + name + "' stores its values as unsupported type " + type);
        if ((long) nbytes != n * width)
            throw new DatasetException(file + ": variable '" + name + "' (" + v.describe() + ") holds " + nbytes
                    + " bytes of type " + type + ", expected " + n * width);
        ByteBuffer b = c.slice(nbytes);
        double[] d = new double[(int) n];
        for (int col = 0; col < cols; col++)
            for (int row = 0; row < rows; row++)
                d[row * cols + col] = value(b, type);
        return new Map2D(cols, rows, d);
    }

    @Override public String toString() { return "MatFile[" + file + ", " + vars.keySet() + "]"; }

    // ---- parsing ----

    static MatFile parse(Path file, byte[] bytes) throws DatasetException {
        if (bytes.length < 128) {
            throw new DatasetException(file + ": not a MATLAB level-5 MAT-file (" + bytes.length
                    + " bytes, shorter than the 128-byte header)");
        }
        String text = new String(bytes, 0, 116, StandardCharsets.ISO_8859_1);
        if (bytes.length >= 520 && bytes[512] == (byte) 0x89 && bytes[513] == 'H' && bytes[514] == 'D' && bytes[515] == 'F')
            throw new DatasetException(file + ": a MATLAB v7.3 (HDF5) MAT-file; only the v6/v7 formats are supported"
                    + " (save with -v7)");
        ByteOrder order;
        if (bytes[126] == 'I' && bytes[127] == 'M') order = ByteOrder.LITTLE_ENDIAN;
        else if (bytes[126] == 'M' && bytes[127] == 'I') order = ByteOrder.BIG_ENDIAN;
        else throw new DatasetException(file + ": not a MATLAB level-5 MAT-file (no endian indicator in the header"
                    + (text.startsWith("MATLAB") ? "" : "; a level-4 file or another format") + ")");
        ByteBuffer all = ByteBuffer.wrap(bytes).order(order);
        int version = Short.toUnsignedInt(all.getShort(124));
        if (version != 0x0100) throw new DatasetException(file + ": MAT-file version 0x" + Integer.toHexString(version)
                + " is not supported (level 5 is 0x0100)");
        Map<String, Variable> vars = new LinkedHashMap<>();
        Cursor c = new Cursor(file, all, "the file");
        c.pos = 128;
        while (c.pos < bytes.length) {
            if (bytes.length - c.pos < 8) {
                throw new DatasetException(file + ": truncated: " + (bytes.length - c.pos)
                        + " stray bytes at offset " + c.pos + " (a data element tag needs 8)");
            }
            int at = c.pos;
            int[] tag = c.tag();
            if (tag[0] == MI_COMPRESSED) {
                ByteBuffer inflated = inflate(file, c.slice(tag[1]), at, order).order(order);
                Cursor z = new Cursor(file, inflated, "the compressed element at offset " + at);
                int[] inner = z.tag();
                if (inner[0] == MI_MATRIX) add(vars, matrix(file, z.sliceBuffer(inner[1]), order));
            } else {
                ByteBuffer body = c.sliceBuffer(tag[1]);
                c.align();
                if (tag[0] == MI_MATRIX) add(vars, matrix(file, body, order));
                // other top-level elements (none are defined for level 5) are skipped
            }
        }
        return new MatFile(file, Collections.unmodifiableMap(vars));
    }

    private static void add(Map<String, Variable> vars, Variable v) {
        if (v != null) vars.putIfAbsent(v.name, v);   // a name twice (MATLAB and Octave never write that): the first counts
    }

    /** Parses an miMATRIX body: array flags, dimensions, name; remembers where the real part starts. */
    private static Variable matrix(Path file, ByteBuffer body, ByteOrder order) throws DatasetException {
        body.order(order);
        if (body.remaining() == 0) return null;                 // an empty miMATRIX: an empty cell element
        Cursor c = new Cursor(file, body, "a variable header");
        int[] ft = c.tag();
        if (ft[0] != MI_UINT32 || ft[1] != 8) throw new DatasetException(file + ": malformed variable header"
                + " (array flags of type " + ft[0] + ", " + ft[1] + " bytes)");
        ByteBuffer flags = c.slice(8);
        c.align();
        int f = flags.getInt(0);
        int mxClass = f & 0xFF;
        boolean complex = (f & 0x800) != 0, logical = (f & 0x200) != 0;
        int[] dt = c.tag();
        if (dt[0] != MI_INT32 || dt[1] % 4 != 0 || dt[1] < 8)
            throw new DatasetException(file + ": malformed variable header (dimensions of type " + dt[0] + ")");
        ByteBuffer db = c.slice(dt[1]);
        c.align();
        int[] dims = new int[dt[1] / 4];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = db.getInt(i * 4);
            if (dims[i] < 0) throw new DatasetException(file + ": malformed variable header (dimension " + dims[i] + ")");
        }
        int[] nt = c.tag();
        if (nt[0] != MI_INT8) throw new DatasetException(file + ": malformed variable header (name of type " + nt[0] + ")");
        ByteBuffer nb = c.slice(nt[1]);
        c.align();
        byte[] nameBytes = new byte[nt[1]];
        nb.get(0, nameBytes);
        String name = new String(nameBytes, StandardCharsets.US_ASCII);
        return new Variable(name, mxClass, complex, logical, dims, body, c.pos);
    }

    /**
     * Inflates a compressed element: its first 8 bytes are the inner element's tag, whose size fixes the buffer (so
     * memory follows the declared size, which must also be reachable at zlib's highest ratio, about 1032:1).
     */
    private static ByteBuffer inflate(Path file, ByteBuffer src, int at, ByteOrder order) throws DatasetException {
        byte[] in = new byte[src.remaining()];
        src.get(src.position(), in);
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            byte[] tag = new byte[8];
            fill(file, inf, tag, 0, 8, at);
            long declared = Integer.toUnsignedLong(ByteBuffer.wrap(tag).order(order).getInt(4));
            if ((ByteBuffer.wrap(tag).order(order).getInt(0) >>> 16) != 0) declared = 0;   // a small element
            if (declared > 1100L * in.length + 64 || declared > MAX_BYTES)
                throw new DatasetException(file + ": corrupt compressed element at offset " + at + ": it declares "
                        + declared + " bytes from " + in.length + " compressed");
            byte[] out = java.util.Arrays.copyOf(tag, (int) (8 + declared));
            fill(file, inf, out, 8, out.length, at);
            return ByteBuffer.wrap(out);
        } catch (DataFormatException e) {
            throw new DatasetException(file + ": corrupt compressed element at offset " + at + ": " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static void fill(Path file, Inflater inf, byte[] out, int from, int to, int at)
            throws DataFormatException, DatasetException {
        int n = from;
        while (n < to) {
            int k = inf.inflate(out, n, to - n);
            n += k;
            if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary()))
                throw new DatasetException(file + ": truncated: the compressed element at offset " + at + " inflates to "
                        + n + " bytes, " + to + " needed");
        }
    }

    private static int elementSize(int type) {
        return switch (type) {
            case MI_INT8, MI_UINT8 -> 1;
            case MI_INT16, MI_UINT16 -> 2;
            case MI_INT32, MI_UINT32, MI_SINGLE -> 4;
            case MI_DOUBLE, MI_INT64, MI_UINT64 -> 8;
            default -> 0;
        };
    }

    private static double value(ByteBuffer b, int type) {
        return switch (type) {
            case MI_INT8 -> b.get();
            case MI_UINT8 -> b.get() & 0xFF;
            case MI_INT16 -> b.getShort();
            case MI_UINT16 -> b.getShort() & 0xFFFF;
            case MI_INT32 -> b.getInt();
            case MI_UINT32 -> b.getInt() & 0xFFFFFFFFL;
            case MI_SINGLE -> b.getFloat();
            case MI_DOUBLE -> b.getDouble();
            case MI_INT64 -> b.getLong();
            case MI_UINT64 -> { long l = b.getLong(); yield l >= 0 ? l : (double) (l >>> 1) * 2 + (l & 1); }
            default -> throw new IllegalStateException("type " + type);
        };
    }

    private static String className(int mxClass) {
        return mxClass >= 0 && mxClass < CLASS_NAMES.length ? CLASS_NAMES[mxClass] : "class " + mxClass;
    }

    /** Bounds-checked reading of data element tags and bodies; errors name the file and the offset. */
    private static final class Cursor {
        final Path file;
        final ByteBuffer buf;
        final String where;
        int pos;

        Cursor(Path file, ByteBuffer buf, String where) {
            this.file = file;
            this.buf = buf;
            this.where = where;
        }

        /** Reads a tag, normal or small-element form; for the small form the 4 data bytes stay at pos. */
        int[] tag() throws DatasetException {
            need(8);
            int first = buf.getInt(pos);
            if ((first >>> 16) != 0) {                      // small data element: size and type in one word
                pos += 4;
                int n = first >>> 16;
                if (n > 4) throw new DatasetException(file + ": malformed small data element in " + where
                        + " at offset " + (pos - 4));
                small = true;
                return new int[] {first & 0xFFFF, n};
            }
            int n = buf.getInt(pos + 4);
            pos += 8;
            small = false;
            if (n < 0) throw new DatasetException(file + ": malformed data element size " + Integer.toUnsignedString(n)
                    + " in " + where + " at offset " + (pos - 8));
            return new int[] {first, n};
        }

        private boolean small;

        /** The next n bytes (the element body) as a buffer positioned at 0; advances past it. */
        ByteBuffer slice(int n) throws DatasetException {
            ByteBuffer b = sliceBuffer(n);
            if (small) { pos += 4 - n; small = false; }     // a small element always occupies 4 data bytes
            return b;
        }

        ByteBuffer sliceBuffer(int n) throws DatasetException {
            need(n);
            ByteBuffer b = buf.slice(pos, n).order(buf.order());
            pos += n;
            return b;
        }

        void align() { pos = (pos + 7) & ~7; }

        private void need(long n) throws DatasetException {
            if (pos + n > buf.limit())
                throw new DatasetException(file + ": truncated: " + where + " needs " + n + " bytes at offset " + pos
                        + " but has " + Math.max(0, buf.limit() - pos));
        }
    }
}
