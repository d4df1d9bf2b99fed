package dev.avsal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import dev.avsal.model.head.HeadKernels;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * What avsal runs on: versions, the native libraries that loaded, and whether CUDA is usable and, when it is not,
 * why. This is what {@code avsal info} prints; attach it to bug reports.
 *
 * <p>Never touches bytedeco's CUDA classes: they throw on machines without the NVIDIA driver.
 */
public final class Diagnostics {
    private Diagnostics() {}

    /** Loads LibTorch (if not yet loaded) and reports; an ordered map of plain values, ready for JSON. */
    public static Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("avsal", version());
        r.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("cpu_bf16", cpuBf16(cpuFlags()));
        r.put("javacpp_platform", Loader.getPlatform());
        r.put("javacpp", artifactVersion("javacpp"));
        r.put("pytorch_preset", artifactVersion("pytorch"));
        boolean gpuBuild = gpuBuildOnClasspath();
        r.put("pytorch_build", gpuBuild ? "linux-x86_64-gpu" : "linux-x86_64 (CPU)");
        String wait = System.getenv("OMP_WAIT_POLICY");
        r.put("omp_wait_policy", wait == null ? "unset (set OMP_WAIT_POLICY=PASSIVE: up to 4.6x faster)" : wait);
        long t0 = System.nanoTime();
        try {
            Loader.load(torch.class);
        } catch (Throwable e) { // report, never crash: a broken install is exactly what this is for
            r.put("libtorch", "FAILED to load: " + e);
            r.put("cuda_available", false);
            r.put("cuda_reason", "LibTorch did not load");
            return r;
        }
        r.put("libtorch_load_ms", (System.nanoTime() - t0) / 1_000_000);
        r.put("torch_threads", torch.get_num_threads());
        r.put("native_libraries", new ArrayList<>(new TreeSet<>(Loader.getLoadedLibraries().keySet())));
        boolean cuda = torch.cuda_is_available();
        r.put("cuda_available", cuda);
        if (cuda) {
            r.put("cuda_devices", torch.cuda_device_count());
        } else {
            r.put("cuda_reason", cudaAbsentReason(gpuBuild));
        }
        r.put("avsal_kernels", HeadKernels.status()); // fused head kernels (avsal-native) or why LibTorch ops run
        return r;
    }

    /**
     * Whether this CPU has bfloat16 instructions, from the {@code flags} line of {@code /proc/cpuinfo} (null when
     * unknown), and what that means for {@link Precision#BF16} on the CPU.
     */
    static String cpuBf16(String flags) {
        if (flags == null) return "unknown (no /proc/cpuinfo flags)";
        for (String f : flags.trim().split("\\s+"))
            if (f.equals("avx512_bf16") || f.equals("amx_bf16"))
                return "yes (" + f + "): Precision.BF16 runs the encoders about 2x faster than FP32 on the CPU";
        return "no: bfloat16 is emulated on this CPU; FP32 is likely faster";
    }

    private static String cpuFlags() {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().map(l -> l.substring(l.indexOf(':') + 1))
                    .orElse(null);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Why CUDA cannot be used here, or null when LibTorch reports a usable GPU ({@code torch.cuda_is_available()}).
     * Loads LibTorch if needed; never touches bytedeco's CUDA classes.
     */
    public static String cudaUnavailableReason() {
        dev.avsal.model.LibTorch.load();
        return torch.cuda_is_available() ? null : cudaAbsentReason(gpuBuildOnClasspath());
    }

    static String cudaAbsentReason(boolean gpuBuild) {
        if (!gpuBuild) {
            return "this is the CPU build of LibTorch (org.bytedeco:pytorch:linux-x86_64); build with -Pgpu for CUDA";
        }
        if (!Files.exists(Path.of("/proc/driver/nvidia/version")) && !libcudaPresent()) {
            return "no NVIDIA driver on this machine (no /proc/driver/nvidia, no libcuda.so.1); CUDA 13 needs driver >= 580";
        }
        return "libtorch_cuda did not load: cuBLAS 13, cuDNN 9, cuSPARSE, cuSOLVER and NCCL must come from the system"
                + " (run with -Dorg.bytedeco.javacpp.logger.debug=true to see which one is missing)";
    }

    private static String artifactVersion(String artifact) {
        try {
            String v = Loader.getVersion("org.bytedeco", artifact);
            return v == null ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static boolean gpuBuildOnClasspath() {
        return Diagnostics.class.getClassLoader()
                .getResource("org/bytedeco/pytorch/linux-x86_64-gpu/") != null;
    }

    private static boolean libcudaPresent() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/nvidia/lib64", "/usr/lib")) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) return true;
        }
        return false;
    }

    /** The avsal version from the jar manifest, or "development" when run from classes. */
    public static String version() {
        String v = Diagnostics.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT (development)" : v;
    }
}
