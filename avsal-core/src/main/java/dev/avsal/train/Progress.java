package dev.avsal.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with ETA on stderr (redrawn with carriage returns, at most every 200 ms); epoch summaries
 * go on their own lines. The ETA extrapolates from the steps taken in this process. Not thread-safe.
 */
final class Progress {
    private final PrintStream out = System.err;
    private final long total, first, t0 = System.nanoTime();
    private long lastDraw;

    Progress(long totalSteps, long startStep) {
        total = totalSteps;
        first = startStep;
    }

    void update(long step, int epoch, double loss, double bestCc) {
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && step < total) return;
        lastDraw = now;
        double frac = total == 0 ? 1 : step / (double) total;
        int width = 24, filled = (int) Math.round(frac * width);
        double per = (now - t0) / 1e9 / Math.max(1, step - first);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        out.print(String.format(Locale.ROOT, "\r[%s] %3.0f%% step %d/%d epoch %d loss %.4f%s ETA %s   ", bar, frac * 100,
                step, total, epoch + 1, loss, Double.isFinite(bestCc) ? String.format(Locale.ROOT, " best val CC %.3f", bestCc) : "",
                time(per * (total - step))));
        out.flush();
    }

    void epochDone(int epoch, int epochs, double loss, MapScores val) {
        out.print(String.format(Locale.ROOT, "\r%-110s\r", ""));
        out.println(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f%s", epoch + 1, epochs, loss,
                val == null ? "" : "  val " + val));
        lastDraw = 0;
    }

    void finish() { out.flush(); }

    static String time(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
