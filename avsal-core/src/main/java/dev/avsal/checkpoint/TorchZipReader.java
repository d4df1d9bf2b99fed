package dev.avsal.checkpoint;

import dev.avsal.checkpoint.PickleObjects.Global;
import dev.avsal.checkpoint.PickleObjects.Kind;
import dev.avsal.checkpoint.PickleObjects.Storage;
import dev.avsal.checkpoint.PickleObjects.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@code torch.save} zip archives and {@code torch.jit.save} (TorchScript) archives:
 * {@code <folder>/data.pkl} is the pickled object, {@code <folder>/data/<key>} the raw storages,
 * {@code <folder>/byteorder} their byte order. The folder name is whatever the archive uses.
 */
final class TorchZipReader {
    private static final long MAX_PICKLE = 1L << 30;

    private TorchZipReader() {}

    static LoadedCheckpoint read(FileSource src) throws CheckpointException {
        ZipIndex zip = ZipIndex.read(src);
        String folder = null;
        for (String name : zip.entries.keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                if (folder != null) {
                    throw new CheckpointException(src.path, "zip archive holds two data.pkl records (" + folder
                            + "/data.pkl and " + name + ")");
                }
                folder = name.substring(0, slash);
            }
        }
        if (folder == null) {
            boolean oldScript = zip.entries.keySet().stream().anyMatch(n -> n.endsWith("/model.json") || n.equals("model.json"));
            throw new CheckpointException(src.path, oldScript
                    ? "TorchScript archive of the pre-1.4 (model.json) kind, which is not supported"
                    : "zip archive without a <folder>/data.pkl record: not a torch.save or TorchScript file");
        }
        String root = folder + "/";
        boolean torchScript = zip.entries.containsKey(root + "constants.pkl")
                || zip.entries.keySet().stream().anyMatch(n -> n.startsWith(root + "code/"));

        boolean bigEndian = false;
        ZipIndex.Entry order = zip.entries.get(root + "byteorder");
        if (order != null) {
            String s = StandardCharsets.US_ASCII.decode(zip.readSmall(order, 64)).toString().trim();
            if (s.equals("big")) bigEndian = true;
            else if (!s.equals("little")) throw new CheckpointException(src.path, "byteorder record says '" + s + "', not little or big");
        }
        ZipIndex.Entry pkl = zip.entries.get(root + "data.pkl");
        ByteBuffer pickle = zip.readSmall(pkl, MAX_PICKLE);

        Map<String, Storage> storages = new HashMap<>();
        boolean be = bigEndian;
        Unpickler.PersistentLoader loader = (pid, where) -> {
            if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
                throw new CheckpointException(src.path, where + ": persistent id " + describe(pid)
                        + " is not ('storage', type, key, location, numel)");
            }
            DType dtype = storageType(src, where, t.get(1));
            if (!(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel) || numel < 0) {
                throw new CheckpointException(src.path, where + ": malformed storage id " + describe(pid));
            }
            Storage known = storages.get(key);
            if (known != null && known.dtype == dtype && known.numel == numel) return known;
            ZipIndex.Entry e = zip.entries.get(root + "data/" + key);
            if (e == null) throw new CheckpointException(src.path, where + ": storage record " + root + "data/" + key + " is missing");
            ByteSource bytesOf = zip.source(e); // checks the entry lies inside the archive
            long bytes = numel > Long.MAX_VALUE / dtype.byteSize() ? -1 : numel * dtype.byteSize();
            if (e.size() != bytes) {
                throw new CheckpointException(src.path, where + ": storage '" + key + "' claims " + numel + " " + dtype
                        + " elements but its record " + e.name() + " holds " + e.size() + " bytes");
            }
            Storage s = new Storage(key, dtype, numel, be, bytesOf);
            storages.put(key, s);
            return s;
        };
        Object obj = new Unpickler(src.path, root + "data.pkl", pickle, torchScript, loader).load();
        Flattener f = new Flattener(src.path, torchScript);
        f.add(obj);
        return new LoadedCheckpoint(src, torchScript ? CheckpointFormat.TORCHSCRIPT : CheckpointFormat.TORCH_ZIP,
                f.tensors, torchScript ? new java.util.LinkedHashMap<>() : f.metadata, "");
    }

    /** The dtype named by a storage id's type: a typed storage class, or (newer files) a dtype. */
    static DType storageType(FileSource src, String where, Object type) throws CheckpointException {
        if (type instanceof Global g && (g.kind() == Kind.STORAGE_TYPE || g.kind() == Kind.DTYPE) && g.dtype() != null) {
            return g.dtype();
        }
        throw new CheckpointException(src.path, where + ": storage type " + describe(type)
                + " is not supported (supported: the Double/Float/Half/BFloat16/Long/Int/Short/Char/Byte/Bool storages)");
    }

    static String describe(Object o) {
        if (o instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) sb.append(i > 0 ? ", " : "").append(describe(t.get(i)));
            return sb.append(")").toString();
        }
        if (o instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        if (o instanceof Long || o instanceof Boolean) return o.toString();
        return PickleObjects.typeName(o);
    }
}
