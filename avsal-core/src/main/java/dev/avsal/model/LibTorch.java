package dev.avsal.model;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the LibTorch natives (bytedeco {@code pytorch} presets) once per JVM and controls the intra-op thread count.
 *
 * <p>On CPU, LibTorch's OpenMP threads spin-wait by default and then fight OpenBLAS's threads: a ViT-B/16 frame
 * took 1.19 s instead of 0.26 s on 2 cores. The cure, {@code OMP_WAIT_POLICY=PASSIVE}, must be in the process
 * environment before libgomp is loaded, and Java cannot set environment variables, so {@link #load()} only warns
 * (once) when it is missing. Set it in the launcher ({@code export OMP_WAIT_POLICY=PASSIVE}), in Maven surefire
 * {@code <environmentVariables>}, or in the exec/IDE run configuration.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class LibTorch {
    private static final Logger LOG = LoggerFactory.getLogger(LibTorch.class);
    /** The environment variable that must be PASSIVE for good CPU speed. */
    public static final String OMP_WAIT_POLICY = "OMP_WAIT_POLICY";
    private static volatile boolean loaded;

    private LibTorch() {}

    /**
     * Loads the natives if not done yet (idempotent, cheap after the first call). Logs the version and thread
     * count at INFO, and warns if {@code OMP_WAIT_POLICY} is not {@code PASSIVE}; both only the first time.
     */
    public static void load() {
        if (loaded) return;
        synchronized (LibTorch.class) {
            if (loaded) return;
            Loader.load(torch.class);
            loaded = true;
            LOG.info("LibTorch {} loaded: {} intra-op threads, {} inter-op threads", version(),
                    torch.get_num_threads(), torch.get_num_interop_threads());
            String policy = System.getenv(OMP_WAIT_POLICY);
            if (!ompPolicyIsPassive(policy)) {
                LOG.warn("{} is {} instead of PASSIVE: LibTorch CPU inference can be several times slower because "
                        + "OpenMP threads spin-wait. It cannot be set from Java once libgomp is loaded; set it in the "
                        + "environment before the JVM starts (export {}=PASSIVE, surefire <environmentVariables>, "
                        + "or the launcher script).", OMP_WAIT_POLICY, policy == null ? "unset" : "'" + policy + "'",
                        OMP_WAIT_POLICY);
            }
        }
    }

    /** True if the given {@code OMP_WAIT_POLICY} value is PASSIVE (case-insensitive, as libgomp reads it). */
    static boolean ompPolicyIsPassive(String value) {
        return value != null && value.trim().equalsIgnoreCase("PASSIVE");
    }

    /** The bytedeco pytorch artifact version, e.g. {@code 2.10.0-1.5.13} (LibTorch 2.10.0). */
    public static String version() {
        try {
            String v = Loader.getVersion("org.bytedeco", "pytorch");
            return v == null ? "(unknown version)" : v;
        } catch (java.io.IOException e) {
            return "(unknown version)";
        }
    }

    /** Sets the number of intra-op threads LibTorch uses (applies process-wide). */
    public static void setNumThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        load();
        torch.set_num_threads(threads);
        LOG.info("LibTorch intra-op threads set to {}", threads);
    }

    /** The number of intra-op threads LibTorch uses. */
    public static int numThreads() {
        load();
        return torch.get_num_threads();
    }
}
