package dev.avsal.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one {@link Checkpoint} implementation: named lazy tensors and metadata over an open {@link FileSource}.
 * Subtrees share the file; closing any of them closes it.
 */
final class LoadedCheckpoint implements Checkpoint {
    private final FileSource source;
    private final CheckpointFormat format;
    private final Map<String, StridedTensor> tensors;
    private final Map<String, Object> metadata;
    private final String prefix; // of this subtree within the file, for messages ("" at the root)

    LoadedCheckpoint(FileSource source, CheckpointFormat format, Map<String, StridedTensor> tensors,
                     Map<String, Object> metadata, String prefix) {
        this.source = source;
        this.format = format;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.prefix = prefix;
    }

    FileSource source() { return source; }

    @Override public Path file() { return source.path; }
    @Override public CheckpointFormat format() { return format; }
    @Override public Set<String> tensorNames() { return tensors.keySet(); }
    @Override public Map<String, Object> metadata() { return metadata; }

    @Override
    public TensorData tensor(String name) throws CheckpointException {
        StridedTensor t = tensors.get(name);
        if (t != null) return t;
        String where = prefix.isEmpty() ? "" : " under '" + prefix + "'";
        List<String> near = new ArrayList<>();
        for (String k : tensors.keySet()) {
            if ((k.endsWith("." + name) || name.endsWith("." + k)) && near.size() < 5) near.add(k);
        }
        throw new CheckpointException(source.path, "no tensor named '" + name + "'" + where + " (" + tensors.size()
                + " tensors" + (near.isEmpty() ? "" : "; similar: " + String.join(", ", near)) + ")");
    }

    @Override
    public Checkpoint subtree(String sub) {
        String p = sub.endsWith(".") ? sub : sub + ".";
        Map<String, StridedTensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, StridedTensor> e : tensors.entrySet()) {
            if (e.getKey().startsWith(p)) {
                String k = e.getKey().substring(p.length());
                t.put(k, e.getValue().renamed(k));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            if (e.getKey().startsWith(p)) m.put(e.getKey().substring(p.length()), e.getValue());
        }
        String full = prefix.isEmpty() ? p.substring(0, p.length() - 1) : prefix + "." + p.substring(0, p.length() - 1);
        if (t.isEmpty() && m.isEmpty()) {
            throw new IllegalArgumentException(source.path + ": nothing under '" + full + "'");
        }
        return new LoadedCheckpoint(source, format, t, m, full);
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public String toString() {
        return format + " " + source.path + (prefix.isEmpty() ? "" : " [" + prefix + "]") + ": " + tensors.size()
                + " tensors";
    }
}
