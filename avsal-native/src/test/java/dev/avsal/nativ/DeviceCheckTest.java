package dev.avsal.nativ;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.nativ.DeviceCheck.Check;
import dev.avsal.nativ.DeviceCheck.Spec;
import dev.avsal.nativ.TensorRef.DType;
import dev.avsal.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeviceCheck's comparison run in-process with the CPU backend as "device" and reference (no LibTorch), the proof
 * that it detects wrong, unwritten and non-finite outputs, and the C ABI's internal memory helpers.
 */
class DeviceCheckTest {
    private static KernelBackend cpu;
    private static final long SEED = System.nanoTime() % 100_000;

    @BeforeAll
    static void load() {
        cpu = AvSalNative.cpu().orElseThrow(() -> new AssertionError("CPU backend did not load: " + AvSalNative.status()));
    }

    @Test
    void cpuAgainstItselfIsExactOnEveryQuickCase() {
        List<Check> checks = DeviceCheck.compare(cpu, cpu, DeviceCheck.checkSpecs(true, SEED), null, null);
        assertEquals(18, checks.size(), "2 fusion + 2x2 ConvGRU shapes, 3 dtypes");
        for (Check c : checks) {
            assertTrue(c.pass(), c + " (seed " + SEED + ")");
            assertEquals(0.0, c.relL2(), c.toString());
            assertEquals(0.0, c.maxRel(), c.toString());
        }
        assertEquals(DType.values().length, checks.stream().map(Check::dtype).distinct().count());
    }

    @Test
    void oneWrongElementFailsEveryCaseAndTheMaxGateCatchesWhatL2Misses() {
        // 6% of the largest reference magnitude on one element: over the half-precision max tolerance (5%) but, spread
        // over thousands of elements, under their L2 tolerance (1e-2); far over both fp32 tolerances.
        DeviceCheck.Tamper bump = (spec, out) -> {
            double max = 0;
            for (double v : out) max = Math.max(max, Math.abs(v));
            out[out.length / 2] += 0.06 * max;
        };
        List<Check> checks = DeviceCheck.compare(cpu, cpu, DeviceCheck.checkSpecs(true, 7), bump, null);
        for (Check c : checks) {
            assertFalse(c.pass(), c.toString());
            assertEquals("error above tolerance", c.error());
            assertTrue(c.maxRel() > 0.055 && c.maxRel() < 0.065, c.toString());
        }
        long onlyMaxGate = checks.stream().filter(c -> c.dtype() != DType.F32 && c.relL2() <= DeviceCheck.TOL_L2[1]).count();
        assertTrue(onlyMaxGate >= 8, "half-precision cases caught by the max gate alone: " + onlyMaxGate);
    }

    @Test
    void nonFiniteOutputFails() {
        List<Check> checks = DeviceCheck.compare(cpu, cpu, DeviceCheck.checkSpecs(true, SEED).subList(0, 3),
                (spec, out) -> out[3] = Double.NaN, null);
        for (Check c : checks) {
            assertFalse(c.pass());
            assertTrue(Double.isNaN(c.relL2()) && c.error().startsWith("non-finite"), c.toString());
        }
    }

    @Test
    void anOutputTheKernelDidNotWriteKeepsThePoisonAndFails() {
        Spec real = DeviceCheck.convGru(1, 2, 8, 3, 5, false, DType.BF16, SEED);
        AtomicInteger calls = new AtomicInteger();
        // The reference runs first; the "device" call is skipped, as a kernel that returns without storing would.
        Spec lazy = new Spec(real.kernel(), real.shape(), real.dtype(), real.seed(), real.inShapes(), real.inputs(),
                real.outShape(), (b, in, out) -> { if (calls.getAndIncrement() == 0) real.call().run(b, in, out); });
        Check c = DeviceCheck.check(cpu, cpu, lazy, null);
        assertEquals(2, calls.get());
        assertFalse(c.pass());
        assertTrue(c.error().startsWith("non-finite"), c.toString());
    }

