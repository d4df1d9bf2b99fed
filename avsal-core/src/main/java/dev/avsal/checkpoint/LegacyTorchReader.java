package dev.avsal.checkpoint;

import dev.avsal.checkpoint.PickleObjects.Storage;
import dev.avsal.checkpoint.PickleObjects.Tuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads legacy (pre-1.6, {@code _use_new_zipfile_serialization=False}) {@code torch.save} files: five pickles
 * in a row (magic number, protocol version, system info, the object with storage ids, the list of storage keys)
 * followed by each storage as an 8-byte element count and its raw bytes, in key-list order. Storage positions
 * are found by walking those count fields; the bytes themselves are read only on demand.
 */
final class LegacyTorchReader {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;

    private LegacyTorchReader() {}

    /** A storage as the pickle names it; views (legacy storage slices) point into it. */
    private static final class Root {
        final String key;
        final DType dtype;
        final long numel;
        final List<Storage> users = new ArrayList<>();
        final List<long[]> views = new ArrayList<>(); // {offset, numel} per user, in elements

        Root(String key, DType dtype, long numel) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
        }
    }

    static LoadedCheckpoint read(FileSource src) throws CheckpointException {
        // Pickles are parsed in place; they sit at the start, so the first 2 GiB always hold them.
        ByteBuffer all = src.mapHeader(0, Math.min(src.size, Integer.MAX_VALUE - 8));
        Unpickler magicReader = new Unpickler(src.path, "magic number", all, false, null);
        Object magic = magicReader.load();
        if (!MAGIC.equals(magic)) {
            throw new CheckpointException(src.path, "a pickle file without torch's legacy magic number: not a torch.save"
                    + " file (plain pickles are not supported)");
        }
        int pos = magicReader.position();
        Unpickler versionReader = new Unpickler(src.path, "protocol version", all.duplicate().position(pos), false, null);
        Object version = versionReader.load();
        if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
            throw new CheckpointException(src.path, "legacy torch protocol version " + version + ", expected " + PROTOCOL_VERSION);
        }
        pos += versionReader.position();
        Unpickler infoReader = new Unpickler(src.path, "sys_info", all.duplicate().position(pos), false, null);
        Object info = infoReader.load();
        pos += infoReader.position();
        if (!(info instanceof Map<?, ?> sys) || !(sys.get("little_endian") instanceof Boolean little)) {
            throw new CheckpointException(src.path, "legacy sys_info record is not a dict with little_endian");
        }
        boolean bigEndian = !little;

        Map<String, Root> roots = new LinkedHashMap<>();
        Unpickler.PersistentLoader loader = (pid, where) -> {
            if (!(pid instanceof Tuple t) || t.size() != 6 || !"storage".equals(t.get(0))) {
                throw new CheckpointException(src.path, where + ": persistent id " + TorchZipReader.describe(pid)
                        + " is not ('storage', type, key, location, numel, view)");
            }
            DType dtype = TorchZipReader.storageType(src, where, t.get(1));
            if (!(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel) || numel < 0) {
                throw new CheckpointException(src.path, where + ": malformed storage id " + TorchZipReader.describe(pid));
            }
            Root r = roots.computeIfAbsent(key, k -> new Root(k, dtype, numel));
            if (r.dtype != dtype || r.numel != numel) {
                throw new CheckpointException(src.path, where + ": storage '" + key + "' is described twice differently ("
                        + r.dtype + " x " + r.numel + ", then " + dtype + " x " + numel + ")");
            }
            long off = 0, n = numel;
            if (t.get(5) != null) {
                if (!(t.get(5) instanceof Tuple v) || v.size() != 3 || !(v.get(1) instanceof Long vo) || !(v.get(2) instanceof Long vn)
                        || vo < 0 || vn < 0 || vo > numel || vn > numel - vo) {
                    throw new CheckpointException(src.path, where + ": storage view " + TorchZipReader.describe(t.get(5))
                            + " does not fit storage '" + key + "' of " + numel + " elements");
                }
                off = vo;
                n = vn;
            }
            Storage s = new Storage(key, dtype, n, bigEndian, null);
            r.users.add(s);
            r.views.add(new long[] {off, n});
            return s;
        };
        Unpickler objReader = new Unpickler(src.path, "object pickle", all.duplicate().position(pos), false, loader);
        Object obj = objReader.load();
        pos += objReader.position();
        Unpickler keyReader = new Unpickler(src.path, "storage key list", all.duplicate().position(pos), false, null);
        Object keys = keyReader.load();
        long p = pos + (long) keyReader.position();
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(src.path, "legacy storage key list is a " + PickleObjects.typeName(keys) + ", not a list");
        }
        // Walk the storages in key order: 8-byte element count, then the bytes.
        for (Object k : keyList) {
            Root r = k instanceof String s ? roots.get(s) : null;
            if (r == null) {
                throw new CheckpointException(src.path, "legacy storage key " + TorchZipReader.describe(k)
                        + " is stored but never used by the object, so its element size is unknown");
            }
            if (r.users.get(0).bytes != null) throw new CheckpointException(src.path, "legacy storage '" + r.key + "' is stored twice");
            ByteBuffer countField = src.readHeader(p, 8);
            long count = bigEndian ? Long.reverseBytes(countField.getLong(0)) : countField.getLong(0);
            if (count != r.numel) {
                throw new CheckpointException(src.path, "legacy storage '" + r.key + "' at offset " + p + " holds " + count
                        + " elements but the pickle says " + r.numel);
            }
            long len = r.numel * r.dtype.byteSize();
            if (len > src.size - p - 8) {
                throw new CheckpointException(src.path, "truncated: legacy storage '" + r.key + "' needs bytes " + (p + 8) + ".."
                        + (p + 8 + len) + " but the file has " + src.size);
            }
            ByteSource region = new ByteSource.Region(src, p + 8, len);
            for (int i = 0; i < r.users.size(); i++) {
                long[] v = r.views.get(i);
                Storage s = r.users.get(i);
                s.bytes = v[0] == 0 && v[1] == r.numel ? region
                        : new ByteSource.Slice(region, v[0] * r.dtype.byteSize(), v[1] * r.dtype.byteSize());
            }
            p += 8 + len;
        }
        for (Root r : roots.values()) {
            if (r.users.get(0).bytes == null) {
                throw new CheckpointException(src.path, "legacy storage '" + r.key + "' is used but missing from the key list");
            }
        }
        Flattener f = new Flattener(src.path, false);
        f.add(obj);
        return new LoadedCheckpoint(src, CheckpointFormat.TORCH_LEGACY, f.tensors, f.metadata, "");
    }
}
