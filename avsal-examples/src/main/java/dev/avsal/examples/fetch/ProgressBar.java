package dev.avsal.examples.fetch;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar ({@code \r}-redrawn, at most 5 times a second) on a writer, normally stderr so that
 * stdout stays machine-readable. Not thread-safe.
 */
public final class ProgressBar implements Fetcher.Progress {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private String name;
    private long total, start, offset, lastDraw;

    public ProgressBar(PrintWriter out) { this.out = out; }

    @Override
    public void start(String n, long off, long tot) {
        name = n;
        offset = off;
        total = tot;
        start = System.nanoTime();
        lastDraw = 0;
        draw(off, true);
    }

    @Override
    public void advance(long done) { draw(done, false); }

    @Override
    public void end() {
        out.println();
        out.flush();
    }

    private void draw(long done, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 200_000_000L && done != total) return;
        lastDraw = now;
        double secs = Math.max(1e-3, (now - start) / 1e9);
        String rate = String.format(Locale.ROOT, "%.1f MB/s", (done - offset) / 1e6 / secs);
        if (total > 0) {
            int filled = (int) (WIDTH * done / total);
            out.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %.1f/%.1f MB %s", name, "#".repeat(filled),
                    " ".repeat(WIDTH - filled), 100 * done / total, done / 1e6, total / 1e6, rate);
        } else {
            out.printf(Locale.ROOT, "\r%s %.1f MB %s", name, done / 1e6, rate);
        }
        out.flush();
    }
}
