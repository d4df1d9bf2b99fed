package dev.avsal.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens weight files of any supported format, detected from their content (never from the file name):
 * <ul>
 *   <li>safetensors (every {@link DType}), memory-mapped, header fully validated;</li>
 *   <li>{@code torch.save} zip archives (any archive folder name, little- or big-endian) and legacy pre-1.6
 *       files, unpickled in pure Java with a whitelist like {@code torch.load(weights_only=True)}: plain
 *       containers, primitives and the tensor rebuild functions; any other pickle global is refused with an
 *       {@link UnsafeCheckpointException} before anything is built from it;</li>
 *   <li>TorchScript archives ({@code torch.jit.save}), whose module tree yields parameters and buffers by dotted
 *       attribute path ({@code visual.conv1.weight}); other attributes are ignored.</li>
 * </ul>
 * Nested containers are flattened to dotted key paths (list and tuple items by index, dict keys by their string
 * form); non-tensor leaves become {@link Checkpoint#metadata()} (Python ints beyond 64 bits as decimal strings,
 * byte strings as ISO-8859-1 strings, sets by index like lists). A bare tensor saved on its own is named
 * {@code ""}.
 *
 * <p>Everything that could make a later read fail (offsets, sizes, view extents against their storages) is
 * checked at open time; tensor bytes are read only when a tensor's values are asked for, and only the bytes that
 * tensor spans (zip entries that some tool deflated, which torch never does, are verified by one streaming pass
 * at open and inflated again on each read). Only I/O failures can then escape a read, as unchecked exceptions
 * naming the file; so can a value read of a tensor too large for a Java array (over 2 GiB). Stateless and
 * thread-safe.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Opens a weight file; the caller closes the result. */
    public static Checkpoint open(Path file) throws CheckpointException {
        if (Files.isDirectory(file)) throw new CheckpointException(file, "is a directory, not a weight file");
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new CheckpointException(file, "permission denied");
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "cannot open: " + e, e);
        }
        FileSource src;
        try {
            src = new FileSource(file, ch);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CheckpointException(file, "cannot read: " + e, e);
        }
        try {
            return detectAndRead(src);
        } catch (CheckpointException e) {
            src.close();
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A parser bug must still end in a typed error naming the file, and release it.
            src.close();
            throw new CheckpointException(file, "cannot parse: " + e, e);
        }
    }

    /**
     * Bytes of tensor data read from the file so far through this checkpoint and its subtrees (the bytes each
     * value read spans; headers and pickles are not counted). Lets a test or benchmark prove that reading a few
     * tensors never touched the others.
     *
     * @throws IllegalArgumentException for a checkpoint not opened by {@link #open(Path)}
     */
    public static long bytesRead(Checkpoint checkpoint) {
        if (checkpoint instanceof LoadedCheckpoint c) return c.source().tensorBytesRead();
        throw new IllegalArgumentException("not a checkpoint opened by Checkpoints.open: " + checkpoint);
    }

    private static LoadedCheckpoint detectAndRead(FileSource src) throws CheckpointException {
        if (src.size == 0) throw new CheckpointException(src.path, "empty file (0 bytes)");
        ByteBuffer head = src.readHeader(0, (int) Math.min(src.size, 32));
        int b0 = head.get(0) & 0xff;
        if (src.size >= 4 && head.getInt(0) == 0x04034b50) return TorchZipReader.read(src); // "PK\3\4"
        if (SafetensorsReader.looksLike(head, src.size)) return SafetensorsReader.read(src);
        if (b0 == 0x80) return LegacyTorchReader.read(src);
        throw new CheckpointException(src.path, "not a safetensors, torch.save or TorchScript file (first bytes: "
                + hex(head, 16) + ")");
    }

    static String hex(ByteBuffer b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(max, b.limit()); i++) {
            if (i > 0) sb.append(' ');
            sb.append(String.format("%02x", b.get(i) & 0xff));
        }
        return sb.toString();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
