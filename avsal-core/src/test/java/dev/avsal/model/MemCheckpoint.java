package dev.avsal.model;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.CheckpointFormat;
import dev.avsal.checkpoint.TensorData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An in-memory checkpoint for tests. */
final class MemCheckpoint implements Checkpoint {
    private final Path file;
    private final Map<String, TensorData> tensors;

    MemCheckpoint(String fileName, Map<String, ? extends TensorData> tensors) {
        this.file = Path.of(fileName);
        this.tensors = new LinkedHashMap<>(tensors);
    }

    @Override public Path file() { return file; }
    @Override public CheckpointFormat format() { return CheckpointFormat.SAFETENSORS; }
    @Override public Set<String> tensorNames() { return tensors.keySet(); }

    @Override public TensorData tensor(String name) throws CheckpointException {
        TensorData t = tensors.get(name);
        if (t == null) throw new CheckpointException(file, "no tensor '" + name + "'");
        return t;
    }

    @Override public Map<String, Object> metadata() { return Map.of(); }

    @Override public Checkpoint subtree(String prefix) {
        Map<String, TensorData> sub = new LinkedHashMap<>();
        tensors.forEach((k, v) -> { if (k.startsWith(prefix + ".")) sub.put(k.substring(prefix.length() + 1), v); });
        if (sub.isEmpty()) throw new IllegalArgumentException("nothing under " + prefix);
        return new MemCheckpoint(file.toString(), sub);
    }

    @Override public void close() {}
}
