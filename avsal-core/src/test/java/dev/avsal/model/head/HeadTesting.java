package dev.avsal.model.head;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Shared helpers of the head tests. */
final class HeadTesting {
    private HeadTesting() {}

    /** The tiny config of tools/make_head_fixtures.py: Cv 24, Ca 20, d 16, 4 heads, grid 3x5, patch 6 (18x30). */
    static HeadConfig tiny() {
        return new HeadConfig(List.of(1, 2, 3, 4), 6, 3, 5, new FusionConfig(24, 20, 16, 4, 2, 1e-5),
                ConvGruConfig.of(16), DecoderConfig.of(16));
    }

    /** Random parameters (seeded): LayerNorm weights near 1, everything else ~N(0, 1/fan-in), biases ~0.1·N(0,1). */
    static void randomize(Module m, long seed) {
        torch.manual_seed(seed);
        try (NoGradGuard g = new NoGradGuard()) {
            StringTensorDict p = m.named_parameters();
            for (long i = 0; i < p.size(); i++) {
                String name = p.get(i).key().getString();
                Tensor w = p.get(i).value();
                long[] s = w.sizes().vec().get();
                Tensor r = torch.randn(s);
                if (name.contains("norm")) w.copy_(name.endsWith("weight") ? r.mul(new Scalar(0.1)).add(new Scalar(1.0)) : r.mul(new Scalar(0.1)));
                else if (s.length == 1) w.copy_(r.mul(new Scalar(0.1)));
                else {
                    long fan = 1;
                    for (int k = 1; k < s.length; k++) fan *= s[k];
                    if (name.contains("reassemble.0") || name.contains("reassemble.1")) fan = s[0]; // transposed: [in, out, k, k]
                    w.copy_(r.mul(new Scalar(1.0 / Math.sqrt(fan))));
                }
            }
        }
    }

    static Tensor randn(long seed, long... shape) {
        torch.manual_seed(seed);
        return torch.randn(shape);
    }

    /** Random taps for N frames of a config. */
    static List<Tensor> taps(HeadConfig c, long n, long gh, long gw, long seed) {
        List<Tensor> t = new ArrayList<>();
        for (int i = 0; i < 4; i++) t.add(randn(seed + i, n, gh * gw, c.fusion().visualWidth()));
        return t;
    }

    static float[] values(Tensor t) {
        Tensor c = t.contiguous().to(torch.ScalarType.Float);
        float[] v = new float[(int) c.numel()];
        c.data_ptr_float().get(v);
        return v;
    }

    static Tensor tensor(float[] v, long... shape) {
        try (FloatPointer fp = new FloatPointer(v)) {
            return torch.from_blob(fp, shape, new TensorOptions(torch.ScalarType.Float)).clone();
        }
    }

    static long[] shape(Tensor t) { return t.sizes().vec().get(); }

    static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = values(a), y = values(b);
        if (x.length != y.length) throw new AssertionError("sizes differ: " + x.length + " vs " + y.length);
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
        return m;
    }

    static double maxAbs(Tensor a) {
        double m = 0;
        for (float x : values(a)) m = Math.max(m, Math.abs(x));
        return m;
    }
}
