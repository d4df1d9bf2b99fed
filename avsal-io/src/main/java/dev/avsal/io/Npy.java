package dev.avsal.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy .npy files (format version 1.0) of little-endian float32 ({@code '<f4'}), C order: {@link #write} for one
 * array, {@link #openStack} to append maps one by one into a (frames, height, width) array without holding them in
 * memory, {@link #read} to load one back. Writers use a temporary name and rename when complete. Static methods are
 * thread-safe; a {@link Stack} is not.
 */
public final class Npy {
    private static final int HEADER = 128; // magic + header, padded; room for any 3-d shape we write
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {}

    /** A float32 array with its shape, as read from a file. */
    public record Array(int[] shape, float[] data) {}

    /** Writes data (row-major) with the given shape. */
    public static void write(Path file, float[] data, int[] shape, boolean overwrite) throws IOException {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                + " values, got " + data.length);
        AtomicFiles.checkTarget(file, overwrite);
        Path tmp = AtomicFiles.temp(file);
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
                out.write(header(shape));
                writeFloats(out, data, 0, data.length);
            }
            AtomicFiles.commit(tmp, file, overwrite);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.discard(tmp);
            throw e;
        }
    }

    /** Starts a (frames, height, width) file; the frame count is filled in by {@link Stack#close()}. */
    public static Stack openStack(Path file, int width, int height, boolean overwrite) throws IOException {
        if (width < 1 || height < 1) throw new IllegalArgumentException("map size " + width + "x" + height);
        AtomicFiles.checkTarget(file, overwrite);
        return new Stack(file, width, height, overwrite);
    }

    /** Appends maps to a .npy stack; {@link #close()} completes the file (its name appears only then). */
    public static final class Stack implements AutoCloseable {
        private final Path file, tmp;
        private final int width, height;
        private final boolean overwrite;
        private final OutputStream out;
        private int frames;
        private boolean closed;

        private Stack(Path file, int width, int height, boolean overwrite) throws IOException {
            this.file = file;
            this.width = width;
            this.height = height;
            this.overwrite = overwrite;
            this.tmp = AtomicFiles.temp(file);
            this.out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW), 1 << 16);
            out.write(header(new int[] {0, height, width}));
        }

        /** Appends one map of width x height values. */
        public void append(float[] map) throws IOException {
            if (closed) throw new IllegalStateException(file + ": stack is closed");
            SaliencyMaps.check(map, width, height);
            writeFloats(out, map, 0, map.length);
            frames++;
        }

        /** Maps appended so far. */
        public int frames() { return frames; }

        /** Writes the final shape into the header and renames the file into place. */
        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            try {
                out.close();
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(header(new int[] {frames, height, width})), 0);
                }
                AtomicFiles.commit(tmp, file, overwrite);
            } catch (IOException | RuntimeException e) {
                AtomicFiles.discard(tmp);
                throw e;
            }
        }

        /** Drops the partial file (after an error upstream). */
        public void abort() {
            closed = true;
            try {
                out.close();
            } catch (IOException ignored) { // the file is deleted anyway
            }
            AtomicFiles.discard(tmp);
        }
    }

    /** Reads a little-endian float32 C-order .npy file (what this class writes). */
    public static Array read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), Arrays.copyOf(MAGIC, 6))) {
            throw new IOException(file + ": not a .npy file");
        }
        int major = all[6];
        int hlen = major == 1 ? (all[8] & 0xFF) | (all[9] & 0xFF) << 8
                : ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = major == 1 ? 10 : 12;
        if (start + hlen > all.length) throw new IOException(file + ": truncated .npy header");
        String h = new String(all, start, hlen, StandardCharsets.ISO_8859_1);
        if (!h.contains("'descr': '<f4'") || !h.contains("'fortran_order': False")) {
            throw new IOException(file + ": only little-endian float32 C-order arrays are supported: " + h.strip());
        }
        Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(h);
        if (!m.find()) throw new IOException(file + ": no shape in .npy header");
        int[] shape = Arrays.stream(m.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int d : shape) n *= d;
        int off = start + hlen;
        if (all.length - off != n * 4) throw new IOException(file + ": expected " + n * 4 + " data bytes, found "
                + (all.length - off));
        float[] data = new float[(int) n];
        ByteBuffer.wrap(all, off, (int) n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    private static byte[] header(int[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int d : shape) s.append(d).append(", ");
        if (shape.length > 1) s.setLength(s.length() - 2);
        else s.setLength(s.length() - 1); // 1-d: "(n,)"
        s.append("), }");
        // pad with spaces to a fixed size (keeps data 64-byte aligned and lets Stack rewrite it in place)
        while (MAGIC.length + 2 + s.length() + 1 < HEADER) s.append(' ');
        s.append('\n');
        byte[] h = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (MAGIC.length + 2 + h.length != HEADER) throw new IllegalArgumentException("shape too long for header");
        ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) h.length).put(h);
        return b.array();
    }

    private static void writeFloats(OutputStream out, float[] data, int off, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.min(n, 1 << 14) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = off; i < off + n; ) {
            b.clear();
            int k = Math.min(n - (i - off), 1 << 14);
            b.asFloatBuffer().put(data, i, k);
            out.write(b.array(), 0, k * 4);
            i += k;
        }
    }
}
