package dev.avsal.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the native kernel libraries once per JVM, the way ONNX Runtime does:
 * <ol>
 *   <li>{@code -Davsal.native.skip=true}: never loads anything (LibTorch ops everywhere).</li>
 *   <li>{@code -Davsal.native.path=DIR}: loads {@code libavsal_jni.so}, {@code libavsal_native_cpu.so} and
 *       {@code libavsal_native_cuda.so} from DIR instead of the bundled ones (a missing JNI library falls back to the
 *       bundled one); {@code -Davsal.native.path=FILE}: FILE is the backend library to use (any library exporting
 *       the C ABI), classified by the name it reports. A path that does not exist loads nothing (no silent
 *       fallback to the bundled copy).</li>
 *   <li>Otherwise the libraries bundled in this jar under {@code dev/avsal/nativ/linux-x86_64/} (extracted to a
 *       temporary directory when inside a jar).</li>
 * </ol>
 * Loading never fails the caller: what happened is logged once at INFO (WARN for a broken override) and available
 * from {@link #status()}. The CUDA backend is built with a static CUDA runtime, so loading it on a machine
 * without the NVIDIA driver is safe; it then reports no device and the head keeps using LibTorch ops.
 *
 * <p>Thread-safe.
 */
public final class AvSalNative {
    public static final String PATH_PROPERTY = "avsal.native.path";
    public static final String SKIP_PROPERTY = "avsal.native.skip";
    static final String JNI = "libavsal_jni.so", CPU = "libavsal_native_cpu.so", CUDA = "libavsal_native_cuda.so";
    private static final String RESOURCE_DIR = "/dev/avsal/nativ/linux-x86_64/";
    private static final Logger LOG = LoggerFactory.getLogger(AvSalNative.class);

    /** What loaded: each backend may be null; {@code summary} says why. */
    private record State(KernelBackend cpu, KernelBackend cuda, String summary) {}

    private static volatile State state;
    private static boolean jniLoaded;
    private static Path extracted;

    private AvSalNative() {}

    /** The CPU reference backend, if loaded. */
    public static Optional<KernelBackend> cpu() { return Optional.ofNullable(state().cpu); }

    /** The CUDA backend, if loaded (it may still have no device: see {@link KernelBackend#deviceCount()}). */
    public static Optional<KernelBackend> cuda() { return Optional.ofNullable(state().cuda); }

    /** One line: what loaded from where and what the head will use, or why nothing loaded. */
    public static String status() { return state().summary; }

    private static State state() {
        State s = state;
        if (s != null) return s; // hot path of every head forward on CUDA tensors: no lock
        synchronized (AvSalNative.class) {
            if (state == null) {
                state = load();
                LOG.info("avsal native kernels: {}", state.summary);
            }
            return state;
        }
    }

    private static State load() {
        if (Boolean.parseBoolean(System.getProperty(SKIP_PROPERTY, "false")))
            return new State(null, null, "not loaded (-D" + SKIP_PROPERTY + "=true); LibTorch ops everywhere");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT), arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            return new State(null, null, "no native kernels for " + os + "-" + arch + " (linux-x86_64 only); LibTorch ops everywhere");
        String override = System.getProperty(PATH_PROPERTY);
        try {
            if (override != null && !override.isBlank()) return loadOverride(Path.of(override).toAbsolutePath());
            Path dir = bundledDir();
            if (dir == null) return new State(null, null, "no bundled native libraries in this jar; LibTorch ops everywhere");
            return loadDir(dir, "bundled");
        } catch (IOException | URISyntaxException | UnsatisfiedLinkError | SecurityException e) {
            LOG.warn("avsal native kernels did not load: {}", e.toString());
            return new State(null, null, "failed to load (" + e.getMessage() + "); LibTorch ops everywhere");
        }
    }

    private static State loadOverride(Path p) throws IOException, URISyntaxException {
        String where = "-D" + PATH_PROPERTY + "=" + p;
        if (Files.isDirectory(p)) return loadDir(p, where);
        if (!Files.isRegularFile(p)) {
            LOG.warn("{} does not exist: no native kernels loaded", where);
            return new State(null, null, where + " does not exist: nothing loaded; LibTorch ops everywhere");
        }
        Path bundled = bundledDir();
        loadJni(bundled == null ? null : bundled.resolve(JNI));
        KernelBackend b = open(p);
        return b.isCuda() ? finish(null, b, where) : finish(b, null, where);
    }

    private static State loadDir(Path dir, String where) throws IOException, URISyntaxException {
        Path jni = dir.resolve(JNI);
        if (!Files.isRegularFile(jni)) {
            Path bundled = bundledDir();
            jni = bundled == null ? null : bundled.resolve(JNI);
        }
        loadJni(jni);
        KernelBackend cpu = Files.isRegularFile(dir.resolve(CPU)) ? open(dir.resolve(CPU)) : null;
        KernelBackend cuda = Files.isRegularFile(dir.resolve(CUDA)) ? open(dir.resolve(CUDA)) : null;
        return finish(cpu, cuda, where + " " + dir);
    }

    private static State finish(KernelBackend cpu, KernelBackend cuda, String where) {
        StringBuilder s = new StringBuilder("from ").append(where).append(": ");
        s.append("cpu backend ").append(cpu == null ? "absent" : "loaded").append(", ");
        if (cuda == null) s.append("cuda backend absent (built only where nvcc exists); CUDA tensors use LibTorch ops");
        else if (cuda.deviceCount() > 0) s.append("cuda backend loaded, ").append(cuda.deviceCount())
                .append(" device(s): CUDA tensors use the fused kernels");
        else s.append("cuda backend loaded but no usable GPU (").append(cuda.deviceError())
                .append("); LibTorch ops everywhere");
        return new State(cpu, cuda, s.toString());
    }

    private static KernelBackend open(Path lib) {
        return new KernelBackend(NativeBinding.open(lib.toString()), lib);
    }

    private static void loadJni(Path jni) {
        if (jniLoaded) return;
        if (jni == null || !Files.isRegularFile(jni)) throw new UnsatisfiedLinkError("JNI glue " + JNI + " not found");
        System.load(jni.toString());
        jniLoaded = true;
    }

    /** The directory holding the bundled libraries: on disk as is, or extracted from the jar; null if none. */
    private static Path bundledDir() throws IOException, URISyntaxException {
        URL jni = AvSalNative.class.getResource(RESOURCE_DIR + JNI);
        if (jni == null) return null;
        if ("file".equals(jni.getProtocol())) return Path.of(jni.toURI()).getParent();
        if (extracted == null) {
            Path dir = Files.createTempDirectory("avsal-native");
            dir.toFile().deleteOnExit();
            for (String name : new String[] {JNI, CPU, CUDA}) {
                try (InputStream in = AvSalNative.class.getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) continue;
                    Path f = dir.resolve(name);
                    Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
                    f.toFile().deleteOnExit();
                }
            }
            extracted = dir;
        }
        return extracted;
    }

    /** Forgets what loaded so that the next call reads the properties again (tests only; the JNI glue stays). */
    static void resetForTests() {
        synchronized (AvSalNative.class) {
            state = null;
        }
    }
}
