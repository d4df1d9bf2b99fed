package dev.avsal.train;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Saliency losses on LibTorch tensors, each per map and averaged over the maps, differentiable. Maps are rows of
 * {@code [N, P]} (P = H·W pixels). The predicted distribution {@code p} sums to 1 per row; the ground-truth density
 * {@code g} is normalised to sum 1 here; so KLD, CC and SIM (min-max normalised first, as the metric) are the quantities {@code dev.avsal.metrics} reports
 * (same epsilon as the MIT code for KLD), and NSS standardises {@code p} per map.
 *
 * <p>Stateless and thread-safe. Results belong to the caller's PointerScope.
 */
public final class Losses {
    /** The MIT benchmark's epsilon in KLD ({@code eps = 2.2204e-16} there; float32 needs a larger one). */
    public static final double EPS = 1e-7;

    private Losses() {}

    private static Tensor rowSum(Tensor x) { return x.sum(new long[] {1}, true, new ScalarTypeOptional()); }

    private static Tensor rowMean(Tensor x) { return x.mean(new long[] {1}, true, new ScalarTypeOptional()); }

    /** g normalised to sum 1 per row. */
    public static Tensor distribution(Tensor g) { return g.div(rowSum(g).clamp_min(new Scalar(EPS))); }

    /**
     * KL divergence {@code sum g·log(eps + g/(p + eps))} per row, averaged (the metric's formula).
     *
     * @param p predicted distributions {@code [N, P]} (rows sum to 1)
     * @param g ground-truth densities {@code [N, P]} (any positive scale)
     */
    public static Tensor kld(Tensor p, Tensor g) {
        Tensor q = distribution(g);
        Tensor ratio = q.div(p.add(new Scalar(EPS))).add(new Scalar(EPS));
        return rowSum(q.mul(ratio.log())).mean();
    }

    /** Pearson correlation between p and g per row, averaged (in [-1, 1]; larger is better). */
    public static Tensor cc(Tensor p, Tensor g) {
        Tensor a = p.sub(rowMean(p)), b = g.sub(rowMean(g));
        Tensor num = rowSum(a.mul(b));
        Tensor den = rowSum(a.mul(a)).mul(rowSum(b.mul(b))).sqrt().add(new Scalar(EPS));
        return num.div(den).mean();
    }

    /**
     * Histogram intersection {@code sum min(p', g')}, averaged (larger is better), where each map is first min-max
     * normalised and then scaled to sum 1 (the MIT code's similarity.m).
     */
    public static Tensor sim(Tensor p, Tensor g) {
        return rowSum(torch.minimum(distribution(minMax(p)), distribution(minMax(g)))).mean();
    }

    private static Tensor minMax(Tensor x) {
        Tensor lo = x.amin(new long[] {1}, true), hi = x.amax(new long[] {1}, true);
        return x.sub(lo).div(hi.sub(lo).clamp_min(new Scalar(EPS)));
    }

    /**
     * Normalised scanpath saliency: p standardised per row (unbiased std, as MATLAB's {@code std}), averaged over the
     * fixated pixels of each row, then over rows that have fixations (larger is better).
     *
     * @param fixations {@code [N, P]} 0/1 fixation masks (rows without fixations are ignored)
     */
    public static Tensor nss(Tensor p, Tensor fixations) {
        Tensor mean = rowMean(p);
        Tensor std = p.sub(mean).pow(new Scalar(2)).sum(new long[] {1}, true, new ScalarTypeOptional())
                .div(new Scalar(Math.max(1, p.size(1) - 1))).sqrt().add(new Scalar(EPS));
        Tensor z = p.sub(mean).div(std);
        Tensor count = rowSum(fixations);
        Tensor has = count.gt(new Scalar(0)).to(p.scalar_type());
        Tensor perRow = rowSum(z.mul(fixations)).div(count.clamp_min(new Scalar(1)));
        return perRow.mul(has).sum().div(has.sum().clamp_min(new Scalar(1)));
    }

    /**
     * The training objective {@code wKld·KLD + wCc·(1 − CC) + wNss·(−NSS) + wSim·(1 − SIM)} (terms with weight 0 are
     * not computed); {@code fixations} may be null when {@code wNss == 0}.
     */
    public static Tensor objective(Tensor p, Tensor g, Tensor fixations, LossWeights w) {
        Tensor loss = null;
        if (w.kld() != 0) loss = kld(p, g).mul(new Scalar(w.kld()));
        if (w.cc() != 0) loss = add(loss, cc(p, g).neg().add(new Scalar(1)).mul(new Scalar(w.cc())));
        if (w.nss() != 0) {
            if (fixations == null) throw new IllegalArgumentException("an NSS loss term needs fixation masks");
            loss = add(loss, nss(p, fixations).neg().mul(new Scalar(w.nss())));
        }
        if (w.sim() != 0) loss = add(loss, sim(p, g).neg().add(new Scalar(1)).mul(new Scalar(w.sim())));
        if (loss == null) throw new IllegalArgumentException("all loss weights are 0");
        return loss;
    }

    private static Tensor add(Tensor a, Tensor b) { return a == null ? b : a.add(b); }
}
