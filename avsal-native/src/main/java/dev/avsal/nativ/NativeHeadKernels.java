package dev.avsal.nativ;

import dev.avsal.model.head.HeadKernels;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The {@link HeadKernels} provider of avsal-native (registered in {@code META-INF/services}): with the no-argument
 * constructor it sends CUDA tensors on device 0 to the CUDA backend when that backend loaded and sees a GPU, and
 * declines everything else (CPU tensors keep LibTorch ops). {@link #NativeHeadKernels(KernelBackend)} binds a given
 * backend instead; with the CPU backend it takes CPU tensors (tests, and checking the kernels' function on any
 * machine).
 *
 * <p>Our choices: tensors on other CUDA devices than 0 use LibTorch ops (the C ABI runs on the current device);
 * the kernels run on the legacy default stream, LibTorch's default. Shapes the kernels do not support (width not
 * a multiple of 4 or over 256, FFN over 1024, more than 65535 frames) are declined and run on LibTorch ops.
 *
 * <p>Thread-safe.
 */
public final class NativeHeadKernels implements HeadKernels {
    private final KernelBackend backend;
    private final boolean discovered;

    /** The service constructor: the loaded CUDA backend, if any. Loading happens on first use. */
    public NativeHeadKernels() {
        this.backend = null;
        this.discovered = true;
    }

    /** Binds {@code backend} (CPU backend: takes CPU tensors; CUDA backend: CUDA tensors on device 0). */
    public NativeHeadKernels(KernelBackend backend) {
        if (backend == null) throw new IllegalArgumentException("backend is null");
        this.backend = backend;
        this.discovered = false;
    }

    private KernelBackend backend() { return discovered ? AvSalNative.cuda().orElse(null) : backend; }

    @Override
    public String describe() { return discovered ? AvSalNative.status() : "bound to " + backend; }

    @Override
    public boolean accepts(Tensor t) {
        if (discovered && !t.is_cuda()) return false; // CPU work never loads the native libraries
        KernelBackend b = backend();
        if (b == null) return false;
        if (!b.isCuda()) return t.is_cpu();
        return b.deviceCount() > 0 && t.is_cuda() && t.device().index() <= 0;
    }

    /** Sizes the kernels do not support and dtypes they do not take: LibTorch ops handle these (or report them). */
    private static boolean declined(NativeKernelException e) {
        return e.status() == NativeKernelException.Status.UNSUPPORTED || e.status() == NativeKernelException.Status.DTYPE;
    }

    @Override
    public Tensor fusionBlock(Tensor x, Tensor ap, List<Tensor> params, int heads, double eps) {
        KernelBackend b = backend();
        Tensor xc = x.contiguous(), ac = ap.contiguous();
        List<Tensor> keep = new ArrayList<>(params.size()); // holds the contiguous copies until the call returns
        Tensor out = torch.empty_like(xc);
        try {
            List<TensorRef> w = new ArrayList<>(params.size());
            for (Tensor p : params) {
                Tensor c = p.contiguous();
                keep.add(c);
                w.add(TensorRef.of(c));
            }
            b.fusionForward(TensorRef.of(xc), TensorRef.of(ac), w, heads, (float) eps, TensorRef.of(out), 0L);
        } catch (NativeKernelException e) {
            if (declined(e)) return null;
            throw e;
        }
        return out;
    }

    @Override
    public Tensor convGru(Tensor seq, Tensor convXWeight, Tensor convXBias, Tensor convHWeight, Tensor h0) {
        KernelBackend b = backend();
        Tensor s = seq.contiguous(), wx = convXWeight.contiguous(), bx = convXBias.contiguous(),
                wh = convHWeight.contiguous(), h = h0 == null ? null : h0.contiguous();
        Tensor out = torch.empty_like(s);
        try {
            b.convGruForward(TensorRef.of(s), TensorRef.of(wx), TensorRef.of(bx), TensorRef.of(wh),
                    h == null ? null : TensorRef.of(h), TensorRef.of(out), 0L);
        } catch (NativeKernelException e) {
            if (declined(e)) return null;
            throw e;
        }
        return out;
    }
}
