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
 * AdamW (Loshchilov & Hutter; the update of {@code torch.optim.AdamW} with {@code amsgrad=False}): decoupled weight
 * decay {@code p -= lr·wd·p}, then {@code p -= lr·m̂/(sqrt(v̂) + eps)} with bias-corrected moments.
 *
 * <p>Written on tensors rather than LibTorch's C++ {@code torch::optim::AdamW} so that its whole state (the moments
 * and the step count) is ordinary named tensors: a training checkpoint stores it in the same safetensors file as the
 * weights and resumes bit-exactly (the C++ optimizer serialises only through its own archive format). The learning
 * rate is passed to each {@link #step(double)}, so any schedule drives it.
 *
 * <p>The moments live where the parameters live (CPU or CUDA) and, like the parameters, stay float32 whatever the
 * autocast precision of the forward pass (the "master weights" of mixed-precision training).
 *
 * <p>Not thread-safe. Owns its moment tensors (retained) until {@link #close()}.
 */
public final class AdamW implements AutoCloseable {
    private final List<String> names;
    private final List<Tensor> params;
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    private final double beta1, beta2, eps, weightDecay;
    private long steps;

    /**
     * @param params      the parameters by name (the handles are kept; they must stay alive)
     * @param beta1       first-moment decay (0.9)
     * @param beta2       second-moment decay (0.999)
     * @param eps         denominator epsilon (1e-8)
     * @param weightDecay decoupled weight decay (PyTorch's default 0.01)
     */
    public AdamW(Map<String, Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0))
            throw new IllegalArgumentException("AdamW: invalid hyper-parameters beta1=" + beta1 + " beta2=" + beta2
                    + " eps=" + eps + " weightDecay=" + weightDecay);
        this.names = List.copyOf(params.keySet());
        this.params = new ArrayList<>(params.values());
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        try (NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : this.params) {
                m.add(torch.zeros_like(p).retainReference());
                v.add(torch.zeros_like(p).retainReference());
            }
        }
    }

    /** Steps taken so far. */
    public long steps() { return steps; }

    /** Sets every parameter's gradient to zero (undefined gradients stay undefined). */
    public void zeroGrad() {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : params) {
                Tensor gr = p.grad();
                if (gr.defined()) gr.zero_();
            }
        }
    }

    /**
     * Scales all gradients so that their global L2 norm is at most {@code maxNorm} (as
     * {@code torch.nn.utils.clip_grad_norm_}, factor {@code maxNorm/(norm + 1e-6)} when above); returns the norm
     * before clipping. {@code maxNorm <= 0} only measures.
     */
    public double clipGradNorm(double maxNorm) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> grads = gradients();
            if (grads.isEmpty()) return 0;
            // each tensor's float32 norm, fetched in one transfer (one device synchronisation), summed in double
            Tensor[] norms = new Tensor[grads.size()];
            for (int i = 0; i < norms.length; i++) norms[i] = grads.get(i).norm();
            Tensor all = torch.stack(new TensorArrayRef(new TensorVector(norms)), 0).to(torch.ScalarType.Double).cpu().contiguous();
            double[] n = new double[norms.length];
            all.data_ptr_double().get(n);
            double sq = 0;
            for (double x : n) sq += x * x;
            double norm = Math.sqrt(sq);
            if (maxNorm > 0 && norm > maxNorm) {
                Scalar f = new Scalar(maxNorm / (norm + 1e-6));
                for (Tensor gr : grads) gr.mul_(f);
            }
            return norm;
        }
    }

    /** The defined gradients of the parameters, as handles in the caller's PointerScope (for {@link LossScaler}). */
    List<Tensor> gradients() {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Tensor p : params) {
            Tensor gr = p.grad();
            if (gr.defined()) out.add(gr);
        }
        return out;
    }

    /** One update with learning rate {@code lr}; parameters without a gradient are left alone. */
    public void step(double lr) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps), bc2 = 1 - Math.pow(beta2, steps);
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), gr = p.grad();
                if (!gr.defined()) continue;
                if (weightDecay != 0) p.mul_(new Scalar(1 - lr * weightDecay));
                m.get(i).mul_(new Scalar(beta1)).add_(gr, new Scalar(1 - beta1));
                v.get(i).mul_(new Scalar(beta2)).addcmul_(gr, gr, new Scalar(1 - beta2));
                Tensor denom = v.get(i).div(new Scalar(bc2)).sqrt().add(new Scalar(eps));
                p.addcdiv_(m.get(i), denom, new Scalar(-lr / bc1));
            }
        }
    }

    /** The state as named tensors ({@code m.<name>}, {@code v.<name>}), sharing storage; for checkpoints. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put("m." + names.get(i), m.get(i));
            out.put("v." + names.get(i), v.get(i));
        }
        return out;
    }

    /**
     * Restores {@link #state()} and the step count.
     *
     * @param values flat float32 values by the names of {@link #state()}
     * @throws IllegalArgumentException naming a missing or mis-sized entry
     */
    public void load(Map<String, float[]> values, long steps) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : state().entrySet()) {
                float[] x = values.get(e.getKey());
                Tensor t = e.getValue();
                if (x == null || x.length != t.numel())
                    throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' is "
                            + (x == null ? "missing" : "of size " + x.length + ", expected " + t.numel()));
                t.copy_(dev.avsal.predict.Tensors.fromFloats(x, t.sizes().vec().get()));
            }
        }
        this.steps = steps;
    }

    @Override
    public void close() {
        for (Tensor t : m) t.releaseReference();
        for (Tensor t : v) t.releaseReference();
        m.clear();
        v.clear();
    }
}
