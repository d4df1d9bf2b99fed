package dev.avsal.examples.cli;

import dev.avsal.examples.fetch.FetchException;
import dev.avsal.examples.fetch.Fetcher;
import dev.avsal.examples.fetch.ProgressBar;
import dev.avsal.examples.fetch.WeightSource;
import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code avsal fetch}: the official encoder weights into the cache folder, verified ({@link Fetcher}). */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        header = "Download the official encoder weights, verified by SHA-256, with resume.",
        description = {"Download the official encoder weights (OpenAI CLIP ViT-B/16, MIT; ImageBind-huge,"
                + " CC-BY-NC 4.0) from their published addresses, verify their SHA-256, resume broken downloads, and"
                + " print where they are.",
                "ImageBind publishes no checksum: the SHA-256 of the first download is printed and recorded next to"
                + " the file (FILE.sha256) and checked from then on. A download whose SHA-256 does not match is"
                + " deleted."})
final class FetchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "WHAT", arity = "0..*", description = "clip-b16, imagebind-huge or all (default: all).")
    List<String> what = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "DIR", description = "The cache folder (default: $AVSAL_HOME, else"
            + " $XDG_CACHE_HOME/avsal, else ~/.cache/avsal).")
    Path dir;

    @Option(names = "--offline", description = "Download nothing: verify the files that are present and list the"
            + " absent ones (exit code 1 if any is absent).")
    boolean offline;

    @Option(names = "--sha256", paramLabel = "HEX", description = "Expected SHA-256 (overrides the published or"
            + " recorded one; only with a single WHAT).")
    String sha256;

    @Option(names = "--manifest", paramLabel = "JSON", description = "Sources from a JSON file {name: {url, file,"
            + " sha256}} instead of the official ones (also: -D" + WeightSource.MANIFEST_PROPERTY + "=FILE in"
            + " AVSAL_JAVA_OPTS).")
    Path manifest;

    @Option(names = "--base-url", paramLabel = "URL", description = "Fetch every file from URL/FILE_NAME (a mirror;"
            + " also: -D" + WeightSource.BASE_URL_PROPERTY + "=URL in AVSAL_JAVA_OPTS).")
    String baseUrl;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws FetchException {
        List<WeightSource> sources = WeightSource.resolve(manifest, baseUrl);
        List<WeightSource> chosen = new ArrayList<>();
        List<String> names = what.isEmpty() ? List.of("all") : what;
        for (String n : names) {
            if (n.equals("all")) { chosen.addAll(sources); continue; }
            WeightSource s = sources.stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("unknown weights '" + n + "'; known: all, "
                            + sources.stream().map(WeightSource::name).collect(Collectors.joining(", "))));
            if (!chosen.contains(s)) chosen.add(s);
        }
        if (sha256 != null && chosen.size() != 1)
            throw new IllegalArgumentException("--sha256 needs exactly one WHAT, not " + chosen.size());
        Path folder = dir != null ? dir : Fetcher.defaultDir();
        var err = spec.commandLine().getErr();
        Fetcher f = new Fetcher(folder, offline, quiet ? null : new ProgressBar(err));
        var out = spec.commandLine().getOut();
        List<Map<String, Object>> files = new ArrayList<>();
        List<Fetcher.Result> results = new ArrayList<>();
        for (WeightSource s : chosen) {
            Fetcher.Result r = f.fetch(s, sha256);
            results.add(r);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("file", r.file().toString());
                m.put("url", r.url());
                m.put("bytes", r.bytes());
                m.put("sha256", r.sha256());
                m.put("expected_sha256", r.expected());
                m.put("checksum", r.checksum());
                m.put("status", r.status().name());
                m.put("licence", s.licence());
                files.add(m);
            } else if (r.status() == Fetcher.Status.absent) {
                out.printf("%s: absent %s%n", r.name(), r.file());
            } else {
                out.printf("%s: %s %s (%.1f MB)%n", r.name(), r.status(), r.file(), r.bytes() / 1e6);
                out.printf("  sha256 %s (%s)%n", r.sha256(), r.expected() == null
                        ? "no published checksum: recorded now, checked from now on" : "matches the " + r.checksum() + " one");
                if (!s.licence().isEmpty()) out.printf("  licence: %s%n", s.licence());
            }
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dir", folder.toString());
            doc.put("offline", offline);
            doc.put("files", files);
            out.println(Json.write(doc));
        }
        out.flush();
        List<String> absent = results.stream().filter(r -> r.status() == Fetcher.Status.absent)
                .map(Fetcher.Result::name).toList();
        if (!absent.isEmpty()) // the report above still lists what is present
            throw new FetchException(absent.size() + " of " + results.size() + " weight files are not present in "
                    + folder + " (" + String.join(", ", absent) + "); --offline downloads nothing: run 'avsal fetch "
                    + String.join(" ", absent) + "' without --offline, or put the files there");
        return 0;
    }
}
