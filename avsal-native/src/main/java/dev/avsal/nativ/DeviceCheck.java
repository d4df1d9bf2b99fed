package dev.avsal.nativ;

import dev.avsal.nativ.TensorRef.DType;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Internal tool, not API: runs the fused cross-attention block and the ConvGRU of one backend of the C ABI (default:
 * CUDA) on random inputs at several shapes (odd ones included; fp32, bf16, fp16) through the Java binding
 * ({@link KernelBackend}, JNI, {@code avsal_native.h}) and compares them with another backend (default: the CPU
 * reference backend, which CI checks against LibTorch), then times the kernels through the same binding. Needs no
 * LibTorch: memory comes from the C ABI's internal helpers ({@link DeviceMemory}).
 *
 * <pre>java -Davsal.native.path=LIBDIR -cp JARS dev.avsal.nativ.DeviceCheck [--backend cuda|cpu] [--reference cpu|cuda]
 *      [--json FILE] [--seed N] [--quick] [--timing full|small|none] [--warmup N] [--iters N]</pre>
 *
 * Exit codes: 0 every check passed, 1 a check failed or raised, 2 usage, 3 a backend is missing or sees no GPU.
 *
 * <p>Our choices: a case passes when the output is finite, its relative L2 error is within the tolerance
 * (fp32 1e-5, bf16/fp16 1e-2) and its largest element error relative to the largest reference magnitude is within
 * 1e-4 (fp32) or 5e-2 (bf16/fp16), so a single wrong element cannot hide in the L2 norm. Outputs are poisoned
 * with NaN before every call. Timing: median of {@code iters} calls each followed by {@code avsal_synchronize}
 * after {@code warmup} calls, the host time until the call returns (launch cost through JNI), and the mean over
 * {@code iters} calls issued back to back with one synchronisation at the end.
 *
 * <p>Not thread-safe (a command-line tool; the comparison methods are used by tests on one thread).
 */
public final class DeviceCheck {
    static final double[] TOL_L2 = {1e-5, 1e-2, 1e-2}, TOL_MAX = {1e-4, 5e-2, 5e-2}; // by DType ordinal
    private static final DType[] ALL = DType.values();

    private DeviceCheck() {}

    /** Runs a kernel of one backend on staged tensors: inputs in spec order, output last. */
    interface Call { void run(KernelBackend b, List<TensorRef> in, TensorRef out); }

    /** Changes the device output before it is compared (tests: a check that cannot fail is a defect). */
    interface Tamper { void apply(Spec spec, double[] deviceOut); }

    /** One kernel invocation: inputs as floats (rounded to the dtype when encoded), output shape, the call. */
    record Spec(String kernel, String shape, DType dtype, long seed, List<long[]> inShapes, List<float[]> inputs,
                long[] outShape, Call call) {}

