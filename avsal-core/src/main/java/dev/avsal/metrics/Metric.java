package dev.avsal.metrics;

/** The seven saliency metrics, in the order {@link Scores} holds them. */
public enum Metric {
    CC("CC", true), NSS("NSS", true), SIM("SIM", true), KLD("KLD", false),
    AUC_JUDD("AUC-J", true), AUC_BORJI("AUC-B", true), SAUC("sAUC", true);

    private final String label;
    private final boolean higherIsBetter;

    Metric(String label, boolean higherIsBetter) {
        this.label = label;
        this.higherIsBetter = higherIsBetter;
    }

    /** Short label as papers print it. */
    public String label() { return label; }

    /** False only for KLD, where lower is better. */
    public boolean higherIsBetter() { return higherIsBetter; }
}
