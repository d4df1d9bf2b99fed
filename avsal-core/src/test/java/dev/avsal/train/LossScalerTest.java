package dev.avsal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.model.LibTorch;
import dev.avsal.predict.Tensors;
import dev.avsal.util.Json;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link LossScaler} against torch.amp.GradScaler's documented behaviour. */
class LossScalerTest {
    @BeforeAll
    static void load() {
        LibTorch.load();
    }

    @Test
    void defaultsAreGradScalers() {
        LossScaler s = new LossScaler();
        assertEquals(65536f, s.scale());
        assertEquals(0, s.growthTracker());
        for (float[] bad : new float[][] {{0, 2, 0.5f, 1}, {-1, 2, 0.5f, 1}, {Float.POSITIVE_INFINITY, 2, 0.5f, 1},
                {Float.NaN, 2, 0.5f, 1}, {1, 1, 0.5f, 1}, {1, 2, 1, 1}, {1, 2, 0, 1}, {1, 2, 0.5f, 0}})
            assertThrows(IllegalArgumentException.class, () -> new LossScaler(bad[0], bad[1], bad[2], (int) bad[3]));
    }

    @Test
    void scaleGrowsAfter2000GoodStepsAndAnOverflowRestartsTheCount() {
        LossScaler s = new LossScaler();
        for (int i = 0; i < 1999; i++) s.update(false);
        assertEquals(65536f, s.scale());
        assertEquals(1999, s.growthTracker());
        s.update(false); // the 2000th good step
        assertEquals(131072f, s.scale());
        assertEquals(0, s.growthTracker());
        for (int i = 0; i < 1999; i++) s.update(false);
        s.update(true); // an overflow one step before growing: back off, count from 0
        assertEquals(65536f, s.scale());
        assertEquals(0, s.growthTracker());
        for (int i = 0; i < 1999; i++) s.update(false);
        assertEquals(65536f, s.scale()); // not grown: only 1999 good steps since the overflow
        s.update(false);
        assertEquals(131072f, s.scale());
        // consecutive overflows halve each time
        s.update(true);
        s.update(true);
        s.update(true);
        assertEquals(16384f, s.scale());
    }

    @Test
    void scaleNeverGrowsPastFloat32() {
        LossScaler s = new LossScaler(0x1p127f, 2, 0.5f, 1);
        s.update(false);
        assertEquals(0x1p127f, s.scale()); // 2^128 is inf in float32: kept
        assertEquals(0, s.growthTracker());
        s.update(true);
        assertEquals(0x1p126f, s.scale());
    }

    /** A parameter of 4 values whose gradient under loss = sum(w * c) is exactly c. */
    private static Tensor param() {
        return Tensors.fromFloats(new float[] {0.5f, -1f, 2f, 0.25f}, 4).requires_grad_(true);
    }

