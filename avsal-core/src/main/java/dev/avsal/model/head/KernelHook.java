package dev.avsal.model.head;

import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the head switches between {@link HeadKernels} and LibTorch ops. Discovery runs once; each reason for
 * not using the kernels on a tensor that could have used them is logged once. Thread-safe.
 */
final class KernelHook {
    private static final Logger LOG = LoggerFactory.getLogger(KernelHook.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static volatile boolean discovered;
    private static volatile HeadKernels provider;

    private KernelHook() {}

    static HeadKernels provider() {
        if (!discovered) {
            synchronized (KernelHook.class) {
                if (!discovered) {
                    try {
                        provider = ServiceLoader.load(HeadKernels.class, HeadKernels.class.getClassLoader())
                                .findFirst().orElse(null);
                    } catch (java.util.ServiceConfigurationError | LinkageError e) { // a broken provider must not break the head
                        LOG.warn("head kernels: provider failed to load, using LibTorch ops: {}", e.toString());
                    }
                    discovered = true;
                }
            }
        }
        return provider;
    }

    static synchronized void install(HeadKernels p) {
        provider = p;
        discovered = true;
        LOGGED.clear();
    }

    static String describe() {
        HeadKernels p = provider();
        return p == null ? "none: no HeadKernels provider on the class path (add avsal-native); LibTorch ops everywhere"
                : p.describe();
    }

    /** The provider if it should take this tensor (no gradients needed), else null. */
    private static HeadKernels forTensor(Tensor t) {
        HeadKernels p = provider();
        if (p == null || !p.accepts(t)) return null;
        if (GradMode.is_enabled()) { // the kernels are forward-only
            once("grad", "head kernels: gradients are enabled, using LibTorch ops (the kernels are inference-only)");
            return null;
        }
        return p;
    }

    static Tensor fusion(Tensor x, Tensor ap, Supplier<List<Tensor>> params, int heads, double eps) {
        HeadKernels p = forTensor(x);
        if (p == null) return null;
        Tensor out = p.fusionBlock(x, ap, params.get(), heads, eps);
        if (out == null) once("fusion-unsupported", "head kernels: fusion block shape/dtype not supported, using LibTorch ops");
        return out;
    }

    static Tensor convGru(Tensor seq, Tensor wx, Tensor bx, Tensor wh, Tensor h0) {
        HeadKernels p = forTensor(seq);
        if (p == null) return null;
        Tensor out = p.convGru(seq, wx, bx, wh, h0);
        if (out == null) once("gru-unsupported", "head kernels: ConvGRU shape/dtype not supported, using LibTorch ops");
        return out;
    }

    private static void once(String key, String message) {
        if (LOGGED.add(key)) LOG.info(message);
    }
}
