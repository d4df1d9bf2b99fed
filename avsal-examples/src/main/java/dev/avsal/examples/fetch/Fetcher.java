package dev.avsal.examples.fetch;

import dev.avsal.examples.fetch.FetchException.ChecksumMismatchException;
import dev.avsal.examples.fetch.FetchException.NetworkException;
import dev.avsal.model.WeightConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads weight files into a cache folder with SHA-256 verification and resume.
 *
 * <ul>
 *   <li>A download goes to {@code FILE.part}; it is renamed to {@code FILE} (atomically) only after its SHA-256
 *       matched. A transfer that breaks off leaves the {@code .part} file, and the next run asks the server for the
 *       rest ({@code Range: bytes=N-}); a server that ignores the range (200) makes it start over.</li>
 *   <li>Checksum policy (our choice): a complete download whose SHA-256 differs from the expected one is
 *       <b>deleted</b> and a {@link ChecksumMismatchException} names both digests: keeping it as {@code .part}
 *       would make the next run "resume" past the end of a bad file. A present {@code FILE} that does not match is
 *       downloaded again and replaced only by a verified copy; offline it is reported and left alone.</li>
 *   <li>Sources without a published checksum (ImageBind-huge): the SHA-256 computed at the first download is
 *       recorded in {@code FILE.sha256} ({@code sha256sum} format) and checked from then on; an expected digest
 *       given by the caller takes precedence.</li>
 *   <li>A transfer that receives nothing for 2 minutes (configurable) is abandoned like one that broke off.</li>
 *   <li>Offline, nothing is downloaded: present files are verified, absent ones are reported
 *       ({@link Status#absent}).</li>
 * </ul>
 * Not thread-safe. A download holds a lock on {@code FILE.lock} (an OS file lock, released when the process ends),
 * so a second fetch of the same file into the same folder fails at once instead of corrupting the {@code .part}.
 */
public final class Fetcher {
    /** Where a fetch stands; see {@link Result#status()}. */
    public enum Status { downloaded, resumed, present, /** offline only: the file is not there */ absent }

    /**
     * The outcome for one file.
     *
     * @param name      the source's name
     * @param file      the verified file
     * @param url       where it came from (or would have)
     * @param bytes     its size (0 when absent)
     * @param sha256    its SHA-256 (null when absent)
     * @param expected  the digest it was checked against, or null when there was none
     * @param checksum  where {@code expected} came from: {@code published}, {@code given}, {@code recorded} (an
     *                  earlier download's), or {@code none} (recorded now for next time)
     * @param status    downloaded, resumed (a partial download completed), present (nothing transferred) or absent
     *                  (offline only)
     */
    public record Result(String name, Path file, String url, long bytes, String sha256, String expected,
                         String checksum, Status status) {}

    /** Progress callbacks of one transfer (e.g. {@link ProgressBar}). */
    public interface Progress {
        void start(String name, long offset, long total);

        void advance(long done);

        void end();
    }

    private final Path dir;
    private final boolean offline;
    private final Progress progress;
    private final HttpClient http;
    private final long stallNanos;

    /**
     * @param dir      the cache folder (created when needed)
     * @param offline  verify only; never connect
     * @param progress progress callbacks, or null
     */
    public Fetcher(Path dir, boolean offline, Progress progress) {
        this(dir, offline, progress, Duration.ofSeconds(120));
    }

    /**
     * @param stall a transfer that receives no byte for this long is abandoned (a {@link NetworkException}; the
     *              {@code .part} file is kept for resuming)
     */
    public Fetcher(Path dir, boolean offline, Progress progress, Duration stall) {
        this.stallNanos = stall.toNanos();
        this.dir = dir;
        this.offline = offline;
        this.progress = progress;
        this.http = offline ? null : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** {@code $AVSAL_HOME} if set, else {@code $XDG_CACHE_HOME/avsal}, else {@code ~/.cache/avsal}. */
    public static Path defaultDir() {
        String home = System.getenv("AVSAL_HOME");
        if (home != null && !home.isBlank()) return Path.of(home);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "avsal");
        return Path.of(System.getProperty("user.home"), ".cache", "avsal");
    }

    /**
     * Makes sure {@code source}'s file is present and verified.
     *
     * @param givenSha256 a digest that overrides the source's (and any recorded one), or null
     */
    public Result fetch(WeightSource source, String givenSha256) throws FetchException {
        Path file = dir.resolve(source.fileName()), part = partOf(file), record = recordOf(file);
        String given = givenSha256 == null ? null : source.withSha256(givenSha256).sha256();
        String expected, origin;
        if (given != null) { expected = given; origin = "given"; }
        else if (source.sha256() != null) { expected = source.sha256(); origin = "published"; }
        else { expected = readRecord(record); origin = expected != null ? "recorded" : "none"; }

        if (Files.isRegularFile(file)) {
            String actual = sha256(file);
            if (expected == null || expected.equals(actual)) {
                if (expected == null) writeRecord(record, actual, file);
                return new Result(source.name(), file, source.url(), size(file), actual, expected, origin, Status.present);
            }
            if (offline)
                throw new ChecksumMismatchException(file + ": SHA-256 " + actual + " does not match the " + origin
                        + " " + expected + "; delete it and run 'avsal fetch " + source.name() + "' online", expected, actual);
        }
        if (offline) return new Result(source.name(), file, source.url(), 0, null, expected, origin, Status.absent);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FetchException("cannot create the folder " + dir + ": " + e.getMessage(), e);
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel, file)) {
            Status status = download(source, part);
            String actual = sha256(part);
            if (expected != null && !expected.equals(actual)) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // reported below in any case
                }
                throw new ChecksumMismatchException(source.url() + ": the download's SHA-256 is " + actual + ", the "
                        + origin + " one is " + expected + " (the bad download was deleted; run again, or check the URL"
                        + " and --sha256)", expected, actual);
            }
            move(part, file);
            if (expected == null) writeRecord(record, actual, file);
            return new Result(source.name(), file, source.url(), size(file), actual, expected, origin, status);
        } catch (IOException e) {
            throw new FetchException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /** One download per file at a time, across processes (two appending to one .part would corrupt it). */
    private static FileLock tryLock(FileChannel ch, Path file) throws IOException, FetchException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null)
            throw new FetchException("another avsal fetch is downloading " + file + "; wait for it, or remove "
                    + file.getFileName() + ".lock if no other fetch runs");
        return lock;
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private Status download(WeightSource s, Path part) throws FetchException {
        long offset = Files.isRegularFile(part) ? size(part) : 0;
        // the timeout covers the wait for the response headers, not the transfer itself
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri(s)).GET().timeout(Duration.ofSeconds(60))
                .header("User-Agent", "avsal/" + dev.avsal.Diagnostics.version().split(" ")[0]);
        if (offset > 0) rb.header("Range", "bytes=" + offset + "-");
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new NetworkException("cannot download " + s.url() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while connecting to " + s.url(), e);
        }
        int code = resp.statusCode();
        long total = -1;
        boolean append = false;
        if (code == 416 && offset > 0) { // the part already holds everything the server has: verify it
            close(resp.body());
            return Status.resumed;
        } else if (code == 206 && offset > 0) {
            Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("Content-Range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                close(resp.body());
                throw new NetworkException(s.url() + ": the server answered the resume request for bytes " + offset
                        + "- with Content-Range '" + resp.headers().firstValue("Content-Range").orElse("") + "'");
            }
            append = true;
            if (!m.group(3).equals("*")) total = Long.parseLong(m.group(3));
        } else if (code == 200) {
            offset = 0; // the server sends the whole file (no range support, or a fresh download)
            total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        } else {
            close(resp.body());
            throw new NetworkException(s.url() + ": HTTP " + code + (code == 404 ? " (not found: check the URL)" : "")
                    + (Files.exists(part) ? "; the partial download " + part.getFileName() + " is kept" : ""));
        }
        long done = offset;
        if (progress != null) progress.start(s.name(), offset, total);
        InputStream in = resp.body();
        // a stalled connection would block read() forever: a watchdog closes the stream, which makes read() throw
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "avsal-fetch-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(5000, stallNanos / 4_000_000));
        watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastData.get() > stallNanos && !stalled.getAndSet(true)) close(in);
        }, period, period, TimeUnit.MILLISECONDS);
        try (in; OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                lastData.set(System.nanoTime());
                if (progress != null) progress.advance(done);
            }
        } catch (IOException e) {
            String why = stalled.get() ? "no data for " + stallNanos / 1_000_000_000 + " s" : describe(e);
            throw new NetworkException("the download of " + s.url() + " broke off after " + done + " bytes ("
                    + why + "); " + part.getFileName() + " is kept: run again to resume", e);
        } finally {
            watchdog.shutdownNow();
            if (progress != null) progress.end();
        }
        if (stalled.get())
            throw new NetworkException("the download of " + s.url() + " stalled after " + done + " bytes (no data for "
                    + stallNanos / 1_000_000_000 + " s); " + part.getFileName() + " is kept: run again to resume");
        if (total >= 0 && done != total)
            throw new NetworkException("the download of " + s.url() + " ended after " + done + " of " + total
                    + " bytes; " + part.getFileName() + " is kept: run again to resume");
        return append ? Status.resumed : Status.downloaded;
    }

    private static URI uri(WeightSource s) throws FetchException {
        try {
            URI u = URI.create(s.url());
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()))
                throw new FetchException(s.name() + ": URL '" + s.url() + "' is not http(s)");
            return u;
        } catch (IllegalArgumentException e) {
            throw new FetchException(s.name() + ": invalid URL '" + s.url() + "'", e);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    static Path partOf(Path file) { return file.resolveSibling(file.getFileName() + ".part"); }

    static Path recordOf(Path file) { return file.resolveSibling(file.getFileName() + ".sha256"); }

    private static String readRecord(Path record) throws FetchException {
        if (!Files.isRegularFile(record)) return null;
        try {
            String s = Files.readString(record, StandardCharsets.UTF_8).trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
            if (!s.matches("[0-9a-f]{64}")) throw new FetchException(record + ": not a SHA-256 record; delete it");
            return s;
        } catch (IOException e) {
            throw new FetchException("cannot read " + record + ": " + e.getMessage(), e);
        }
    }

    private static void writeRecord(Path record, String sha, Path file) throws FetchException {
        Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sha + "  " + file.getFileName() + "\n", StandardCharsets.UTF_8);
            move(tmp, record);
        } catch (IOException | FetchException e) {
            throw new FetchException("cannot record the SHA-256 of " + file + " in " + record + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws FetchException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new FetchException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path f) throws FetchException {
        try {
            return WeightConverter.sha256(f);
        } catch (IOException e) {
            throw new FetchException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static long size(Path f) throws FetchException {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new FetchException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the response is abandoned anyway
        }
    }
}
