package dev.avsal.metrics;

/**
 * The seven metric values of one frame; NaN where a metric cannot be computed (missing input, constant map,
 * too few fixations: see {@link Metrics}). Benchmarks drop NaN frames before averaging (STAViS does so
 * explicitly). Immutable.
 */
public record Scores(double cc, double nss, double sim, double kld, double aucJudd, double aucBorji, double sauc) {

    /** All NaN. */
    public static final Scores NAN = new Scores(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    public double get(Metric m) {
        return switch (m) {
            case CC -> cc;
            case NSS -> nss;
            case SIM -> sim;
            case KLD -> kld;
            case AUC_JUDD -> aucJudd;
            case AUC_BORJI -> aucBorji;
            case SAUC -> sauc;
        };
    }

    /** The values in {@link Metric} order. */
    public double[] toArray() { return new double[] {cc, nss, sim, kld, aucJudd, aucBorji, sauc}; }
}
