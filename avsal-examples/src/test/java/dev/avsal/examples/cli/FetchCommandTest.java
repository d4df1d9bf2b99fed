package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.examples.fetch.FetchException;
import dev.avsal.examples.fetch.Fetcher;
import dev.avsal.examples.fetch.WeightSource;
import dev.avsal.model.ClipVisionConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code avsal fetch} against a JDK HTTP server on 127.0.0.1 serving small files: download with verification,
 * recording a checksum where none is published, resume with an HTTP Range after a transfer broke off, checksum
 * mismatch, 404, offline mode, the base-URL override.
 */
class FetchCommandTest {
    static final byte[] CLIP = bytes(300_000, 1), IMAGEBIND = bytes(200_000, 2);

    HttpServer server;
    java.util.concurrent.ExecutorService pool;
    String base;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<String> requests = new ArrayList<>(); // "path range"
    volatile String userAgent;
    final AtomicInteger stallAfter = new AtomicInteger(-1);
    final AtomicInteger breakNext = new AtomicInteger(-1); // bytes after which the next full response breaks off

    @BeforeEach
    void start() throws IOException {
        files.put("/w/clip.bin", CLIP);
        files.put("/w/ib.bin", IMAGEBIND);
        files.put("/w/ViT-B-16.pt", CLIP); // for the base-URL test: not the published file
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        pool = java.util.concurrent.Executors.newCachedThreadPool(); // a stalled response must not block the next
        server.setExecutor(pool);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath(), range = ex.getRequestHeaders().getFirst("Range");
        userAgent = ex.getRequestHeaders().getFirst("User-Agent");
        synchronized (requests) {
            requests.add(path + " " + range);
        }
        byte[] body = files.get(path);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        int from = 0;
        if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= body.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        int cut = breakNext.getAndSet(-1);
        try (OutputStream out = ex.getResponseBody()) {
            if (stallAfter.get() >= 0 && from == 0) { // send part, then nothing until the client gives up
                out.write(body, 0, stallAfter.getAndSet(-1));
                out.flush();
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
            if (cut >= 0 && from == 0) { // announce everything, send part of it, then drop the connection
                out.write(body, 0, cut);
                out.flush();
                ex.close(); // fewer bytes than Content-Length: the server closes the connection
                return;
            }
            out.write(body, from, body.length - from);
        } catch (IOException expectedOnBreak) {
            // the break-off above
        }
    }

    Path manifest(Path dir, String clipSha) throws IOException {
        String json = "{\"clip-b16\": {\"url\": \"" + base + "/w/clip.bin\", \"file\": \"ViT-B-16.pt\", \"sha256\": \""
                + clipSha + "\", \"licence\": \"MIT\"},"
                + " \"imagebind-huge\": {\"url\": \"" + base + "/w/ib.bin\", \"file\": \"imagebind_huge.pth\"},"
                + " \"gone\": {\"url\": \"" + base + "/w/missing.bin\"}}";
        return Files.writeString(dir.resolve("manifest.json"), json);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> files(Result r) throws Exception {
        return (List<Map<String, Object>>) CliTest.json(r.out()).get("files");
    }

    @Test
    void downloadsVerifiesRecordsAndThenFindsThemPresent(@TempDir Path tmp) throws Exception {
        Path m = manifest(tmp, sha(CLIP)), cache = tmp.resolve("cache");
        Result r = CliTest.run("fetch", "clip-b16", "imagebind-huge", "--manifest", m.toString(), "--dir",
                cache.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> f = files(r);
        assertEquals(List.of("clip-b16", "imagebind-huge"), f.stream().map(x -> x.get("name")).toList());
        assertEquals("downloaded", f.get(0).get("status"));
        assertEquals("published", f.get(0).get("checksum"));
        assertEquals(sha(CLIP), f.get(0).get("sha256"));
        assertEquals("none", f.get(1).get("checksum"));
        assertEquals(null, f.get(1).get("expected_sha256"));
        assertTrue(Arrays.equals(CLIP, Files.readAllBytes(cache.resolve("ViT-B-16.pt"))));
        assertTrue(Arrays.equals(IMAGEBIND, Files.readAllBytes(cache.resolve("imagebind_huge.pth"))));
        assertTrue(Files.readString(cache.resolve("imagebind_huge.pth.sha256")).startsWith(sha(IMAGEBIND) + "  "));
        assertTrue(r.err().contains("100%"), "progress bar on stderr: " + r.err());
        assertFalse(Files.exists(cache.resolve("ViT-B-16.pt.part")));
        assertTrue(userAgent.startsWith("avsal/0."), userAgent);

        int before = requests.size();
        Result again = CliTest.run("fetch", "clip-b16", "imagebind-huge", "--manifest", m.toString(), "--dir",
                cache.toString(), "--json");
        assertEquals(0, again.code(), again.err());
        assertEquals(List.of("present", "present"), files(again).stream().map(x -> x.get("status")).toList());
        assertEquals("recorded", files(again).get(1).get("checksum"));
        assertEquals(before, requests.size(), "nothing downloaded again");
    }

    @Test
    void aBrokenTransferIsResumedWithARangeRequest(@TempDir Path tmp) throws Exception {
        Path m = manifest(tmp, sha(CLIP)), cache = tmp.resolve("cache");
        breakNext.set(120_000);
        Result r = CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, r.code(), r.err());
        assertTrue(r.err().contains("broke off") || r.err().contains("ended after"), r.err());
        assertTrue(r.err().contains("resume"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
        Path part = cache.resolve("ViT-B-16.pt.part");
        long have = Files.size(part);
        assertTrue(have > 0 && have <= 120_000, "partial download kept: " + have);
        assertTrue(Arrays.equals(Arrays.copyOf(CLIP, (int) have), Files.readAllBytes(part)));
        assertFalse(Files.exists(cache.resolve("ViT-B-16.pt")));

        Result r2 = CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString(), "--json");
        assertEquals(0, r2.code(), r2.err());
        assertEquals("resumed", files(r2).get(0).get("status"));
        assertTrue(requests.contains("/w/clip.bin bytes=" + have + "-"), requests.toString());
        assertTrue(Arrays.equals(CLIP, Files.readAllBytes(cache.resolve("ViT-B-16.pt"))));
        assertFalse(Files.exists(part));
    }

    @Test
    void aStalledTransferIsAbandonedAndResumable(@TempDir Path tmp) throws Exception {
        stallAfter.set(50_000);
        WeightSource src = WeightSource.manifest(manifest(tmp, sha(CLIP))).get(0);
        Fetcher f = new Fetcher(tmp.resolve("cache"), false, null, java.time.Duration.ofMillis(500));
        FetchException.NetworkException e = assertThrows(FetchException.NetworkException.class, () -> f.fetch(src, null));
        // "no data for": the watchdog gave up (the server would only close the connection after 5 s)
        assertTrue(e.getMessage().contains("no data for") && e.getMessage().contains("resume"), e.getMessage());
        assertEquals(50_000, Files.size(tmp.resolve("cache/ViT-B-16.pt.part")));
        assertEquals(Fetcher.Status.resumed, f.fetch(src, null).status());
        assertTrue(Arrays.equals(CLIP, Files.readAllBytes(tmp.resolve("cache/ViT-B-16.pt"))));
    }

    @Test
    void aSecondFetchOfTheSameFileIsRefusedWhileOneRuns(@TempDir Path tmp) throws Exception {
        Path m = manifest(tmp, sha(CLIP)), cache = Files.createDirectories(tmp.resolve("cache"));
        try (var ch = java.nio.channels.FileChannel.open(cache.resolve("ViT-B-16.pt.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            Result r = CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString());
            assertEquals(AvSalCli.EXIT_INPUT, r.code(), r.err());
            assertTrue(r.err().contains("another avsal fetch is downloading"), r.err());
            assertEquals(0, requests.size());
        }
        assertEquals(0, CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString()).code());
    }

    @Test
    void aChecksumMismatchDeletesTheDownloadAndNamesBothDigests(@TempDir Path tmp) throws Exception {
        String wrong = "ab".repeat(32);
        Path m = manifest(tmp, wrong), cache = tmp.resolve("cache");
        Result r = CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, r.code(), r.err());
        assertTrue(r.err().contains(wrong) && r.err().contains(sha(CLIP)), r.err());
        assertFalse(Files.exists(cache.resolve("ViT-B-16.pt")));
        assertFalse(Files.exists(cache.resolve("ViT-B-16.pt.part")));
        // a given digest overrides the (absent) published one of imagebind-huge
        Result given = CliTest.run("fetch", "imagebind-huge", "--sha256", wrong, "--manifest", m.toString(), "--dir",
                cache.toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, given.code(), given.err());
        assertTrue(given.err().contains("given"), given.err());
    }

    @Test
    void notFoundIsANetworkErrorNamingTheUrl(@TempDir Path tmp) throws Exception {
        Result r = CliTest.run("fetch", "gone", "--manifest", manifest(tmp, sha(CLIP)).toString(), "--dir",
                tmp.resolve("c").toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, r.code(), r.err());
        assertTrue(r.err().contains("HTTP 404") && r.err().contains("/w/missing.bin"), r.err());
        Result unknown = CliTest.run("fetch", "nonsense", "--manifest", manifest(tmp, sha(CLIP)).toString());
        assertEquals(AvSalCli.EXIT_INPUT, unknown.code());
        assertTrue(unknown.err().contains("known: all, clip-b16"), unknown.err());
    }

    @Test
    void offlineOnlyVerifiesWhatIsPresent(@TempDir Path tmp) throws Exception {
        Path m = manifest(tmp, sha(CLIP)), cache = tmp.resolve("cache");
        Result absent = CliTest.run("fetch", "clip-b16", "imagebind-huge", "--offline", "--json", "--manifest",
                m.toString(), "--dir", cache.toString());
        assertEquals(AvSalCli.EXIT_INPUT, absent.code(), absent.err());
        assertTrue(absent.err().contains("2 of 2") && absent.err().contains("clip-b16, imagebind-huge"), absent.err());
        assertEquals(List.of("absent", "absent"), files(absent).stream().map(x -> x.get("status")).toList());
        assertEquals(0, requests.size(), "offline made a request");

        assertEquals(0, CliTest.run("fetch", "--manifest", m.toString(), "--dir", cache.toString(), "-q",
                "clip-b16", "imagebind-huge").code());
        int before = requests.size();
        Result ok = CliTest.run("fetch", "clip-b16", "imagebind-huge", "--offline", "--json", "--manifest",
                m.toString(), "--dir", cache.toString());
        assertEquals(0, ok.code(), ok.err());
        Result partly = CliTest.run("fetch", "--offline", "--manifest", m.toString(), "--dir", cache.toString());
        assertEquals(AvSalCli.EXIT_INPUT, partly.code(), partly.err()); // "gone" was never downloaded
        assertTrue(partly.out().contains("clip-b16: present") && partly.out().contains("gone: absent"), partly.out());
        assertTrue(partly.err().contains("1 of 3"), partly.err());
        assertEquals(true, CliTest.json(ok.out()).get("offline"));
        assertEquals(List.of("published", "recorded"), files(ok).stream().map(x -> x.get("checksum")).toList());

        byte[] bad = CLIP.clone();
        bad[1000] ^= 1;
        Files.write(cache.resolve("ViT-B-16.pt"), bad);
        Result corrupt = CliTest.run("fetch", "clip-b16", "--offline", "--manifest", m.toString(), "--dir",
                cache.toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, corrupt.code(), corrupt.err());
        assertTrue(corrupt.err().contains(sha(bad)) && corrupt.err().contains(sha(CLIP)), corrupt.err());
        assertTrue(Arrays.equals(bad, Files.readAllBytes(cache.resolve("ViT-B-16.pt"))), "offline left it alone");
        assertEquals(before, requests.size(), "offline made a request");

        // online, the corrupt file is replaced by a verified download
        Result fixed = CliTest.run("fetch", "clip-b16", "--manifest", m.toString(), "--dir", cache.toString());
        assertEquals(0, fixed.code(), fixed.err());
        assertTrue(Arrays.equals(CLIP, Files.readAllBytes(cache.resolve("ViT-B-16.pt"))));
    }

    @Test
    void theBaseUrlOverrideKeepsThePublishedChecksum(@TempDir Path tmp) throws Exception {
        Result r = CliTest.run("fetch", "clip-b16", "--base-url", base + "/w/", "--dir", tmp.toString());
        assertEquals(AvSalCli.EXIT_DOWNLOAD, r.code(), r.err());
        assertTrue(requests.contains("/w/ViT-B-16.pt null"), requests.toString());
        assertTrue(r.err().contains(ClipVisionConfig.preset("ViT-B/16").sha256()), r.err());
        assertTrue(r.err().contains("published"), r.err());
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
