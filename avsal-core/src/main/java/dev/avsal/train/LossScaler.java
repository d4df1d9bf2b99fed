package dev.avsal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Dynamic loss scaling for float16 training, with the documented semantics of PyTorch's {@code torch.amp.GradScaler}:
 * the loss is multiplied by the scale before {@code backward()} so that small gradients survive float16; the
 * gradients are divided by it again (multiplied by the float32 reciprocal) before clipping; a step whose gradients
 * hold an inf or NaN is skipped and the scale multiplied by the backoff factor; after {@code growthInterval}
 * consecutive good steps it is multiplied by the growth factor (unless that overflows float32). Defaults are
 * GradScaler's: initial scale 2^16, growth 2, backoff 0.5, interval 2000. The scale is a float32 value, as GradScaler
 * keeps it.
 *
 * <p>Its state (scale and the count of good steps since the last change) goes into training checkpoints, so a resumed
 * run scales exactly as an uninterrupted one. bfloat16 has float32's exponent range and needs no scaling; the trainer
 * uses a scaler only with {@link dev.avsal.Precision#FP16}.
 *
 * <p>Not thread-safe.
 */
public final class LossScaler {
    /** GradScaler's default initial scale, 2^16. */
    public static final float INIT_SCALE = 65536f;
    /** GradScaler's default growth factor. */
    public static final float GROWTH_FACTOR = 2f;
    /** GradScaler's default backoff factor. */
    public static final float BACKOFF_FACTOR = 0.5f;
    /** GradScaler's default growth interval (good steps before the scale grows). */
    public static final int GROWTH_INTERVAL = 2000;

    private final float growthFactor, backoffFactor;
    private final int growthInterval;
    private float scale;
    private int growthTracker;

    /** What {@link #step} did. */
    public record Outcome(boolean stepped, double gradNorm) {}

    /** A scaler with GradScaler's defaults. */
    public LossScaler() {
        this(INIT_SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL);
    }

    /**
     * @throws IllegalArgumentException unless {@code initScale > 0} (finite in float32), {@code growthFactor > 1},
     *                                  {@code 0 < backoffFactor < 1} and {@code growthInterval >= 1}
     */
    public LossScaler(float initScale, float growthFactor, float backoffFactor, int growthInterval) {
        if (!(initScale > 0) || Float.isInfinite(initScale) || !(growthFactor > 1) || Float.isInfinite(growthFactor)
                || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1)
            throw new IllegalArgumentException("loss scaler: invalid settings: init scale " + initScale + ", growth factor "
                    + growthFactor + ", backoff factor " + backoffFactor + ", growth interval " + growthInterval);
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** The current scale. */
    public float scale() { return scale; }

    /** Good steps since the scale last changed (0 .. growth interval - 1). */
    public int growthTracker() { return growthTracker; }

    /** {@code loss} times the scale (call {@code backward()} on this), in the caller's PointerScope. */
    public Tensor scaled(Tensor loss) {
        return loss.mul(new Scalar((double) scale));
    }

    /**
     * Divides the gradients by the scale in place (multiplies by {@code (float) (1.0 / scale)}, as GradScaler's
     * {@code unscale_}); returns true when every value was finite before unscaling. Undefined gradients are skipped.
     * One device synchronisation in all.
     */
    public boolean unscale(List<Tensor> grads) {
        float inv = (float) (1.0 / scale);
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> bad = new ArrayList<>(grads.size());
            for (Tensor gr : grads) {
                if (!gr.defined()) continue;
                bad.add(gr.isfinite().logical_not().any());
                gr.mul_(new Scalar((double) inv));
            }
            if (bad.isEmpty()) return true;
            return !torch.stack(new TensorArrayRef(new TensorVector(bad.toArray(new Tensor[0]))), 0).any().item_bool();
        }
    }

    /**
     * Adjusts the scale after a step: {@code foundInf} multiplies it by the backoff factor and restarts the count;
     * otherwise the count grows, and on reaching the growth interval the scale is multiplied by the growth factor
     * (kept when the product would overflow float32) and the count restarts.
     */
    public void update(boolean foundInf) {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
            return;
        }
        int good = growthTracker + 1;
        if (good == growthInterval) {
            float grown = scale * growthFactor;
            if (Float.isFinite(grown)) scale = grown;
            growthTracker = 0;
        } else {
            growthTracker = good;
        }
    }

    /**
     * The optimizer part of a scaled step, after {@code scaled(loss).backward()}: unscales the optimizer's gradients,
     * and when all are finite clips them to {@code maxNorm} ({@link AdamW#clipGradNorm}) and takes the AdamW step;
     * otherwise skips the step (the parameters, moments and step count stay as they were). Then {@link #update}.
     *
     * @return whether the step was taken, and the gradient norm before clipping (NaN when skipped)
     */
    public Outcome step(AdamW opt, double lr, double maxNorm) {
        boolean finite = unscale(opt.gradients());
        double norm = Double.NaN;
        if (finite) {
            norm = opt.clipGradNorm(maxNorm);
            opt.step(lr);
        }
        update(!finite);
        return new Outcome(finite, norm);
    }

    /** The state for a checkpoint: {@code scale} and {@code growth_tracker}, as JSON-ready values. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", (double) scale);
        m.put("growth_tracker", (long) growthTracker);
        return m;
    }

    /**
     * Restores {@link #state()}.
     *
     * @throws IllegalArgumentException if an entry is missing or out of range
     */
    public void load(Map<?, ?> state) {
        if (state == null || !(state.get("scale") instanceof Number s) || !(state.get("growth_tracker") instanceof Number t))
            throw new IllegalArgumentException("loss scaler state needs 'scale' and 'growth_tracker', got " + state);
        float v = s.floatValue();
        long k = t.longValue();
        if (!(v > 0) || Float.isInfinite(v) || k < 0 || k >= growthInterval)
            throw new IllegalArgumentException("loss scaler state out of range: scale " + s + ", growth tracker " + t
                    + " (interval " + growthInterval + ")");
        scale = v;
        growthTracker = (int) k;
    }
}