    /** The result of one comparison; NaN errors when the output was not finite or the call failed. */
    record Check(String kernel, String shape, DType dtype, long seed, double relL2, double maxRel, boolean pass, String error) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", kernel);
            m.put("shape", shape);
            m.put("dtype", name(dtype));
            m.put("seed", seed);
            m.put("rel_l2", finite(relL2));
            m.put("max_rel", finite(maxRel));
            m.put("tol_rel_l2", TOL_L2[dtype.ordinal()]);
            m.put("tol_max_rel", TOL_MAX[dtype.ordinal()]);
            m.put("pass", pass);
            m.put("error", error);
            return m;
        }
    }

    /** Timing of one kernel call in ms (launch in us): medians after warm-up. */
    record Timing(String kernel, String shape, DType dtype, int warmup, int iters, double launchUs, double callSyncMs,
                  double callSyncMinMs, double pipelinedMs, String error) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", kernel);
            m.put("shape", shape);
            m.put("dtype", name(dtype));
            m.put("warmup", warmup);
            m.put("iters", iters);
            m.put("launch_us_median", finite(launchUs));
            m.put("call_sync_ms_median", finite(callSyncMs));
            m.put("call_sync_ms_min", finite(callSyncMinMs));
            m.put("pipelined_ms_mean", finite(pipelinedMs));
            m.put("error", error);
            return m;
        }
    }

    // ---------------------------------------------------------------- cases

    /** Fusion block spec: N frames, Lq queries, Lk audio tokens, width d, heads, FFN width 2d (the head's ratio). */
    static Spec fusion(int n, int lq, int lk, int d, int heads, DType dt, long seed) {
        Random r = new Random(seed);
        int f = 2 * d;
        List<long[]> shapes = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        add(shapes, data, gauss(r, (long) n * lq * d, 1, 0), n, lq, d);          // x
        add(shapes, data, gauss(r, (long) n * lk * d, 1, 0.5f), n, lk, d);      // ap (before norm_kv)
        // The 18 weights in avsal_fusion_weights order; LayerNorm gains near 1, biases non-zero, matrices ~1/sqrt(in).
        for (int ln = 0; ln < 2; ln++) {                                       // norm_q, norm_kv
            add(shapes, data, gauss(r, d, 0.2f, 1), d);
            add(shapes, data, gauss(r, d, 0.1f, 0), d);
        }
        for (int p = 0; p < 4; p++) {                                          // q, k, v, out projections
            add(shapes, data, gauss(r, (long) d * d, (float) (1 / Math.sqrt(d)), 0), d, d);
            add(shapes, data, gauss(r, d, 0.1f, 0), d);
        }
        add(shapes, data, gauss(r, d, 0.2f, 1), d);                             // norm_ffn
        add(shapes, data, gauss(r, d, 0.1f, 0), d);
        add(shapes, data, gauss(r, (long) f * d, (float) (1 / Math.sqrt(d)), 0), f, d); // ffn.0
        add(shapes, data, gauss(r, f, 0.1f, 0), f);
        add(shapes, data, gauss(r, (long) d * f, (float) (1 / Math.sqrt(f)), 0), d, f); // ffn.2
        add(shapes, data, gauss(r, d, 0.1f, 0), d);
        String shape = String.format(Locale.ROOT, "N=%d Lq=%d Lk=%d d=%d h=%d", n, lq, lk, d, heads);
        return new Spec("fusion", shape, dt, seed, shapes, data, new long[] {n, lq, d},
                (b, in, out) -> b.fusionForward(in.get(0), in.get(1), in.subList(2, 20), heads, 1e-5f, out, 0L));
    }

    /** ConvGRU spec: seq [B, T, C, H, W], weights ~ 1/sqrt(9C) (pre-activations of order 1), optional h0. */
    static Spec convGru(int b, int t, int c, int h, int w, boolean withH0, DType dt, long seed) {
        Random r = new Random(seed);
        float ws = (float) (1 / Math.sqrt(9.0 * c));
        List<long[]> shapes = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        add(shapes, data, gauss(r, (long) b * t * c * h * w, 1, 0), b, t, c, h, w);
        add(shapes, data, gauss(r, 27L * c * c, ws, 0), 3L * c, c, 3, 3);
        add(shapes, data, gauss(r, 3L * c, 0.2f, 0), 3L * c);
        add(shapes, data, gauss(r, 27L * c * c, ws, 0), 3L * c, c, 3, 3);
        if (withH0) add(shapes, data, gauss(r, (long) b * c * h * w, 0.5f, 0), b, c, h, w);
        String shape = String.format(Locale.ROOT, "B=%d T=%d C=%d %dx%d%s", b, t, c, h, w, withH0 ? " h0" : "");
        return new Spec("convgru", shape, dt, seed, shapes, data, new long[] {b, t, c, h, w},
                (be, in, out) -> be.convGruForward(in.get(0), in.get(1), in.get(2), in.get(3), withH0 ? in.get(4) : null, out, 0L));
    }

    /**
     * The correctness cases. Full: tensor-core shapes (d 64/128, head width 16-64) and version 1 shapes (d 4/96/256,
     * head width 8 or 256, 400 audio tokens), single key, ConvGRU channels 8-128 with 1x1 to 14x24 grids, each with
     * and without h0, every dtype. Quick: a few small ones (tests).
     */
    static List<Spec> checkSpecs(boolean quick, long seed) {
        int[][] fc = quick ? new int[][] {{2, 19, 37, 64, 2}, {1, 6, 3, 12, 3}}
                : new int[][] {{3, 37, 229, 128, 4}, {2, 196, 229, 128, 4}, {1, 5, 1, 64, 1}, {2, 33, 70, 96, 3},
                        {1, 20, 100, 256, 1}, {2, 17, 400, 256, 8}, {1, 50, 33, 64, 8}, {1, 130, 300, 64, 2}, {1, 3, 7, 4, 1}};
        int[][] gc = quick ? new int[][] {{1, 3, 16, 5, 7}, {2, 2, 32, 3, 4}}
                : new int[][] {{1, 3, 16, 5, 7}, {2, 4, 32, 9, 13}, {1, 5, 8, 1, 1}, {1, 6, 64, 7, 30}, {2, 3, 128, 1, 1},
                        {1, 3, 128, 14, 24}};
        List<Spec> s = new ArrayList<>();
        long k = seed;
        for (int[] c : fc)
            for (DType dt : ALL) s.add(fusion(c[0], c[1], c[2], c[3], c[4], dt, k++));
        for (int[] c : gc)
            for (DType dt : ALL)
                for (boolean h0 : new boolean[] {false, true}) s.add(convGru(c[0], c[1], c[2], c[3], c[4], h0, dt, k++));
        return s;
    }

    /** Timing cases: full = the shapes of gpu-baselines.md (fp32, bf16); small = one tiny case each (CPU runs). */
    static List<Spec> timingSpecs(String mode, long seed) {
        List<Spec> s = new ArrayList<>();
        if (mode.equals("small")) {
            s.add(fusion(2, 37, 29, 64, 2, DType.F32, seed));
            s.add(convGru(1, 3, 16, 5, 7, false, DType.F32, seed + 1));
        } else if (mode.equals("full")) {
            for (int[] c : new int[][] {{16, 196}, {16, 336}, {256, 196}, {256, 336}})
                for (DType dt : new DType[] {DType.F32, DType.BF16}) s.add(fusion(c[0], c[1], 229, 128, 4, dt, seed++));
            for (int[] c : new int[][] {{1, 14, 24}, {8, 14, 24}, {1, 14, 14}})
                for (DType dt : new DType[] {DType.F32, DType.BF16}) s.add(convGru(c[0], 16, 128, c[1], c[2], false, dt, seed++));
        }
        return s;
    }

    // ---------------------------------------------------------------- running

    /** A spec's tensors in one backend's memory. */
    static final class Staged implements AutoCloseable {
        final KernelBackend backend;
        final Spec spec;
        final List<DeviceMemory> mem = new ArrayList<>();
        final List<TensorRef> in = new ArrayList<>();
        final DeviceMemory out;
        final TensorRef outRef;
        private final ByteBuffer poison;

        Staged(KernelBackend backend, Spec spec) {
            this.backend = backend;
            this.spec = spec;
            try {
                for (int i = 0; i < spec.inputs.size(); i++) {
                    ByteBuffer host = encode(spec.inputs.get(i), spec.dtype);
                    DeviceMemory m = new DeviceMemory(backend, host.capacity());
                    mem.add(m);
                    m.upload(host);
                    in.add(m.tensor(spec.dtype, spec.inShapes.get(i)));
                }
                long n = numel(spec.outShape);
                out = new DeviceMemory(backend, n * elementSize(spec.dtype));
                mem.add(out);
                outRef = out.tensor(spec.dtype, spec.outShape);
                poison = nanBuffer(spec.dtype, n);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Poisons the output, runs the kernel, waits and returns the output as doubles. */
        double[] runOnce() {
            out.upload(poison);
            spec.call.run(backend, in, outRef);
            backend.synchronize(0L);
            ByteBuffer host = ByteBuffer.allocateDirect((int) out.bytes()).order(ByteOrder.nativeOrder());
            out.download(host);
            return decode(host, spec.dtype, (int) numel(spec.outShape));
        }

        @Override
        public void close() {
            for (DeviceMemory m : mem) m.close();
        }
    }

    /** Runs {@code spec} on both backends and compares the outputs; failures of the call become failed checks. */
    static Check check(KernelBackend device, KernelBackend reference, Spec spec, Tamper tamper) {
        try {
            double[] ref;
            try (Staged s = new Staged(reference, spec)) {
                ref = s.runOnce();
            }
            double[] out;
            try (Staged s = new Staged(device, spec)) {
                out = s.runOnce();
            }
            if (tamper != null) tamper.apply(spec, out);
            double[] e = errors(out, ref);
            int t = spec.dtype.ordinal();
            boolean pass = e[0] <= TOL_L2[t] && e[1] <= TOL_MAX[t]; // false for NaN
            String why = pass ? null : !Double.isFinite(e[0]) ? "non-finite output (unwritten elements keep the NaN poison)"
                    : "error above tolerance";
            return new Check(spec.kernel, spec.shape, spec.dtype, spec.seed, e[0], e[1], pass, why);
        } catch (RuntimeException ex) {
            return new Check(spec.kernel, spec.shape, spec.dtype, spec.seed, Double.NaN, Double.NaN, false, ex.toString());
        }
    }

    static List<Check> compare(KernelBackend device, KernelBackend reference, List<Spec> specs, Tamper tamper, PrintStream log) {
        List<Check> r = new ArrayList<>();
        for (Spec s : specs) {
            Check c = check(device, reference, s, tamper);
            r.add(c);
            if (log != null) log.printf(Locale.ROOT, "  %-8s %-32s %-4s rel_l2 %-9s max_rel %-9s %s%s%n", c.kernel, c.shape,
                    name(c.dtype), sci(c.relL2), sci(c.maxRel), c.pass ? "PASS" : "FAIL", c.error == null ? "" : "  " + c.error);
        }
        return r;
    }

    /** The largest rel_l2 and max_rel per "kernel dtype" (NaN, from failed calls, wins). */
    static Map<String, Object> worst(List<Check> checks) {
        Map<String, double[]> w = new LinkedHashMap<>();
        for (Check c : checks) {
            double[] v = w.computeIfAbsent(c.kernel + " " + name(c.dtype), k -> new double[2]);
            v[0] = Double.isNaN(v[0]) || Double.isNaN(c.relL2) ? Double.NaN : Math.max(v[0], c.relL2);
            v[1] = Double.isNaN(v[1]) || Double.isNaN(c.maxRel) ? Double.NaN : Math.max(v[1], c.maxRel);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        w.forEach((k, v) -> r.put(k, Arrays.asList(finite(v[0]), finite(v[1]))));
        return r;
    }

    /** Median call+sync time, host launch time and back-to-back mean for {@code spec} on {@code backend}. */
    static Timing time(KernelBackend backend, Spec spec, int warmup, int iters) {
        try (Staged s = new Staged(backend, spec)) {
            for (int i = 0; i < warmup; i++) {
                spec.call.run(backend, s.in, s.outRef);
                backend.synchronize(0L);
            }
            double[] launch = new double[iters], total = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                spec.call.run(backend, s.in, s.outRef);
                long t1 = System.nanoTime();
                backend.synchronize(0L);
                long t2 = System.nanoTime();
                launch[i] = (t1 - t0) / 1e3;
                total[i] = (t2 - t0) / 1e6;
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) spec.call.run(backend, s.in, s.outRef);
            backend.synchronize(0L);
            double pipelined = (System.nanoTime() - t0) / 1e6 / iters;
            return new Timing(spec.kernel, spec.shape, spec.dtype, warmup, iters, median(launch), median(total),
                    Arrays.stream(total).min().orElse(Double.NaN), pipelined, null);
        } catch (RuntimeException ex) {
            return new Timing(spec.kernel, spec.shape, spec.dtype, warmup, iters, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    ex.toString());
        }
    }

    /** {relative L2 error, max abs error / max |reference|}; NaN when either side is not finite. */
    static double[] errors(double[] out, double[] ref) {
        if (out.length != ref.length) throw new IllegalArgumentException(out.length + " vs " + ref.length + " elements");
        double num = 0, den = 0, maxErr = 0, maxRef = 0;
        for (int i = 0; i < out.length; i++) {
            double o = out[i], r = ref[i];
            if (!Double.isFinite(o) || !Double.isFinite(r)) return new double[] {Double.NaN, Double.NaN};
            double d = o - r;
            num += d * d;
            den += r * r;
            maxErr = Math.max(maxErr, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(r));
        }
        if (den == 0) return num == 0 ? new double[] {0, 0} : new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        return new double[] {Math.sqrt(num / den), maxErr / maxRef};
    }

    // ---------------------------------------------------------------- main

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        String backendName = "cuda", refName = "cpu", json = null, timing = null;
        long seed = System.nanoTime() % 1_000_000;
        boolean quick = false;
        int warmup = -1, iters = -1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--backend" -> backendName = args[++i];
                    case "--reference" -> refName = args[++i];
                    case "--json" -> json = args[++i];
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--quick" -> quick = true;
                    case "--timing" -> timing = args[++i];
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--iters" -> iters = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (!List.of("cpu", "cuda").contains(backendName) || !List.of("cpu", "cuda").contains(refName))
                throw new IllegalArgumentException("backends are cpu or cuda, got " + backendName + " and " + refName);
            if (timing != null && !List.of("full", "small", "none").contains(timing))
                throw new IllegalArgumentException("--timing full|small|none, got " + timing);
        } catch (RuntimeException e) { // missing value, bad number, unknown option
            out.println("usage: DeviceCheck [--backend cuda|cpu] [--reference cpu|cuda] [--json FILE] [--seed N] [--quick]"
                    + " [--timing full|small|none] [--warmup N] [--iters N]\n" + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        out.println("avsal native: " + AvSalNative.status());
        KernelBackend dev, ref;
        try {
            dev = pick(backendName);
            ref = pick(refName);
        } catch (IllegalStateException | IllegalArgumentException e) {
            out.println("DeviceCheck: " + e.getMessage());
            return 3;
        }
        if (timing == null) timing = dev.isCuda() ? "full" : "small";
        if (warmup < 0) warmup = dev.isCuda() ? 10 : 1;
        if (iters < 1) iters = dev.isCuda() ? 50 : 3;
        out.printf(Locale.ROOT, "device backend %s, reference %s, seed %d%n", dev, ref, seed);

        out.println("== correctness (" + (quick ? "quick" : "full") + ")");
        List<Check> checks = compare(dev, ref, checkSpecs(quick, seed), null, out);
        int failed = (int) checks.stream().filter(c -> !c.pass).count();
        Map<String, Object> worst = worst(checks);
        out.println("== largest errors by kernel and dtype (rel_l2, max_rel)");
        worst.forEach((k, v) -> out.println("  " + k + " " + v));

        List<Timing> timings = new ArrayList<>();
        List<Spec> ts = timingSpecs(timing, seed + 1000);
        if (!ts.isEmpty()) {
            out.printf(Locale.ROOT, "== timing on %s: %d warm-up, %d calls (ms; launch = host time until the call returns)%n",
                    dev.name(), warmup, iters);
            out.printf(Locale.ROOT, "  %-8s %-36s %-4s %10s %10s %10s %12s%n", "kernel", "shape", "type", "call+sync", "min", "launch_us",
                    "back-to-back");
            for (Spec s : ts) {
                Timing t = time(dev, s, warmup, iters);
                timings.add(t);
                if (t.error != null) out.printf("  %-8s %-36s %-4s ERROR %s%n", t.kernel, t.shape, name(t.dtype), t.error);
                else out.printf(Locale.ROOT, "  %-8s %-36s %-4s %10.4f %10.4f %10.1f %12.4f%n", t.kernel, t.shape, name(t.dtype),
                        t.callSyncMs, t.callSyncMinMs, t.launchUs, t.pipelinedMs);
            }
        }
        int timingErrors = (int) timings.stream().filter(t -> t.error != null).count();
        double wall = (System.nanoTime() - t0) / 1e9;
        boolean pass = failed == 0 && timingErrors == 0;
        out.printf(Locale.ROOT, "DeviceCheck %s: %d/%d checks passed, %d timing errors, %.1f s%n", pass ? "PASS" : "FAIL",
                checks.size() - failed, checks.size(), timingErrors, wall);
        if (json != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", "dev.avsal.nativ.DeviceCheck");
            m.put("date", Instant.now().toString());
            m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            m.put("native_status", AvSalNative.status());
            m.put("backend", describe(dev));
            m.put("reference", describe(ref));
            m.put("seed", seed);
            m.put("pass", pass);
            m.put("failed_checks", failed);
            m.put("timing_errors", timingErrors);
            m.put("wall_s", wall);
            m.put("worst", worst);
            m.put("checks", checks.stream().map(Check::json).toList());
            m.put("timing", timings.stream().map(Timing::json).toList());
            try {
                Path p = Path.of(json).toAbsolutePath();
                Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
                Files.writeString(tmp, Json.write(m) + "\n");
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                out.println("DeviceCheck: cannot write " + json + ": " + e);
                return 1;
            }
        }
        return pass ? 0 : 1;
    }

    private static KernelBackend pick(String name) {
        KernelBackend b = switch (name) {
            case "cpu" -> AvSalNative.cpu().orElseThrow(() -> new IllegalStateException("the CPU backend did not load: " + AvSalNative.status()));
            case "cuda" -> AvSalNative.cuda().orElseThrow(() -> new IllegalStateException("the CUDA backend did not load: " + AvSalNative.status()));
            default -> throw new IllegalArgumentException("backend cpu or cuda, got " + name);
        };
        if (b.isCuda() && b.deviceCount() == 0)
            throw new IllegalStateException("the CUDA backend sees no GPU: " + b.deviceError());
        return b;
    }

    private static Map<String, Object> describe(KernelBackend b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("file", b.file().toString());
        m.put("devices", b.deviceCount());
        return m;
    }

    // ---------------------------------------------------------------- host data

    static int elementSize(DType dt) { return dt == DType.F32 ? 4 : 2; }

    static String name(DType dt) { return switch (dt) { case F32 -> "fp32"; case BF16 -> "bf16"; case F16 -> "fp16"; }; }

    static ByteBuffer encode(float[] v, DType dt) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * elementSize(dt)).order(ByteOrder.nativeOrder());
        for (float x : v) {
            switch (dt) {
                case F32 -> b.putFloat(x);
                case BF16 -> b.putShort(toBf16(x));
                case F16 -> b.putShort(toF16(x));
            }
        }
        return b.clear();
    }

    static double[] decode(ByteBuffer b, DType dt, int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = switch (dt) {
                case F32 -> b.getFloat(4 * i);
                case BF16 -> fromBf16(b.getShort(2 * i));
                case F16 -> fromF16(b.getShort(2 * i));
            };
        }
        return r;
    }

    private static ByteBuffer nanBuffer(DType dt, long n) {
        float[] v = new float[(int) n];
        Arrays.fill(v, Float.NaN);
        return encode(v, dt);
    }

    /** float to bfloat16, round to nearest even (NaN stays NaN). */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 0x40);
        u += 0x7fff + ((u >>> 16) & 1);
        return (short) (u >>> 16);
    }

    static float fromBf16(short h) { return Float.intBitsToFloat((h & 0xffff) << 16); }

    /** float to IEEE half, round to nearest even, with subnormals, overflow to infinity and NaN. */
    static short toF16(float f) {
        int u = Float.floatToRawIntBits(f);
        int s = (u >>> 16) & 0x8000, e = ((u >>> 23) & 0xff) - 127, m = u & 0x7fffff;
        if (e == 128) return (short) (s | 0x7c00 | (m != 0 ? 0x200 : 0));
        if (e > 15) return (short) (s | 0x7c00);
        if (e >= -14) { // normal; a carry out of the mantissa correctly bumps the exponent (up to infinity)
            int v = ((e + 15) << 10) | (m >>> 13), rem = m & 0x1fff;
            if (rem > 0x1000 || (rem == 0x1000 && (v & 1) != 0)) v++;
            return (short) (s | v);
        }
        if (e < -25) return (short) s;
        m |= 0x800000;
        int sh = -e - 1, v = m >>> sh, rem = m & ((1 << sh) - 1), half = 1 << (sh - 1); // subnormal: units of 2^-24
        if (rem > half || (rem == half && (v & 1) != 0)) v++;
        return (short) (s | v);
    }

    static float fromF16(short h) {
        int x = h & 0xffff, s = (x & 0x8000) << 16, e = (x >>> 10) & 0x1f, m = x & 0x3ff;
        if (e == 0) return Math.copySign(m * 0x1p-24f, s != 0 ? -1f : 1f);
        if (e == 31) return Float.intBitsToFloat(s | 0x7f800000 | (m << 13));
        return Float.intBitsToFloat(s | ((e + 112) << 23) | (m << 13));
    }

    private static void add(List<long[]> shapes, List<float[]> data, float[] v, long... shape) {
        shapes.add(shape);
        data.add(v);
    }

    private static float[] gauss(Random r, long n, float scale, float offset) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = offset + scale * (float) r.nextGaussian();
        return v;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        int n = c.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private static Double finite(double v) { return Double.isFinite(v) ? v : null; }

    private static String sci(double v) { return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.2e", v); }
}
