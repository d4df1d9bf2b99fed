package dev.avsal.model.head;

import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.ConvTranspose2dImpl;
import org.bytedeco.pytorch.ConvTranspose2dOptions;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.kBilinear;
import org.bytedeco.pytorch.global.torch;

/**
 * From the four fused levels (each {@code [N, d, h, w]} on the patch grid) to one logit map at the input resolution.
 *
 * <pre>
 *   reassemble.0  ConvTranspose2d(d, d, 4, stride 4)   level 1 → 4h x 4w
 *   reassemble.1  ConvTranspose2d(d, d, 2, stride 2)   level 2 → 2h x 2w
 *   reassemble.2  Conv2d(d, d, 1)                      level 3 → h x w
 *   reassemble.3  Conv2d(d, d, 3, stride 2, pad 1)     level 4 → ceil(h/2) x ceil(w/2)
 *   x = r3;  for i, skip in (r2, r1, r0):  x = ReLU(fuse.i(bilinear(x, size(skip)) + skip))
 *   logits = bilinear(head.2(ReLU(head.0(x))), (H, W))     head.0: Conv3x3 d → d/2, head.2: Conv1x1 d/2 → 1
 * </pre>
 *
 * AVSal-R choices, with reasons: DPT-style reassembly because all ViT taps share the 14x14 (or 14x24) grid, so a
 * pyramid must be made, shallow taps (finer detail) at the finer scales; top-down FPN sums (no concatenation: one
 * width throughout, fewer parameters); 3x3 conv + ReLU per fusion, no BatchNorm (inference-time simplicity, exact
 * export); bilinear with align_corners = false and <em>explicit target sizes</em>, never scale factors, so odd grids
 * (7x12 after the stride-2 conv of 14x24, or 2x3 from 3x5) land exactly on the next level; the final upsampling
 * from 4h x 4w to the input size, because the head predicts at a quarter of the input resolution (56x56 for 224).
 *
 * <p>Thread-safety: forward passes may run concurrently once the weights are loaded.
 */
public class SaliencyDecoder extends Module {
    private final DecoderConfig config;
    private final Module[] reassemble = new Module[4];
    private final Conv2dImpl[] fuse = new Conv2dImpl[3];
    private final Conv2dImpl head0, head2;

    public SaliencyDecoder(DecoderConfig config) {
        super("SaliencyDecoder");
        this.config = config;
        long d = config.dim();
        Module re = register_module("reassemble", new Module("ModuleList"));
        reassemble[0] = re.register_module("0", transposed(d, 4));
        reassemble[1] = re.register_module("1", transposed(d, 2));
        reassemble[2] = re.register_module("2", conv(d, d, 1, 1, 0));
        reassemble[3] = re.register_module("3", conv(d, d, 3, 2, 1));
        Module fu = register_module("fuse", new Module("ModuleList"));
        for (int i = 0; i < 3; i++) fuse[i] = fu.register_module(Integer.toString(i), conv(d, d, 3, 1, 1));
        Module hd = register_module("head", new Module("Sequential"));
        head0 = hd.register_module("0", conv(d, config.headChannels(), 3, 1, 1));
        head2 = hd.register_module("2", conv(config.headChannels(), 1, 1, 1, 0));
    }

    private static ConvTranspose2dImpl transposed(long d, long k) {
        ConvTranspose2dOptions o = new ConvTranspose2dOptions(d, d, new LongPointer(k, k));
        o.stride().put(0, k).put(1, k);
        return new ConvTranspose2dImpl(o);
    }

    private static Conv2dImpl conv(long in, long out, long k, long stride, long pad) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(k, k));
        o.stride().put(0, stride).put(1, stride);
        o.padding().put(new LongPointer(pad, pad));
        return new Conv2dImpl(o);
    }

    public DecoderConfig config() { return config; }

    /**
     * @param levels the four fused levels, shallow to deep, each {@code [N, d, h, w]} with the same N, h, w
     * @param outH   output height (the input image height)
     * @param outW   output width
     * @return logits {@code [N, 1, outH, outW]}
     */
    public Tensor forward(List<Tensor> levels, long outH, long outW) {
        if (levels == null || levels.size() != 4)
            throw new IllegalArgumentException("decoder levels: expected 4 tensors, got " + (levels == null ? "null" : levels.size()));
        HeadChecks.positive("decoder output height", outH);
        HeadChecks.positive("decoder output width", outW);
        HeadChecks.tensor("decoder level 0", levels.get(0), -1, config.dim(), -1, -1);
        long[] s = HeadChecks.shape(levels.get(0));
        for (int i = 1; i < 4; i++) HeadChecks.tensor("decoder level " + i, levels.get(i), s);
        return forwardUnchecked(levels, outH, outW);
    }

    Tensor forwardUnchecked(List<Tensor> levels, long outH, long outW) {
        Tensor r0 = ((ConvTranspose2dImpl) reassemble[0]).forward(levels.get(0));
        Tensor r1 = ((ConvTranspose2dImpl) reassemble[1]).forward(levels.get(1));
        Tensor r2 = ((Conv2dImpl) reassemble[2]).forward(levels.get(2));
        Tensor x = ((Conv2dImpl) reassemble[3]).forward(levels.get(3));
        Tensor[] skips = {r2, r1, r0};
        for (int i = 0; i < 3; i++) {
            Tensor skip = skips[i];
            x = torch.relu(fuse[i].forward(resize(x, skip.size(2), skip.size(3)).add(skip)));
        }
        return resize(head2.forward(torch.relu(head0.forward(x))), outH, outW);
    }

    /** Bilinear resize, align_corners = false, to an explicit size (PyTorch's F.interpolate(size=...)). */
    static Tensor resize(Tensor x, long h, long w) {
        InterpolateFuncOptions o = new InterpolateFuncOptions();
        o.size().put(new LongVector(new long[] {h, w}));
        o.mode().put(new kBilinear());
        o.align_corners().put(false);
        return torch.interpolate(x, o);
    }
}
