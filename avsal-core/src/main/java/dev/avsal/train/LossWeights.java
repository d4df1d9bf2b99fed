package dev.avsal.train;

/**
 * Weights of the loss terms (see {@link Losses#objective}). The default {@link #DEFAULT} is KLD + CC with weight 1
 * each (avsal choice: the AVSal paper does not give its loss weights; KLD + CC is the common video-saliency
 * objective, e.g. TASED-Net / ViNet).
 */
public record LossWeights(double kld, double cc, double nss, double sim) {
    /** KLD 1, CC 1, NSS 0, SIM 0. */
    public static final LossWeights DEFAULT = new LossWeights(1, 1, 0, 0);

    public LossWeights {
        for (double w : new double[] {kld, cc, nss, sim})
            if (!(w >= 0) || Double.isInfinite(w)) throw new IllegalArgumentException("loss weights must be finite and >= 0, got kld=" + kld + " cc=" + cc + " nss=" + nss + " sim=" + sim);
        if (kld == 0 && cc == 0 && nss == 0 && sim == 0) throw new IllegalArgumentException("all loss weights are 0");
    }

    @Override
    public String toString() { return "kld=" + kld + ",cc=" + cc + ",nss=" + nss + ",sim=" + sim; }
}
