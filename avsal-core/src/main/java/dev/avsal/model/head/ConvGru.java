package dev.avsal.model.head;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Spatio-temporal ConvGRU over the frame sequence (the "spatio-temporal GRU" of AVSal, spec §1.1).
 *
 * <pre>
 *   [xr, xz, xn] = conv_x(x_t)            (channel blocks in this order; conv_x has a bias)
 *   [hr, hz, hn] = conv_h(h_{t-1})        (no bias: conv_x's bias already serves each gate)
 *   r = σ(xr + hr),  z = σ(xz + hz),  n = tanh(xn + r ⊙ hn),  h_t = (1 − z) ⊙ h_{t-1} + z ⊙ n,   h_0 = 0
 * </pre>
 *
 * AVSal-R choices, with reasons: the UNISAL cell (spec §1.4; the reset gate multiplies the <em>convolved</em> hidden
 * state, so one conv per input serves all three gates); unidirectional in time so that it streams frame by frame
 * with a carried state ({@link GruState}); no BatchNorm and no recurrent dropout (UNISAL has both): the head runs
 * at inference in eval mode, so neither would change the function, and leaving them out keeps the exported weights
 * a plain conv pair. Parameter names: {@code conv_x.weight, conv_x.bias, conv_h.weight}.
 *
 * <p>Thread-safety: forward passes may run concurrently once the weights are loaded, each with its own state.
 */
public class ConvGru extends Module {
    private final ConvGruConfig config;
    private final Conv2dImpl convX, convH;

    public ConvGru(ConvGruConfig config) {
        super("ConvGru");
        this.config = config;
        convX = register_module("conv_x", conv(config, true));
        convH = register_module("conv_h", conv(config, false));
    }

    private static Conv2dImpl conv(ConvGruConfig c, boolean bias) {
        long k = c.kernel();
        Conv2dOptions o = new Conv2dOptions(c.dim(), 3L * c.dim(), new LongPointer(k, k));
        o.padding().put(new LongPointer(k / 2, k / 2));
        o.bias().put(bias);
        return new Conv2dImpl(o);
    }

    public ConvGruConfig config() { return config; }

    /**
     * One time step.
     *
     * @param x input {@code [N, d, H, W]}
     * @param h previous state of the same shape, or null for h = 0
     * @return the new state {@code [N, d, H, W]}
     */
    public Tensor step(Tensor x, Tensor h) {
        HeadChecks.tensor("gru input", x, -1, config.dim(), -1, -1);
        if (h != null) HeadChecks.tensor("gru state", h, HeadChecks.shape(x));
        return stepUnchecked(x, h);
    }

    Tensor stepUnchecked(Tensor x, Tensor h) {
        TensorVector gx = convX.forward(x).chunk(3, 1);
        if (h == null) {
            // h = 0: conv_h(0) = 0 exactly (no bias), so r drops out and h' = z ⊙ tanh(xn), bit-identical to the full form.
            return gx.get(1).sigmoid().mul(gx.get(2).tanh());
        }
        TensorVector gh = convH.forward(h).chunk(3, 1);
        Tensor r = gx.get(0).add(gh.get(0)).sigmoid();
        Tensor z = gx.get(1).add(gh.get(1)).sigmoid();
        Tensor n = gx.get(2).add(r.mul(gh.get(2))).tanh();
        return h.add(z.mul(n.sub(h))); // (1 − z) ⊙ h + z ⊙ n, one product fewer
    }

    /**
     * Runs the whole sequence from h = 0.
     *
     * @param seq {@code [B, T, d, H, W]}
     * @return every state {@code [B, T, d, H, W]} (state t is the output for frame t)
     */
    public Tensor forward(Tensor seq) { return forward(seq, null); }

    /**
     * Runs the sequence starting from {@code state} (null or empty: h = 0) and, if {@code state} is not null,
     * leaves the last hidden state in it, so that consecutive chunks of a video give the same states as one call.
     *
     * @param seq {@code [B, T, d, H, W]}
     * @return every state {@code [B, T, d, H, W]}
     */
    public Tensor forward(Tensor seq, GruState state) {
        HeadChecks.tensor("gru sequence", seq, -1, -1, config.dim(), -1, -1);
        long[] s = HeadChecks.shape(seq);
        if (s[1] == 0) throw new IllegalArgumentException("gru sequence: no frames (T = 0)");
        if (state != null && !state.isEmpty())
            HeadChecks.tensor("gru state", state.raw(), s[0], s[2], s[3], s[4]);
        return forwardUnchecked(seq, state);
    }

    Tensor forwardUnchecked(Tensor seq, GruState state) {
        long frames = seq.size(1);
        Tensor h = state == null ? null : state.raw();
        if (config.kernel() == 3) { // fused native kernel (avsal-native) when one takes these tensors
            Tensor all = KernelHook.convGru(seq, convX.weight(), convX.bias(), convH.weight(), h);
            if (all != null) {
                if (state != null) state.set(all.select(1, frames - 1));
                return all;
            }
        }
        TensorVector states = new TensorVector();
        for (long t = 0; t < frames; t++) {
            h = stepUnchecked(seq.select(1, t), h);
            states.push_back(h);
        }
        if (state != null && frames > 0) state.set(h);
        return torch.stack(new TensorArrayRef(states), 1);
    }
}
