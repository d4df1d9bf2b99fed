package dev.avsal.examples.fetch;

import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.ImageBindAudioConfig;
import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One downloadable weight file: a short name ({@code clip-b16}), the file name it is stored under, its URL, and its
 * SHA-256 when one is published (null otherwise).
 *
 * @param name     the name {@code avsal fetch} takes
 * @param fileName the file name in the cache folder
 * @param url      where it is downloaded from
 * @param sha256   the published SHA-256 (lower-case hex), or null when none is published
 * @param licence  the weights' licence, for the user
 */
public record WeightSource(String name, String fileName, String url, String sha256, String licence) {
    public WeightSource {
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}"))
                throw new IllegalArgumentException(name + ": '" + sha256 + "' is not a SHA-256 (64 hex digits)");
        }
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith("."))
            throw new IllegalArgumentException(name + ": file name '" + fileName + "' must be a plain file name");
    }

    /** System property naming a manifest file that replaces {@link #official()} (see {@link #manifest(Path)}). */
    public static final String MANIFEST_PROPERTY = "avsal.fetch.manifest";
    /** System property: a base URL replacing the official hosts (files are fetched from BASE/fileName). */
    public static final String BASE_URL_PROPERTY = "avsal.fetch.base-url";

    /**
     * The official sources: OpenAI's ViT-B/16 (SHA-256 published as the URL's folder name in openai/CLIP
     * {@code clip.py}) and ImageBind-huge (no checksum published; the one computed at the first download is
     * recorded next to the file and checked from then on).
     */
    public static List<WeightSource> official() {
        ClipVisionConfig.Preset b16 = ClipVisionConfig.preset("ViT-B/16");
        return List.of(
                new WeightSource("clip-b16", b16.fileName(), b16.url(), b16.sha256(), "MIT (OpenAI CLIP)"),
                new WeightSource("imagebind-huge", "imagebind_huge.pth", ImageBindAudioConfig.HUGE_URL, null,
                        "CC-BY-NC 4.0 (Meta ImageBind): non-commercial use only"));
    }

    /**
     * Sources from a JSON manifest: an object mapping names to {@code {"url": ..., "file": ..., "sha256": ...}}
     * ({@code file} defaults to the URL's last segment; {@code sha256} and {@code licence} are optional).
     */
    public static List<WeightSource> manifest(Path json) throws FetchException {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (dev.avsal.AvSalException e) {
            throw new FetchException("manifest " + json + ": " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> top) || top.isEmpty())
            throw new FetchException("manifest " + json + ": expected a non-empty JSON object of name -> {url, file, sha256}");
        List<WeightSource> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> m) || !(m.get("url") instanceof String url))
                throw new FetchException("manifest " + json + ": entry '" + name + "' needs a \"url\" string");
            String file = m.get("file") instanceof String f ? f : url.substring(url.lastIndexOf('/') + 1);
            try {
                out.add(new WeightSource(name, file, url, m.get("sha256") instanceof String s ? s : null,
                        m.get("licence") instanceof String l ? l : ""));
            } catch (IllegalArgumentException ex) {
                throw new FetchException("manifest " + json + ": " + ex.getMessage());
            }
        }
        return out;
    }

    /** This source fetched from {@code base/fileName} instead (a mirror or a test server). */
    public WeightSource withBaseUrl(String base) {
        return new WeightSource(name, fileName, base.replaceAll("/+$", "") + "/" + fileName, sha256, licence);
    }

    /** This source with another expected SHA-256 (e.g. one the user computed elsewhere). */
    public WeightSource withSha256(String sha) {
        return new WeightSource(name, fileName, url, sha, licence);
    }

    /**
     * The sources in effect: a manifest (option, else the {@value #MANIFEST_PROPERTY} property) or the official
     * ones, with the base URL (option, else the {@value #BASE_URL_PROPERTY} property) applied.
     */
    public static List<WeightSource> resolve(Path manifest, String baseUrl) throws FetchException {
        if (manifest == null && System.getProperty(MANIFEST_PROPERTY) != null)
            manifest = Path.of(System.getProperty(MANIFEST_PROPERTY));
        if (baseUrl == null) baseUrl = System.getProperty(BASE_URL_PROPERTY);
        List<WeightSource> list = manifest != null ? manifest(manifest) : official();
        if (baseUrl == null) return list;
        List<WeightSource> out = new ArrayList<>();
        for (WeightSource s : list) out.add(s.withBaseUrl(baseUrl));
        return out;
    }

    /** A name → source map in order. */
    static Map<String, WeightSource> byName(List<WeightSource> list) {
        Map<String, WeightSource> m = new LinkedHashMap<>();
        for (WeightSource s : list) m.put(s.name(), s);
        return m;
    }
}
