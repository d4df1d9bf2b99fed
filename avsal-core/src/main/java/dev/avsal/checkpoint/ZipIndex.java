package dev.avsal.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a zip archive (zip64 included), read directly so that entries can be located inside
 * the file and memory-mapped in place (java.util.zip does not expose data offsets). Immutable after reading.
 */
final class ZipIndex {
    static final int STORED = 0, DEFLATED = 8;

    /** One entry; {@code localHeader} is where its local header starts. */
    record Entry(String name, int method, long compressedSize, long size, long localHeader, int crc) {}

    final Map<String, Entry> entries;
    private final FileSource src;
    private final long centralStart;

    private ZipIndex(FileSource src, Map<String, Entry> entries, long centralStart) {
        this.src = src;
        this.entries = entries;
        this.centralStart = centralStart;
    }

    static ZipIndex read(FileSource src) throws CheckpointException {
        long size = src.size;
        int tailLen = (int) Math.min(size, 22 + 65535);
        ByteBuffer tail = src.readHeader(size - tailLen, tailLen);
        int eocd = -1;
        for (int i = tailLen - 22; i >= 0; i--) {
            if (tail.getInt(i) == 0x06054b50 && i + 22 + (tail.getShort(i + 20) & 0xffff) == tailLen) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(src.path, "truncated or corrupt zip archive: no end-of-central-directory record");
        }
        long eocdPos = size - tailLen + eocd;
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        long cdEnd = eocdPos;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            // zip64: the locator sits just before the classic record and points at the zip64 record.
            if (eocdPos < 20) throw corrupt(src, "zip64 locator missing");
            ByteBuffer loc = src.readHeader(eocdPos - 20, 20);
            if (loc.getInt(0) != 0x07064b50) throw corrupt(src, "zip64 locator missing");
            long rec = loc.getLong(8);
            if (rec < 0 || rec > eocdPos - 20 - 56) throw corrupt(src, "zip64 end record offset " + rec + " is outside the file");
            ByteBuffer z = src.readHeader(rec, 56);
            if (z.getInt(0) != 0x06064b50) throw corrupt(src, "zip64 end record signature missing");
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
            cdEnd = rec;
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdEnd || cdSize > cdEnd - cdOffset) {
            throw corrupt(src, "central directory [" + cdOffset + ", +" + cdSize + ") lies outside the archive");
        }
        if (cdSize > 512L * 1024 * 1024) throw corrupt(src, "central directory of " + cdSize + " bytes");
        if (count < 0 || count > cdSize / 46) throw corrupt(src, count + " entries cannot fit a central directory of " + cdSize + " bytes");
        ByteBuffer cd = src.readHeader(cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != 0x02014b50) throw corrupt(src, "central directory entry " + i + " is damaged");
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            long comp = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            int crc = cd.getInt(p + 16);
            if (p + 46L + nameLen + extraLen + commentLen > cdSize) throw corrupt(src, "central directory entry " + i + " is truncated");
            byte[] nb = new byte[nameLen];
            cd.get(p + 46, nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            // zip64 extra field: 64-bit values for exactly the fields that hold 0xffffffff, in this order.
            int x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (x + 4 + len > xEnd) throw corrupt(src, "entry " + name + " has a damaged extra field");
                if (id == 0x0001) {
                    int q = x + 4, qEnd = q + len;
                    if (usize == 0xffffffffL) { if (q + 8 > qEnd) throw corrupt(src, "entry " + name + ": short zip64 field"); usize = cd.getLong(q); q += 8; }
                    if (comp == 0xffffffffL) { if (q + 8 > qEnd) throw corrupt(src, "entry " + name + ": short zip64 field"); comp = cd.getLong(q); q += 8; }
                    if (local == 0xffffffffL) { if (q + 8 > qEnd) throw corrupt(src, "entry " + name + ": short zip64 field"); local = cd.getLong(q); }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) throw corrupt(src, "entry " + name + " is encrypted");
            if (comp < 0 || usize < 0 || local < 0 || local > cdOffset) {
                throw corrupt(src, "entry " + name + " has sizes or offset outside the archive");
            }
            if (entries.put(name, new Entry(name, method, comp, usize, local, crc)) != null) {
                throw corrupt(src, "entry " + name + " appears twice");
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ZipIndex(src, entries, cdOffset);
    }

    /** Where an entry's data starts, after checking its local header and that the data lies inside the archive. */
    long dataOffset(Entry e) throws CheckpointException {
        if (e.localHeader > centralStart - 30) throw corrupt(src, "entry " + e.name + " starts past the entry area");
        ByteBuffer h = src.readHeader(e.localHeader, 30);
        if (h.getInt(0) != 0x04034b50) throw corrupt(src, "entry " + e.name + " has no local header at offset " + e.localHeader);
        long data = e.localHeader + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
        if (data > centralStart || e.compressedSize > centralStart - data) {
            throw corrupt(src, "entry " + e.name + " (" + e.compressedSize + " bytes at offset " + data
                    + ") runs past the entry area; the archive is truncated or lies");
        }
        if (e.method != STORED && e.method != DEFLATED) {
            throw corrupt(src, "entry " + e.name + " uses unsupported compression method " + e.method);
        }
        if (e.method == STORED && e.compressedSize != e.size) {
            throw corrupt(src, "stored entry " + e.name + " has compressed size " + e.compressedSize + " but size " + e.size);
        }
        return data;
    }

    /** The whole content of a small entry (a pickle or a record), inflating if needed. */
    ByteBuffer readSmall(Entry e, long max) throws CheckpointException {
        long data = dataOffset(e);
        if (e.size > max || e.compressedSize > max) throw corrupt(src, "entry " + e.name + " is too large (" + e.size + " bytes)");
        ByteBuffer raw = src.readHeader(data, (int) e.compressedSize);
        if (e.method == STORED) return raw;
        // Grow with what actually inflates, never trusting the declared size for the allocation.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) Math.min(e.size, 1 << 20));
        byte[] chunk = new byte[64 * 1024];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw);
            while (!inf.finished() && out.size() <= e.size) {
                int k = inf.inflate(chunk);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                out.write(chunk, 0, k);
            }
            if (!inf.finished() || out.size() != e.size) {
                throw corrupt(src, "entry " + e.name + " inflates to " + out.size() + " bytes, not " + e.size);
            }
        } catch (DataFormatException ex) {
            throw corrupt(src, "entry " + e.name + " is not valid deflate data: " + ex.getMessage());
        } finally {
            inf.end();
        }
        return ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The bytes of a storage entry, lazily: mapped in place if stored, inflated on demand if deflated. */
    ByteSource source(Entry e) throws CheckpointException {
        long data = dataOffset(e);
        if (e.method == STORED) return new ByteSource.Region(src, data, e.size);
        if (e.size > Integer.MAX_VALUE - 8 || e.compressedSize > Integer.MAX_VALUE - 8) {
            throw corrupt(src, "compressed entry " + e.name + " is larger than 2 GiB (torch stores storages uncompressed)");
        }
        verifyDeflated(e, data);
        return new ByteSource.Deflated(src, data, e.compressedSize, e.size, e.name);
    }

