package dev.avsal.checkpoint;

import dev.avsal.checkpoint.PickleObjects.Global;
import dev.avsal.checkpoint.PickleObjects.ScriptObject;
import dev.avsal.checkpoint.PickleObjects.TensorSpec;
import dev.avsal.checkpoint.PickleObjects.Tuple;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns an unpickled object tree into dotted key paths: tensors (validated views) and metadata leaves.
 * Not thread-safe; one instance per file.
 */
final class Flattener {
    /** Deeper nesting than this is refused (it also stops reference cycles built through the memo). */
    static final int MAX_DEPTH = 200;

    private final Path file;
    private final boolean torchScript;
    final Map<String, StridedTensor> tensors = new LinkedHashMap<>();
    final Map<String, Object> metadata = new LinkedHashMap<>();
    /** One StridedTensor per TensorSpec, so that a tensor reached twice is validated once. */
    private final Map<TensorSpec, StridedTensor> made = new IdentityHashMap<>();

    Flattener(Path file, boolean torchScript) {
        this.file = file;
        this.torchScript = torchScript;
    }

    /** Flattens {@code root}; in TorchScript mode only tensors reached through module attributes are kept. */
    void add(Object root) throws CheckpointException {
        visit(root, "", 0);
    }

    private void visit(Object o, String path, int depth) throws CheckpointException {
        if (depth > MAX_DEPTH) {
            throw new CheckpointException(file, "objects nested deeper than " + MAX_DEPTH + " levels at '"
                    + abbreviate(path) + "' (or a reference cycle)");
        }
        if (o instanceof TensorSpec t) {
            putTensor(path, t);
        } else if (torchScript) {
            // Module tree: parameters and buffers are tensor attributes of (sub)module objects.
            if (o instanceof ScriptObject s && s.state instanceof Map<?, ?> attrs) {
                for (Map.Entry<?, ?> e : attrs.entrySet()) {
                    Object v = e.getValue();
                    if (v instanceof TensorSpec || v instanceof ScriptObject) visit(v, join(path, key(e.getKey())), depth + 1);
                }
            }
        } else if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) visit(e.getValue(), join(path, key(e.getKey())), depth + 1);
        } else if (o instanceof Tuple t) {
            for (int i = 0; i < t.size(); i++) visit(t.get(i), join(path, Integer.toString(i)), depth + 1);
        } else if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object v : c) visit(v, join(path, Integer.toString(i++)), depth + 1);
        } else {
            putMetadata(path, leaf(o));
        }
    }

    private void putTensor(String path, TensorSpec t) throws CheckpointException {
        if (tensors.containsKey(path) || metadata.containsKey(path)) throw duplicate(path);
        StridedTensor st = made.get(t);
        if (st == null) {
            var s = t.storage();
            if (s.bytes == null) {
                throw new CheckpointException(file, "tensor '" + path + "' uses storage '" + s.key + "', whose bytes are not in the file");
            }
            try {
                st = StridedTensor.view(path, s.dtype, t.size(), t.stride(), t.offset(), s.bytes, s.numel, s.bigEndian);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, "tensor '" + path + "' " + e.getMessage() + " (storage '" + s.key + "')");
            }
            made.put(t, st);
            tensors.put(path, st);
        } else {
            tensors.put(path, st.renamed(path));
        }
    }

    private void putMetadata(String path, Object v) throws CheckpointException {
        if (tensors.containsKey(path) || metadata.containsKey(path)) throw duplicate(path);
        metadata.put(path, v);
    }

    private CheckpointException duplicate(String path) {
        return new CheckpointException(file, "two entries flatten to the same key path '" + path + "'");
    }

    /** Metadata values are Long, Double, Boolean, String or null (see {@link Checkpoints}). */
    private Object leaf(Object o) {
        if (o == null || o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof String) return o;
        if (o instanceof BigInteger b) return b.toString();
        if (o instanceof byte[] b) return new String(b, StandardCharsets.ISO_8859_1);
        if (o instanceof Global g) return g.qualifiedName();
        return PickleObjects.typeName(o);
    }

    private static String key(Object k) {
        if (k instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) sb.append(i > 0 ? ", " : "").append(key(t.get(i)));
            return sb.append(t.size() == 1 ? ",)" : ")").toString();
        }
        if (k instanceof Boolean b) return b ? "True" : "False";
        return k == null ? "None" : k.toString();
    }

    private static String join(String prefix, String k) {
        return prefix.isEmpty() ? k : prefix + "." + k;
    }

    private static String abbreviate(String path) {
        return path.length() <= 120 ? path : path.substring(0, 60) + "..." + path.substring(path.length() - 40);
    }
}
