package dev.avsal.nativ;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.model.LibTorch;
import dev.avsal.model.head.ConvGru;
import dev.avsal.model.head.ConvGruConfig;
import dev.avsal.model.head.CrossAttentionFusion;
import dev.avsal.model.head.FusionConfig;
import dev.avsal.model.head.GruState;
import dev.avsal.model.head.HeadKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Java → JNI → C ABI → CPU reference backend, against the head's LibTorch ops on the same parameters (fresh random
 * inputs, odd sizes), through the {@link HeadKernels} hook of CrossAttentionFusion and ConvGru.
 */
class NativeKernelsTest {
    private static KernelBackend cpu;
    private static final long SEED = System.nanoTime();

    @BeforeAll
    static void load() {
        LibTorch.load();
        cpu = AvSalNative.cpu().orElseThrow(() -> new AssertionError("CPU backend did not load: " + AvSalNative.status()));
    }

    @AfterEach
    void restore() { HeadKernels.install(null); }

    /** A provider that counts the calls it serves, so a test cannot pass by silently falling back to LibTorch. */
    static final class Counting implements HeadKernels {
        final NativeHeadKernels inner;
        final AtomicInteger fusion = new AtomicInteger(), gru = new AtomicInteger();
        Counting(KernelBackend b) { inner = new NativeHeadKernels(b); }
        public String describe() { return inner.describe(); }
        public boolean accepts(Tensor t) { return inner.accepts(t); }
        public Tensor fusionBlock(Tensor x, Tensor ap, List<Tensor> p, int heads, double eps) {
            Tensor r = inner.fusionBlock(x, ap, p, heads, eps);
            if (r != null) fusion.incrementAndGet();
            return r;
        }
        public Tensor convGru(Tensor s, Tensor wx, Tensor bx, Tensor wh, Tensor h0) {
            Tensor r = inner.convGru(s, wx, bx, wh, h0);
            if (r != null) gru.incrementAndGet();
            return r;
        }
    }

    /** Every parameter random (LayerNorm gains near 1, offsets and biases non-zero): swapped tensors would show. */
    static void randomize(Module m, long seed) {
        torch.manual_seed(seed);
        try (NoGradGuard g = new NoGradGuard()) {
            StringTensorDict p = m.named_parameters();
            for (long i = 0; i < p.size(); i++) {
                String name = p.get(i).key().getString();
                Tensor w = p.get(i).value();
                long[] s = w.sizes().vec().get();
                Tensor r = torch.randn(s);
                long fan = 1;
                for (int k = 1; k < s.length; k++) fan *= s[k];
                if (name.contains("norm") && name.endsWith("weight")) w.copy_(r.mul(new Scalar(0.2)).add(new Scalar(1.0)));
                else if (s.length == 1) w.copy_(r.mul(new Scalar(0.2)));
                else w.copy_(r.mul(new Scalar(1.0 / Math.sqrt(fan))));
            }
        }
    }

