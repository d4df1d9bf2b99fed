package dev.avsal.train;

/**
 * Learning rate per step: linear warm-up from 0 to {@code peak} over {@code warmup} steps, then a cosine decay to
 * {@code peak·minFraction} at {@code total} steps (constant after). Immutable and thread-safe.
 */
public record LrSchedule(double peak, long warmup, long total, double minFraction) {
    public LrSchedule {
        if (!(peak > 0) || warmup < 0 || total < 1 || !(minFraction >= 0 && minFraction <= 1))
            throw new IllegalArgumentException("learning-rate schedule: peak " + peak + ", warm-up " + warmup
                    + ", total " + total + ", min fraction " + minFraction);
    }

    /** The rate for step {@code s} (0-based: the first update uses {@code at(0)}). */
    public double at(long s) {
        if (warmup > 0 && s < warmup) return peak * (s + 1) / (double) (warmup + 1);
        long span = Math.max(1, total - warmup);
        double x = Math.min(1, (s - warmup) / (double) span);
        return peak * (minFraction + (1 - minFraction) * 0.5 * (1 + Math.cos(Math.PI * x)));
    }
}
