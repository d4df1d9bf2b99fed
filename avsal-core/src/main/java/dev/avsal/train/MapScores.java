package dev.avsal.train;

import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mean CC, NSS, SIM, AUC-Judd and KLD over frames (dev.avsal.metrics, MIT definitions; AUC-Judd with the MIT code's
 * tie-breaking jitter, seeded). Accumulate with {@link #add}; not thread-safe.
 */
public final class MapScores {
    private double cc, nss, sim, auc, kld;
    private int frames, fixFrames;
    private final long seed;

    public MapScores(long seed) { this.seed = seed; }

    /** Scores one frame: a prediction at the ground truth's size. */
    public void add(Map2D prediction, Map2D density, Fixations fixations) {
        cc += Metrics.cc(prediction, density);
        sim += Metrics.similarity(prediction, density);
        kld += Metrics.kld(prediction, density);
        frames++;
        if (fixations != null && !fixations.isEmpty()) {
            nss += Metrics.nss(prediction, fixations);
            auc += Metrics.aucJudd(prediction, fixations, true, seed + frames);
            fixFrames++;
        }
    }

    public int frames() { return frames; }
    public double cc() { return cc / Math.max(1, frames); }
    public double sim() { return sim / Math.max(1, frames); }
    public double kld() { return kld / Math.max(1, frames); }
    public double nss() { return fixFrames == 0 ? Double.NaN : nss / fixFrames; }
    public double aucJudd() { return fixFrames == 0 ? Double.NaN : auc / fixFrames; }

    /** A JSON value: the number, or null when it is not finite (e.g. NSS without fixations). */
    static Double num(double v) { return Double.isFinite(v) ? v : null; }

    /** {@code cc, nss, sim, auc_judd, kld, frames} (null for a metric without data). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cc", num(cc()));
        m.put("nss", num(nss()));
        m.put("sim", num(sim()));
        m.put("auc_judd", num(aucJudd()));
        m.put("kld", num(kld()));
        m.put("frames", (long) frames);
        return m;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "CC %.3f NSS %.3f SIM %.3f AUC-J %.3f KLD %.3f (%d frames)",
                cc(), nss(), sim(), aucJudd(), kld(), frames);
    }
}
