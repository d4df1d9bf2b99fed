package dev.avsal.checkpoint;

import dev.avsal.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files byte for byte as the safetensors library does: tensors ordered by the library's dtype
 * ranking (decreasing element size, so every tensor is aligned to its element size) then name, a JSON header
 * padded with spaces to a multiple of 8 bytes, optional string metadata (sorted by key) under
 * {@code __metadata__}. The file appears atomically (written to a temporary file
 * in the same folder, then renamed), so a reader never sees half a file. Stateless and thread-safe.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} (named by their map keys; e.g. {@link ArrayTensor}s, or tensors of another
     * checkpoint) and {@code metadata} (may be empty or null) to {@code file}, replacing it.
     *
     * @throws IllegalArgumentException for an empty name or {@code __metadata__} as a tensor name
     * @throws CheckpointException if the file cannot be written
     */
    public static void write(Path file, Map<String, ? extends TensorData> tensors, Map<String, String> metadata)
            throws CheckpointException {
        record Item(String name, TensorData t, long size) {}
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, ? extends TensorData> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid safetensors tensor name '" + name + "'");
            }
            TensorData t = e.getValue();
            items.add(new Item(name, t, t.numel() * t.dtype().byteSize()));
        }
        // The safetensors library's order: by its dtype ranking, largest first, then by name.
        items.sort(Comparator.comparingInt((Item i) -> -rank(i.t.dtype())).thenComparing(Item::name));

        StringBuilder h = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            h.append("\"__metadata__\":").append(Json.write(new TreeMap<>(metadata)));
        }
        long offset = 0;
        for (Item it : items) {
            if (h.length() > 1) h.append(',');
            Json.quote(it.name, h);
            h.append(":{\"dtype\":\"").append(it.t.dtype().name()).append("\",\"shape\":")
                    .append(Json.write(it.t.shape())).append(",\"data_offsets\":[").append(offset).append(',')
                    .append(offset + it.size).append("]}");
            offset += it.size;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(header);
                while (head.hasRemaining()) head.put((byte) ' ');
                writeAll(ch, head.flip());
                for (Item it : items) {
                    ByteBuffer b = it.t.toByteBuffer().duplicate();
                    if (b.remaining() != it.size) {
                        throw new IllegalArgumentException(it.name + ": toByteBuffer() gave " + b.remaining()
                                + " bytes, expected " + it.size);
                    }
                    writeAll(ch, b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write safetensors file: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort cleanup of our own temporary file
                }
            }
        }
    }

    /** Rank of a dtype in the safetensors library's Dtype enum; every rank step keeps or lowers the size. */
    private static int rank(DType t) {
        return switch (t) {
            case BOOL -> 0; case U8 -> 1; case I8 -> 2; case I16 -> 3; case F16 -> 4; case BF16 -> 5;
            case I32 -> 6; case F32 -> 7; case F64 -> 8; case I64 -> 9;
        };
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
