package dev.avsal.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a report and loads it in headless Chromium (the DOM after the inline script ran). Chromium must be
 * installed ({@code .ci/run} installs it); {@code -Davsal.skipBrowserTests=true} skips the browser checks.
 */
class HtmlReportTest {
    @TempDir Path tmp;

    /** Five videos with known CC 0.1..0.5; frames with NaN sAUC; the best video's still has a frame, one has none. */
    static Evaluation evaluation() {
        List<Evaluation.FrameScore> frames = new ArrayList<>();
        List<Evaluation.VideoScore> videos = new ArrayList<>();
        Map<String, Evaluation.Still> stills = new java.util.HashMap<>();
        for (int v = 1; v <= 5; v++) {
            String id = v == 3 ? "v<3>&\"" : "v" + v; // needs escaping
            List<Scores> s = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                Scores sc = new Scores(0.1 * v + 0.01 * (k - 1.5), 1.0 + v, 0.5, 1.2, 0.8, 0.75, k == 0 ? Double.NaN : 0.6);
                s.add(sc);
                frames.add(new Evaluation.FrameScore(id, k, sc));
            }
            videos.add(new Evaluation.VideoScore(id, 4, Evaluation.nanMean(s)));
            double[] p = new double[8 * 6];
            for (int i = 0; i < p.length; i++) p[i] = i % 8 == v ? 1 : 0;
            stills.put(id, new Evaluation.Still(2, Map2D.of(8, 6, p), v == 2 ? null : RgbImage.filled(16, 12, 0, 128, 0)));
        }
        return new Evaluation("avimos", "test", Protocol.MIT, 0, frames, videos, Evaluation.nanMean(
                videos.stream().map(Evaluation.VideoScore::mean).toList()), stills);
    }

    @Test
    void staticStructure() throws Exception {
        Evaluation e = evaluation();
        String html = HtmlReport.render(e);
        assertFalse(html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"), "no network references");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resources");
        assertEquals(5, count(html, "<tr class=\"video\">"));
        assertEquals(7, count(html, "<svg "), "one histogram per metric");
        assertTrue(html.contains("v&lt;3&gt;&amp;&quot;"), "ids are escaped");
        // best: v5, v4, v3 (5 videos: 3 best, 2 worst), worst: v1, v2
        String best = html.substring(html.indexOf("<div id=\"best\">"), html.indexOf("<div id=\"worst\">"));
        String worst = html.substring(html.indexOf("<div id=\"worst\">"));
        assertTrue(best.indexOf("<b>v5</b>") < best.indexOf("<b>v4</b>") && best.contains("v&lt;3"), best);
        assertTrue(worst.indexOf("<b>v1</b>") < worst.indexOf("<b>v2</b>") && !worst.contains("<b>v5</b>"), worst);
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(html);
        int images = 0;
        while (m.find()) {
            var img = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertNotNull(img);
            images++;
        }
        assertEquals(5, images);
        // the still of v5 (frame 16x12, green) has the heatmap's peak column 5 brightest after the blend
        var still = ImageIO.read(new java.io.ByteArrayInputStream(HtmlReport.overlayPng(e.stills().get("v5"))));
        assertEquals(16 * 15, still.getWidth(), "a 16-pixel frame is upscaled 15x to 240");
        int g = still.getRGB(0, 0) >> 8 & 0xff;
        assertEquals(Math.round(0.5 * 128 + 0.5 * 0), g, 1, "green frame blended with the colormap's black");
    }

    @Test
    void chromiumRunsTheScriptAndShowsTheTables() throws Exception {
        if (Boolean.getBoolean("avsal.skipBrowserTests")) return;
        Evaluation e = evaluation();
        Path file = tmp.resolve("report.html");
        HtmlReport.write(e, file, false);
        String dom = dumpDom(file);
        String summary = filledSummary(dom);
        assertNotNull(summary, "the inline script did not fill #summary:\n" + dom.substring(0, Math.min(dom.length(), 2000)));
        assertTrue(summary.startsWith("5 videos, 20 frames, protocol mit: CC "
                + String.format(Locale.ROOT, "%.4f", e.aggregate().cc())), summary);
        assertTrue(summary.contains("sAUC 0.6000"), summary);
        assertEquals(5, count(dom, "<tr class=\"video\">"));
        assertEquals(7, count(dom, "<tr class=\"metric\">"));

        // the check can fail: a broken script leaves the placeholder
        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, Files.readString(file).replace("JSON.parse(", "JSON.prase("));
        assertNull(filledSummary(dumpDom(broken)), "a broken report must not pass");
    }

    static String filledSummary(String dom) {
        Matcher m = Pattern.compile("<div id=\"summary\"><p class=\"filled\">([^<]*)</p></div>").matcher(dom);
        return m.find() ? m.group(1) : null;
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    static String dumpDom(Path html) throws IOException, InterruptedException {
        String exe = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : "chromium";
        Path profile = Files.createTempDirectory("avsal-chromium");
        try {
            ProcessBuilder pb = new ProcessBuilder(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--dump-dom", html.toUri().toString());
            Path err = profile.resolve("stderr.txt"), out = profile.resolve("dom.html");
            pb.redirectError(err.toFile()).redirectOutput(out.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("chromium is not installed (apt-get install -y chromium; .ci/run does it), or "
                        + "pass -Davsal.skipBrowserTests=true: " + e.getMessage(), e);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("chromium did not finish in 120 s");
            }
            assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(err));
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            try (var s = Files.walk(profile)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
