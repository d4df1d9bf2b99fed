package dev.avsal.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open weight file: positional reads and memory mappings, plus a count of the tensor bytes taken from it.
 * Thread-safe (positional reads and mappings do not share a file position).
 */
final class FileSource implements AutoCloseable {
    /** Regions at least this big are memory-mapped; smaller ones are read into the heap (cheaper than mmap). */
    private static final int MAP_THRESHOLD = 256 * 1024;

    final Path path;
    final long size;
    private final FileChannel channel;
    private final AtomicLong tensorBytes = new AtomicLong();
    private volatile boolean closed;

    FileSource(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
    }

    /** Reads {@code len} bytes at {@code pos} for parsing (headers, pickles); not counted as tensor data. */
    ByteBuffer readHeader(long pos, int len) throws CheckpointException {
        if (pos < 0 || len < 0 || pos + len > size) {
            throw new CheckpointException(path, "truncated: needs bytes " + pos + ".." + (pos + len)
                    + " but the file has " + size);
        }
        try {
            return readFully(pos, len);
        } catch (IOException e) {
            throw new CheckpointException(path, "read failed at offset " + pos + ": " + e, e);
        }
    }

    /**
     * Tensor bytes {@code [pos, pos+len)}, little-endian ordered, counted in {@link #tensorBytesRead()}.
     * The range was validated at open time, so only I/O can fail here (unchecked, naming the file).
     */
    ByteBuffer readTensorBytes(long pos, int len) {
        if (closed) throw new IllegalStateException(path + ": checkpoint is closed");
        try {
            ByteBuffer b = len >= MAP_THRESHOLD ? channel.map(FileChannel.MapMode.READ_ONLY, pos, len)
                    : readFully(pos, len);
            tensorBytes.addAndGet(len);
            return b.order(ByteOrder.LITTLE_ENDIAN);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException(path + ": checkpoint is closed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read tensor bytes at offset " + pos, e);
        }
    }

    /** Whole-region mapping for parsing pickles in place (legacy files); not counted. */
    ByteBuffer mapHeader(long pos, long len) throws CheckpointException {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, pos, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot map the file: " + e, e);
        }
    }

    long tensorBytesRead() { return tensorBytes.get(); }

    private ByteBuffer readFully(long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            int n = channel.read(b, pos + b.position());
            if (n < 0) throw new IOException("unexpected end of file at offset " + (pos + b.position()));
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