    @Test
    void unscaleDividesByTheScaleAndReportsNonFiniteValues() {
        try (PointerScope scope = new PointerScope()) {
            LossScaler s = new LossScaler(1024f, 2, 0.5f, 2000);
            Tensor a = Tensors.fromFloats(new float[] {1024f, -512f, 3f}, 3), b = Tensors.fromFloats(new float[] {2048f}, 1);
            assertTrue(s.unscale(List.of(a, b, new Tensor())));
            assertArrayEquals(new float[] {1f, -0.5f, 3f / 1024}, Tensors.toFloats(a));
            assertArrayEquals(new float[] {2f}, Tensors.toFloats(b));
            for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
                Tensor c = Tensors.fromFloats(new float[] {1f, bad}, 2);
                assertFalse(s.unscale(List.of(a, c)), "value " + bad);
            }
            assertEquals(1024f, s.scale()); // unscale alone does not change the scale
        }
    }

    @Test
    void infOrNanGradientsSkipTheStepAndBackOff() {
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NaN}) {
            Tensor w = param();
            try (PointerScope scope = new PointerScope(); AdamW opt = new AdamW(Map.of("w", w), 0.9, 0.999, 1e-8, 0.01)) {
                LossScaler s = new LossScaler();
                float[] before = Tensors.toFloats(w.detach());
                Tensor c = Tensors.fromFloats(new float[] {1f, bad, 2f, 3f}, 4);
                s.scaled(w.mul(c).sum()).backward();
                LossScaler.Outcome o = s.step(opt, 0.1, 1.0);
                assertFalse(o.stepped(), "value " + bad);
                assertTrue(Double.isNaN(o.gradNorm()));
                assertArrayEquals(before, Tensors.toFloats(w.detach()), "the parameter must not move");
                assertEquals(0, opt.steps());
                for (Tensor m : opt.state().values()) assertEquals(0.0, m.abs().sum().item_double(), "moments stay zero");
                assertEquals(32768f, s.scale());
                assertEquals(0, s.growthTracker());
                // the next finite step goes through, at the backed-off scale
                opt.zeroGrad();
                s.scaled(w.mul(Tensors.fromFloats(new float[] {1f, 1f, 2f, 3f}, 4)).sum()).backward();
                assertTrue(s.step(opt, 0.1, 1.0).stepped());
                assertEquals(1, opt.steps());
                assertEquals(32768f, s.scale());
                assertEquals(1, s.growthTracker());
            }
        }
    }

    @Test
    void aScaledStepEqualsAnUnscaledStep() {
        // scaling by a power of two and unscaling is exact in float32, so the updates must agree bit for bit,
        // clipping included (the gradient norm here is above the limit)
        Tensor wp = param(), ws = param();
        try (PointerScope scope = new PointerScope();
             AdamW plain = new AdamW(Map.of("w", wp), 0.9, 0.999, 1e-8, 0.01);
             AdamW scaled = new AdamW(Map.of("w", ws), 0.9, 0.999, 1e-8, 0.01)) {
            LossScaler s = new LossScaler();
            Tensor c = Tensors.fromFloats(new float[] {3f, -4f, 0.1f, 7f}, 4);
            for (int step = 1; step <= 3; step++) {
                plain.zeroGrad();
                wp.mul(c).pow(new Scalar(2)).sum().backward();
                double np = plain.clipGradNorm(0.5);
                plain.step(0.05);
                scaled.zeroGrad();
                s.scaled(ws.mul(c).pow(new Scalar(2)).sum()).backward();
                LossScaler.Outcome o = s.step(scaled, 0.05, 0.5);
                assertTrue(o.stepped());
                assertEquals(np, o.gradNorm(), 0.0, "step " + step);
                assertTrue(np > 0.5);
                assertArrayEquals(Tensors.toFloats(wp.detach()), Tensors.toFloats(ws.detach()), "step " + step);
            }
            assertEquals(3, scaled.steps());
            assertEquals(3, s.growthTracker());
            assertEquals(65536f, s.scale());
        }
    }

    @Test
    void stateRoundTripsThroughJson() throws Exception {
        LossScaler a = new LossScaler();
        a.update(true);
        a.update(true);
        for (int i = 0; i < 5; i++) a.update(false);
        assertEquals(16384f, a.scale());
        assertEquals(5, a.growthTracker());
        Map<?, ?> json = (Map<?, ?>) Json.parse(Json.write(a.state()));
        LossScaler b = new LossScaler();
        b.load(json);
        assertEquals(a.scale(), b.scale());
        assertEquals(a.growthTracker(), b.growthTracker());
        // both go on identically: the restored count decides when the scale grows
        for (int i = 0; i < 1994; i++) {
            a.update(false);
            b.update(false);
        }
        assertEquals(16384f, b.scale());
        a.update(false);
        b.update(false);
        assertEquals(32768f, a.scale());
        assertEquals(32768f, b.scale());

        assertThrows(IllegalArgumentException.class, () -> b.load(null));
        assertThrows(IllegalArgumentException.class, () -> b.load(Map.of("scale", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> b.load(Map.of("scale", -1.0, "growth_tracker", 0L)));
        assertThrows(IllegalArgumentException.class, () -> b.load(Map.of("scale", 1.0, "growth_tracker", 2000L)));
        assertThrows(IllegalArgumentException.class, () -> b.load(Map.of("scale", 1e39, "growth_tracker", 0L)));
        assertEquals(32768f, b.scale()); // a refused state changes nothing
    }
}
