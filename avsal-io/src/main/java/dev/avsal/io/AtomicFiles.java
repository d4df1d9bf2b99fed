package dev.avsal.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Write-then-rename for every output of this package: data go to a hidden temporary file next to the target and
 * only a complete file takes the target's name, so a crash or an error never leaves a half-written map or video
 * under the real name. Existing files are never replaced unless the caller allows it. Stateless, thread-safe.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Fails early (before any work) if target exists and may not be overwritten. */
    static void checkTarget(Path target, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "exists; refusing to overwrite it (allow overwriting explicitly)");
        }
        if (Files.isDirectory(target)) throw new IOException(target + ": is a directory");
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) throw new IOException(target + ": no such directory " + dir);
    }

    /** A fresh temporary path in the target's directory (hidden, with the target's name inside for clarity). */
    static Path temp(Path target) {
        Path abs = target.toAbsolutePath();
        String name = "." + abs.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        return abs.resolveSibling(name);
    }

    /**
     * Gives the finished temporary file the target's name. Without overwrite the target is created by a hard
     * link, which fails atomically if it appeared meanwhile; with overwrite a rename replaces it atomically.
     */
    static void commit(Path tmp, Path target, boolean overwrite) throws IOException {
        try {
            if (overwrite) {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return;
            }
            try {
                Files.createLink(target, tmp);
            } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
                if (e instanceof FileAlreadyExistsException) throw e;
                Files.move(tmp, target); // no hard links here: not atomic, but still refuses an existing target
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes a temporary file after a failure, never throwing. */
    static void discard(Path tmp) {
        try {
            if (tmp != null) Files.deleteIfExists(tmp);
        } catch (IOException ignored) { // best effort: the failure being reported matters more
        }
    }
}