    @Test
    void aKernelErrorBecomesAFailedCheckNamingTheStatus() {
        Spec good = DeviceCheck.fusion(1, 4, 3, 64, 2, DType.F32, SEED);
        Spec bad = new Spec(good.kernel(), good.shape(), good.dtype(), good.seed(), good.inShapes(), good.inputs(),
                good.outShape(), (b, in, out) -> b.fusionForward(in.get(0), in.get(1), in.subList(2, 20), 5, 1e-5f, out, 0L));
        Check c = DeviceCheck.check(cpu, cpu, bad, null);
        assertFalse(c.pass());
        assertTrue(c.error().contains("NativeKernelException") && c.error().contains("heads 5"), c.error());
    }

    @Test
    void errorsAreRelativeL2AndMaxOverLargestReference() {
        double[] e = DeviceCheck.errors(new double[] {1, 2, 2.5}, new double[] {1, 2, 2});
        assertEquals(0.5 / 3, e[0], 1e-15); // |d| 0.5, |r| 3
        assertEquals(0.25, e[1], 1e-15);
        assertTrue(Double.isNaN(DeviceCheck.errors(new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1, 1})[0]));
    }

    @Test
    void mainWritesJsonAndExitCodes(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("check.json");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = DeviceCheck.run(new String[] {"--backend", "cpu", "--reference", "cpu", "--quick", "--seed", "5", "--json",
                json.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("DeviceCheck PASS: 18/18 checks passed"), text);
        Map<?, ?> m = (Map<?, ?>) Json.parse(json);
        assertEquals(Boolean.TRUE, m.get("pass"));
        assertEquals(5L, ((Number) m.get("seed")).longValue());
        List<?> checks = (List<?>) m.get("checks"), timing = (List<?>) m.get("timing");
        assertEquals(18, checks.size());
        assertEquals(0.0, ((Number) ((Map<?, ?>) checks.get(0)).get("rel_l2")).doubleValue());
        assertEquals(2, timing.size(), "small timing set on the CPU backend");
        for (Object t : timing) assertTrue(((Number) ((Map<?, ?>) t).get("call_sync_ms_median")).doubleValue() > 0, t.toString());

        assertEquals(2, DeviceCheck.run(new String[] {"--timing", "sometimes"}, new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, DeviceCheck.run(new String[] {"--seed"}, new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, DeviceCheck.run(new String[] {"--backend", "tpu"}, new PrintStream(new ByteArrayOutputStream())));
        if (AvSalNative.cuda().map(KernelBackend::deviceCount).orElse(0) == 0)
            assertEquals(3, DeviceCheck.run(new String[] {"--backend", "cuda", "--quick"}, new PrintStream(new ByteArrayOutputStream())),
                    "no GPU here: the CUDA backend is absent or sees no device");
    }

    @Test
    void halfPrecisionConversionsRoundTripAndRoundToNearestEven() {
        for (int i = 0; i < 65536; i++) {
            short h = (short) i;
            float f16 = DeviceCheck.fromF16(h), b16 = DeviceCheck.fromBf16(h);
            if (!Float.isNaN(f16)) assertEquals(h, DeviceCheck.toF16(f16), "fp16 0x" + Integer.toHexString(i));
            else assertTrue(Float.isNaN(DeviceCheck.fromF16(DeviceCheck.toF16(f16))));
            if (!Float.isNaN(b16)) assertEquals(h, DeviceCheck.toBf16(b16), "bf16 0x" + Integer.toHexString(i));
        }
        assertEquals((short) 0x3c00, DeviceCheck.toF16(1f));
        assertEquals((short) 0x7bff, DeviceCheck.toF16(65504f));
        assertEquals((short) 0x7c00, DeviceCheck.toF16(65520f), "halfway above the largest half rounds to infinity");
        assertEquals((short) 0x0001, DeviceCheck.toF16(0x1p-24f));
        assertEquals((short) 0x0000, DeviceCheck.toF16(0x1p-25f), "tie between 0 and the smallest subnormal: even");
        assertEquals((short) 0x0001, DeviceCheck.toF16(0x1.000002p-25f));
        assertEquals((short) 0x3c00, DeviceCheck.toF16(1f + 0x1p-11f), "tie: even (down)");
        assertEquals((short) 0x3c02, DeviceCheck.toF16(1f + 3 * 0x1p-11f), "tie: even (up)");
        assertEquals((short) 0x8000, DeviceCheck.toF16(-0f));
        assertEquals((short) 0x3f80, DeviceCheck.toBf16(1f));
        assertEquals((short) 0x3f80, DeviceCheck.toBf16(1f + 0x1p-8f), "tie: even (down)");
        assertEquals((short) 0x3f82, DeviceCheck.toBf16(1f + 3 * 0x1p-8f), "tie: even (up)");
        assertEquals(6.103515625e-05f, DeviceCheck.fromF16((short) 0x0400));
        assertEquals(-2f, DeviceCheck.fromF16((short) 0xc000));
    }

    // ---------------------------------------------------------------- memory helpers of the C ABI

    @Test
    void memoryRoundTripThroughTheCAbi() {
        int n = 1000;
        ByteBuffer src = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) src.put(i, (byte) (i * 31 + 7));
        ByteBuffer dst = ByteBuffer.allocateDirect(n);
        try (DeviceMemory m = new DeviceMemory(cpu, n)) {
            assertNotEquals(0, m.address());
            assertEquals(0, m.address() % 256, "256-byte aligned");
            m.upload(src);
            m.download(dst);
            cpu.synchronize(0L);
            assertEquals(0, src.compareTo(dst.clear()));
            TensorRef t = m.tensor(DType.BF16, 20, 25);
            assertArrayEquals(new long[] {25, 1}, t.strides());
            assertThrows(IllegalArgumentException.class, () -> m.tensor(DType.F32, 251), "1004 bytes in 1000");
            m.close();
            m.close(); // idempotent
            assertThrows(IllegalStateException.class, m::address);
        }
    }

    @Test
    void badMemoryArgumentsGiveTypedErrors() {
        assertStatus(NativeKernelException.Status.ARG, () -> new DeviceMemory(cpu, 0), "size 0");
        assertStatus(NativeKernelException.Status.ARG, () -> new DeviceMemory(cpu, -8), "size -8");
        assertStatus(NativeKernelException.Status.MEMORY, () -> new DeviceMemory(cpu, Long.MAX_VALUE), "cannot allocate");
        ByteBuffer buf = ByteBuffer.allocateDirect(16);
        assertStatus(NativeKernelException.Status.ARG, () -> cpu.copyToDevice(0L, buf, 16), "null destination");
        assertStatus(NativeKernelException.Status.ARG, () -> cpu.copyToHost(buf, 0L, 16), "null source");
        try (DeviceMemory m = new DeviceMemory(cpu, 64)) {
            assertStatus(NativeKernelException.Status.ARG, () -> cpu.copyToDevice(m.address(), buf, 64), "smaller than the copy");
            assertStatus(NativeKernelException.Status.ARG, () -> cpu.copyToDevice(m.address(), buf, -1), "smaller than the copy");
            assertStatus(NativeKernelException.Status.ARG, () -> cpu.copyToDevice(m.address(), ByteBuffer.allocate(64), 64), "not direct");
            assertStatus(NativeKernelException.Status.ARG, () -> m.upload(buf), "fewer than 64 bytes");
            cpu.copyToDevice(m.address(), buf, 0); // nothing to copy: fine
        }
        cpu.free(0L); // no-op, like free(NULL)
        AvSalNative.cuda().filter(cu -> cu.deviceCount() == 0).ifPresent(cu -> {
            // The CUDA backend without a driver: typed CUDA errors, no crash.
            assertStatus(NativeKernelException.Status.CUDA, () -> new DeviceMemory(cu, 1024), "cudaMalloc");
            assertStatus(NativeKernelException.Status.ARG, () -> new DeviceMemory(cu, 0), "size 0");
            assertStatus(NativeKernelException.Status.CUDA, () -> cu.synchronize(0L), "cudaStreamSynchronize");
        });
    }

    private static void assertStatus(NativeKernelException.Status want, Runnable r, String messagePart) {
        NativeKernelException e = assertThrows(NativeKernelException.class, r::run);
        assertEquals(want, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
}