    static double relErr(Tensor got, Tensor ref) {
        float[] a = values(got), b = values(ref);
        assertEquals(b.length, a.length);
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), "non-finite output at " + i);
            num += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    static float[] values(Tensor t) {
        Tensor c = t.contiguous().to(torch.ScalarType.Float);
        float[] v = new float[(int) c.numel()];
        c.data_ptr_float().get(v);
        return v;
    }

    @Test
    void fusionBlockMatchesLibTorchOps() {
        long seed = SEED;
        // Odd sizes: 3 heads of width 12, 7 queries, 5 audio tokens, input widths unlike d.
        for (int[] c : new int[][] {{3, 7, 5, 36, 3, 24, 20}, {2, 13, 1, 16, 4, 16, 8}, {1, 3, 29, 64, 1, 10, 12}}) {
            try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                int n = c[0], lq = c[1], lk = c[2], d = c[3], heads = c[4];
                CrossAttentionFusion f = new CrossAttentionFusion(new FusionConfig(c[5], c[6], d, heads, 2, 1e-5));
                randomize(f, ++seed);
                torch.manual_seed(++seed);
                Tensor visual = torch.randn(n, lq, c[5]), audio = torch.randn(n, lk, c[6]).add(new Scalar(0.5));
                Tensor ref = f.forward(visual, audio);
                Counting k = new Counting(cpu);
                HeadKernels.install(k);
                Tensor got = f.forward(visual, audio);
                HeadKernels.install(null);
                assertEquals(1, k.fusion.get(), "the kernel served the call");
                double e = relErr(got, ref);
                assertTrue(e <= 1e-5, "fusion " + java.util.Arrays.toString(c) + " rel err " + e + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void fusionBlockInBfloat16AndHalf() {
        for (torch.ScalarType dt : List.of(torch.ScalarType.BFloat16, torch.ScalarType.Half)) {
            try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                CrossAttentionFusion f = new CrossAttentionFusion(new FusionConfig(24, 20, 32, 2, 2, 1e-5));
                randomize(f, SEED + 40);
                torch.manual_seed(SEED + 41);
                Tensor visual = torch.randn(2, 9, 24), audio = torch.randn(2, 11, 20);
                Tensor ref = f.forward(visual, audio); // float32 reference
                f.to(dt, false);
                Tensor v = visual.to(dt), a = audio.to(dt);
                Counting k = new Counting(cpu);
                HeadKernels.install(k);
                Tensor got = f.forward(v, a);
                HeadKernels.install(null);
                assertEquals(1, k.fusion.get());
                assertEquals(dt, got.scalar_type().intern());
                double e = relErr(got, ref);
                assertTrue(e <= 1e-2, dt + " rel err " + e);
            }
        }
    }

    @Test
    void convGruMatchesLibTorchOpsIncludingCarriedState() {
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
            ConvGru gru = new ConvGru(new ConvGruConfig(6, 3));
            randomize(gru, SEED + 7);
            torch.manual_seed(SEED + 8);
            Tensor seq = torch.randn(2, 5, 6, 5, 7);
            Tensor ref = gru.forward(seq);
            Counting k = new Counting(cpu);
            HeadKernels.install(k);
            Tensor got = gru.forward(seq);
            // Streaming in chunks (2 + 3 frames) through a carried state: h0 goes through the C ABI.
            Tensor a, b;
            try (GruState st = new GruState()) {
                a = gru.forward(seq.narrow(1, 0, 2), st);
                b = gru.forward(seq.narrow(1, 2, 3), st);
                assertFalse(st.isEmpty());
                assertTrue(relErr(st.hidden(), ref.select(1, 4)) <= 1e-5);
            }
            HeadKernels.install(null);
            assertEquals(3, k.gru.get());
            assertTrue(relErr(got, ref) <= 1e-5, "convgru rel err " + relErr(got, ref));
            assertTrue(relErr(torch.cat(new org.bytedeco.pytorch.TensorArrayRef(new org.bytedeco.pytorch.TensorVector(a, b)), 1), ref) <= 1e-5);
        }
    }

    @Test
    void oneByOneGridAndSingleStep() {
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
            ConvGru gru = new ConvGru(new ConvGruConfig(5, 3));
            randomize(gru, SEED + 9);
            torch.manual_seed(SEED + 10);
            Tensor seq = torch.randn(3, 1, 5, 1, 1);
            Tensor ref = gru.forward(seq);
            HeadKernels.install(new Counting(cpu));
            assertTrue(relErr(gru.forward(seq), ref) <= 1e-5);
        }
    }

    @Test
    void unsupportedShapesFallBackToLibTorch() {
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
            // d = 6 is not a multiple of 4: the kernel declines, LibTorch computes, the result is still right.
            CrossAttentionFusion f = new CrossAttentionFusion(new FusionConfig(8, 8, 6, 2, 2, 1e-5));
            randomize(f, SEED + 11);
            Tensor v = torch.randn(1, 3, 8), a = torch.randn(1, 4, 8);
            Tensor ref = f.forward(v, a);
            Counting k = new Counting(cpu);
            HeadKernels.install(k);
            Tensor got = f.forward(v, a);
            assertEquals(0, k.fusion.get());
            assertEquals(0.0, relErr(got, ref), 0.0);
            // A 5x5 ConvGRU kernel is not the kernels' 3x3: LibTorch ops, never the native call.
            ConvGru g5 = new ConvGru(new ConvGruConfig(4, 5));
            Tensor s = torch.randn(1, 2, 4, 3, 3);
            g5.forward(s);
            assertEquals(0, k.gru.get());
        }
    }

    @Test
    void gradientsKeepLibTorchOps() {
        try (PointerScope scope = new PointerScope()) {
            CrossAttentionFusion f = new CrossAttentionFusion(new FusionConfig(8, 8, 8, 2, 2, 1e-5));
            Counting k = new Counting(cpu);
            HeadKernels.install(k);
            Tensor out = f.forward(torch.randn(1, 3, 8), torch.randn(1, 2, 8));
            assertEquals(0, k.fusion.get());
            assertTrue(out.requires_grad());
        }
    }

    // ---- bad descriptors: typed exceptions, never a crash ----

    private static List<TensorRef> weights(List<Tensor> keep, int d, int f) {
        List<TensorRef> w = new ArrayList<>();
        long[][] shapes = {{d}, {d}, {d}, {d}, {d, d}, {d}, {d, d}, {d}, {d, d}, {d}, {d, d}, {d}, {d}, {d}, {f, d}, {f}, {d, f}, {d}};
        for (long[] s : shapes) {
            Tensor t = torch.randn(s);
            keep.add(t);
            w.add(TensorRef.of(t));
        }
        return w;
    }

    @Test
    void badDescriptorsThrowTypedExceptions() {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> keep = new ArrayList<>();
            Tensor x = torch.randn(2, 5, 8), ap = torch.randn(2, 3, 8), out = torch.empty(2, 5, 8);
            List<TensorRef> w = weights(keep, 8, 16);
            TensorRef X = TensorRef.of(x), A = TensorRef.of(ap), O = TensorRef.of(out);
            cpu.fusionForward(X, A, w, 2, 1e-5f, O, 0); // valid: no exception

            NativeKernelException e = assertThrows(NativeKernelException.class, () ->
                    cpu.fusionForward(TensorRef.contiguous(0, TensorRef.DType.F32, 2, 5, 8), A, w, 2, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.ARG, e.status());
            assertTrue(e.getMessage().contains("x"), e.getMessage());

            e = assertThrows(NativeKernelException.class, () -> cpu.fusionForward(X,
                    TensorRef.contiguous(A.address(), TensorRef.DType.F32, 3, 3, 8), w, 2, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.SHAPE, e.status());
            assertTrue(e.getMessage().contains("ap"), e.getMessage());

            Tensor xt = torch.randn(2, 8, 5).transpose(1, 2); // [2, 5, 8], not contiguous
            e = assertThrows(NativeKernelException.class, () -> cpu.fusionForward(TensorRef.of(xt), A, w, 2, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.LAYOUT, e.status());

            e = assertThrows(NativeKernelException.class, () -> cpu.fusionForward(X, A, w, 3, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.ARG, e.status()); // 3 heads do not divide 8
            assertTrue(e.getMessage().contains("heads"), e.getMessage());

            List<TensorRef> w2 = new ArrayList<>(w);
            w2.set(4, TensorRef.contiguous(w.get(4).address(), TensorRef.DType.BF16, 8, 8));
            e = assertThrows(NativeKernelException.class, () -> cpu.fusionForward(X, A, w2, 2, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.DTYPE, e.status());
            assertTrue(e.getMessage().contains("q_proj.weight"), e.getMessage());

            e = assertThrows(NativeKernelException.class, () -> cpu.fusionForward(X, A, w.subList(0, 17), 2, 1e-5f, O, 0));
            assertEquals(NativeKernelException.Status.ARG, e.status());

            e = assertThrows(NativeKernelException.class, () -> new TensorRef(1, TensorRef.DType.F32, new long[7], new long[7]));
            assertEquals(NativeKernelException.Status.DESCRIPTOR, e.status());

            e = assertThrows(NativeKernelException.class, () -> TensorRef.of(torch.randn(2, 2).to(torch.ScalarType.Double)));
            assertEquals(NativeKernelException.Status.DTYPE, e.status());

            // ConvGRU: wrong weight shape, wrong h0 shape, unknown dtype code via the raw descriptor.
            Tensor seq = torch.randn(1, 2, 4, 3, 3), wx = torch.randn(12, 4, 3, 3), bx = torch.randn(12),
                    wh = torch.randn(12, 4, 3, 3), go = torch.empty(1, 2, 4, 3, 3);
            TensorRef S = TensorRef.of(seq), WX = TensorRef.of(wx), BX = TensorRef.of(bx), WH = TensorRef.of(wh), GO = TensorRef.of(go);
            cpu.convGruForward(S, WX, BX, WH, null, GO, 0);
            e = assertThrows(NativeKernelException.class, () -> cpu.convGruForward(S, WX, BX,
                    TensorRef.contiguous(WH.address(), TensorRef.DType.F32, 12, 4, 1, 1), null, GO, 0));
            assertEquals(NativeKernelException.Status.SHAPE, e.status());
            assertTrue(e.getMessage().contains("conv_h.weight"), e.getMessage());
            e = assertThrows(NativeKernelException.class, () -> cpu.convGruForward(S, WX, BX, WH,
                    TensorRef.contiguous(GO.address(), TensorRef.DType.F32, 2, 4, 3, 3), GO, 0));
            assertEquals(NativeKernelException.Status.SHAPE, e.status());
            assertTrue(e.getMessage().contains("h0"), e.getMessage());
            keep.clear();
        }
    }
}
