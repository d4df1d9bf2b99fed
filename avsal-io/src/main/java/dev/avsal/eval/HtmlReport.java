package dev.avsal.eval;

import dev.avsal.image.RgbImage;
import dev.avsal.io.Colormap;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metric;
import dev.avsal.metrics.Resize;
import dev.avsal.metrics.Scores;
import dev.avsal.util.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * One self-contained HTML file for an {@link Evaluation} (no network access: styles, images and script are
 * inline): the aggregate table, the per-video table, a histogram (inline SVG, 20 bins over the observed range) of
 * every metric's per-frame values, and the best and worst videos by mean CC, each with its kept still: the
 * min-max normalised prediction as an {@link Colormap#INFERNO} heatmap over the frame (alpha 0.5), or the heatmap
 * alone when the frame could not be decoded. A small inline script fills {@code #summary} from the embedded JSON
 * ({@code <script type="application/json" id="evaluation">}, the same object as {@link Evaluation#toJson()}), so
 * the data travels with the page. Stateless and thread-safe.
 */
public final class HtmlReport {
    /** Number of best and of worst videos shown with a still. */
    public static final int SHOWN = 3;
    static final int BINS = 20;
    static final int STILL_MAX_WIDTH = 480, STILL_MIN_WIDTH = 240;

    private HtmlReport() {}

    /** Writes {@link #render} to {@code file} (temporary name, then rename; replaces only when {@code overwrite}). */
    public static void write(Evaluation e, Path file, boolean overwrite) throws IOException {
        String html = render(e);
        Evaluation.write(file, overwrite, w -> w.write(html));
    }

    /** The report as one HTML string. */
    public static String render(Evaluation e) {
        StringBuilder h = new StringBuilder(1 << 16);
        String title = "avsal evaluation: " + e.dataset() + " / " + e.split() + " (" + proto(e) + ")";
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font:14px sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;"
                        + "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}"
                        + "td:first-child{text-align:left}.hist{display:inline-block;margin:0 1em 1em 0}"
                        + ".still{display:inline-block;margin:0 1em 1em 0;vertical-align:top}#summary{font-size:16px;"
                        + "padding:.5em;background:#f4f4f8}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<div id=\"summary\">(summary needs JavaScript)</div>\n");

        h.append("<h2>Aggregate (mean over videos)</h2>\n<table id=\"aggregate\"><tr><th>metric</th><th>value</th><th>videos</th></tr>\n");
        for (Metric m : Metric.values()) {
            long n = e.videos().stream().filter(v -> !Double.isNaN(v.mean().get(m))).count();
            h.append("<tr class=\"metric\"><td>").append(label(m)).append("</td><td>").append(num(e.aggregate().get(m)))
                    .append("</td><td>").append(n).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Videos</h2>\n<table id=\"videos\"><tr><th>video</th><th>frames</th>");
        for (Metric m : Metric.values()) h.append("<th>").append(label(m)).append("</th>");
        h.append("</tr>\n");
        for (Evaluation.VideoScore v : e.videos()) {
            h.append("<tr class=\"video\"><td>").append(esc(v.video())).append("</td><td>").append(v.frames()).append("</td>");
            for (Metric m : Metric.values()) h.append("<td>").append(num(v.mean().get(m))).append("</td>");
            h.append("</tr>\n");
        }
        h.append("</table>\n<h2>Per-frame distributions</h2>\n");
        for (Metric m : Metric.values()) histogram(h, m, e.frames().stream().mapToDouble(f -> f.scores().get(m))
                .filter(d -> !Double.isNaN(d)).toArray());

        List<Evaluation.VideoScore> ranked = new ArrayList<>(e.videos().stream().filter(v -> !Double.isNaN(v.mean().cc())).toList());
        ranked.sort(Comparator.comparingDouble((Evaluation.VideoScore v) -> v.mean().cc()).reversed());
        int k = Math.min(SHOWN, (ranked.size() + 1) / 2);
        stills(h, "Best videos by CC", "best", ranked.subList(0, k), e);
        List<Evaluation.VideoScore> worst = new ArrayList<>(ranked.subList(ranked.size() - Math.min(SHOWN, ranked.size() - k),
                ranked.size()));
        java.util.Collections.reverse(worst);
        stills(h, "Worst videos by CC", "worst", worst, e);

        String json = Json.write(e.toJson()).replace("</", "<\\/"); // keeps "</script>" inside strings harmless
        h.append("<script type=\"application/json\" id=\"evaluation\">").append(json).append("</script>\n");
        h.append("<script>\n(function(){var d=JSON.parse(document.getElementById('evaluation').textContent);"
                + "var a=d.aggregate,f=function(x){return x===null?'n/a':x.toFixed(4);};"
                + "var s=document.getElementById('summary');s.textContent='';"
                + "var p=document.createElement('p');p.className='filled';"
                + "p.textContent=d.video_count+' videos, '+d.frame_count+' frames, protocol '+d.protocol+': CC '+f(a.cc)"
                + "+', NSS '+f(a.nss)+', SIM '+f(a.sim)+', KLD '+f(a.kld)+', AUC-J '+f(a.auc_judd)+', sAUC '+f(a.sauc);"
                + "s.appendChild(p);})();\n</script>\n</body></html>\n");
        return h.toString();
    }

    private static String proto(Evaluation e) { return e.protocol().name().toLowerCase(Locale.ROOT); }

    private static String label(Metric m) { return m.label() + (m.higherIsBetter() ? " &uarr;" : " &darr;"); }

    private static String num(double d) { return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.4f", d); }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void histogram(StringBuilder h, Metric m, double[] v) {
        int w = 300, ht = 120;
        h.append("<div class=\"hist\" data-metric=\"").append(m.name()).append("\"><b>").append(m.label())
                .append("</b> (").append(v.length).append(" frames)<br><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(w).append("\" height=\"").append(ht + 16).append("\">");
        if (v.length > 0) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double d : v) { lo = Math.min(lo, d); hi = Math.max(hi, d); }
            int[] c = new int[BINS];
            for (double d : v) c[hi > lo ? Math.min(BINS - 1, (int) ((d - lo) / (hi - lo) * BINS)) : 0]++;
            int max = 1;
            for (int x : c) max = Math.max(max, x);
            double bw = (double) w / BINS;
            for (int i = 0; i < BINS; i++) {
                double bh = (double) ht * c[i] / max;
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a6fa5\">"
                        + "<title>%d</title></rect>", i * bw, ht - bh, bw - 1, bh, c[i]));
            }
            h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"11\">%.3f</text><text x=\"%d\" y=\"%d\" "
                    + "font-size=\"11\" text-anchor=\"end\">%.3f</text>", ht + 13, lo, w, ht + 13, hi));
        }
        h.append("</svg></div>\n");
    }

    private static void stills(StringBuilder h, String title, String cls, List<Evaluation.VideoScore> vs, Evaluation e) {
        h.append("<h2>").append(title).append("</h2>\n<div id=\"").append(cls).append("\">");
        for (Evaluation.VideoScore v : vs) {
            Evaluation.Still s = e.stills().get(v.video());
            h.append("<div class=\"still ").append(cls).append("\"><b>").append(esc(v.video())).append("</b> CC ")
                    .append(num(v.mean().cc()));
            if (s != null) {
                h.append(", frame ").append(s.frame()).append("<br><img alt=\"").append(esc(v.video()))
                        .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(overlayPng(s)))
                        .append("\">");
            }
            h.append("</div>\n");
        }
        h.append("</div>\n");
    }

    /** The still's heatmap over its frame (or alone), 240 to 480 pixels wide (integer upscaling of small frames), as PNG bytes. */
    static byte[] overlayPng(Evaluation.Still s) {
        RgbImage img = s.image();
        int w = img != null ? img.width() : s.prediction().width(), ht = img != null ? img.height() : s.prediction().height();
        if (w > STILL_MAX_WIDTH) { ht = Math.max(1, ht * STILL_MAX_WIDTH / w); w = STILL_MAX_WIDTH; }
        else if (w < STILL_MIN_WIDTH) { int f = (STILL_MIN_WIDTH + w - 1) / w; w *= f; ht *= f; } // legible thumbnails
        Map2D p = s.prediction();
        if (p.width() != w || p.height() != ht) p = Resize.opencvBilinear(p, w, ht);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double d : p.data()) { lo = Math.min(lo, d); hi = Math.max(hi, d); }
        BufferedImage out = new BufferedImage(w, ht, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < ht; y++)
            for (int x = 0; x < w; x++) {
                double v = hi > lo ? (p.data()[y * w + x] - lo) / (hi - lo) : 0;
                int c = Colormap.INFERNO.rgb(v);
                if (img != null) {
                    int sx = x * img.width() / w, sy = y * img.height() / ht, o = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        int a = img.get(sx, sy, ch), b = c >> (16 - 8 * ch) & 0xff;
                        o = o << 8 | (int) Math.round(0.5 * a + 0.5 * b);
                    }
                    c = o;
                }
                out.setRGB(x, y, c);
            }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding into memory failed", e);
        }
        return bytes.toByteArray();
    }
}
