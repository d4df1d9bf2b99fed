package dev.avsal.checkpoint;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The bytes of one storage, fetched on demand. Implementations are immutable and thread-safe. */
interface ByteSource {
    /** Size in bytes. */
    long length();

    /** Bytes {@code [from, from+len)} of this storage, little-endian ordered; the range was validated. */
    ByteBuffer read(long from, int len);

    /** A plain region of the file (safetensors data, stored zip entries, legacy storages). */
    record Region(FileSource file, long offset, long length) implements ByteSource {
        @Override
        public ByteBuffer read(long from, int len) {
            return file.readTensorBytes(offset + from, len);
        }
    }

    /**
     * A deflated zip entry (torch writes storages stored, but other zip tools may compress them): inflated whole
     * on each read, since deflate streams cannot be entered in the middle.
     */
    record Deflated(FileSource file, long offset, long compressedLength, long length, String entry)
            implements ByteSource {
        @Override
        public ByteBuffer read(long from, int len) {
            ByteBuffer in = file.readTensorBytes(offset, Math.toIntExact(compressedLength));
            byte[] out = new byte[Math.toIntExact(length)];
            Inflater inf = new Inflater(true);
            try {
                inf.setInput(in);
                int n = 0;
                while (n < out.length) {
                    int k = inf.inflate(out, n, out.length - n);
                    if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                    n += k;
                }
                if (n != out.length) {
                    throw new UncheckedIOException(new java.io.IOException(file.path + ": zip entry " + entry
                            + " inflates to " + n + " bytes, expected " + out.length));
                }
            } catch (DataFormatException e) {
                throw new UncheckedIOException(new java.io.IOException(file.path + ": zip entry " + entry
                        + " is corrupt: " + e.getMessage(), e));
            } finally {
                inf.end();
            }
            return ByteBuffer.wrap(out, (int) from, len).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** A sub-range of another storage (legacy storage views). */
    record Slice(ByteSource base, long offset, long length) implements ByteSource {
        @Override
        public ByteBuffer read(long from, int len) {
            return base.read(offset + from, len);
        }
    }
}
