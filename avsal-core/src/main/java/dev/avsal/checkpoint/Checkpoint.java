package dev.avsal.checkpoint;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors from a weight file, whatever its format: safetensors, a PyTorch {@code torch.save} file (zip or
 * legacy), or a TorchScript archive. Open with {@link Checkpoints#open(Path)}.
 *
 * <p>Nested containers are flattened into dotted key paths ({@code state_dict.visual.conv1.weight}, list items by
 * index); {@link #subtree(String)} navigates into one of them. Tensors are read lazily.
 *
 * <p>Not thread-safe for concurrent {@link #close()}; reading tensors from several threads is allowed.
 */
public interface Checkpoint extends AutoCloseable {
    /** The file this checkpoint was read from. */
    Path file();

    /** The detected format. */
    CheckpointFormat format();

    /** Every tensor's dotted key path, in file order. */
    Set<String> tensorNames();

    /** True if a tensor has this name. */
    default boolean contains(String name) { return tensorNames().contains(name); }

    /** The tensor with this dotted key path; throws naming the file and the key when absent. */
    TensorData tensor(String name) throws CheckpointException;

    /**
     * Non-tensor entries by dotted key path (epoch numbers, strings, flags, safetensors {@code __metadata__}
     * strings under {@code __metadata__.KEY}), as Long, Double, Boolean, String or null.
     */
    Map<String, Object> metadata();

    /**
     * The entries under {@code prefix} (a dotted key path such as {@code state_dict} or {@code module}) with the
     * prefix and its dot removed. Throws IllegalArgumentException if nothing lies under it.
     */
    Checkpoint subtree(String prefix);

    /** Releases mappings and file handles. Tensors already converted to arrays stay valid. */
    @Override
    void close();
}