    /**
     * One streaming pass over a deflated entry at open time (size and CRC), so that a later read cannot meet a
     * corrupt stream. Torch never compresses storages; this only costs something for re-zipped archives.
     */
    private void verifyDeflated(Entry e, long data) throws CheckpointException {
        Inflater inf = new Inflater(true);
        CRC32 crc = new CRC32();
        byte[] out = new byte[64 * 1024];
        long consumed = 0, produced = 0;
        boolean finished;
        try {
            while (!inf.finished() && produced <= e.size) {
                if (inf.needsInput()) {
                    if (consumed >= e.compressedSize) break;
                    int n = (int) Math.min(1 << 20, e.compressedSize - consumed);
                    inf.setInput(src.readHeader(data + consumed, n));
                    consumed += n;
                }
                int k = inf.inflate(out);
                crc.update(out, 0, k);
                produced += k;
                if (k == 0 && inf.needsDictionary()) break;
            }
            finished = inf.finished();
        } catch (DataFormatException ex) {
            throw corrupt(src, "entry " + e.name + " is not valid deflate data: " + ex.getMessage());
        } finally {
            inf.end();
        }
        if (!finished || produced != e.size) {
            throw corrupt(src, "entry " + e.name + " inflates to " + (produced > e.size ? "more than " : "") + produced
                    + " bytes, not the " + e.size + " its directory records");
        }
        if ((int) crc.getValue() != e.crc) throw corrupt(src, "entry " + e.name + " fails its CRC check");
    }

    private static CheckpointException corrupt(FileSource src, String problem) {
        return new CheckpointException(src.path, "corrupt zip archive: " + problem);
    }
}
