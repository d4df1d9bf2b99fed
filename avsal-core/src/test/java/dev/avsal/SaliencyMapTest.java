package dev.avsal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.avsal.model.LibTorch;
import dev.avsal.predict.MapResampler;
import dev.avsal.predict.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.kBilinear;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class SaliencyMapTest {
    @Test
    void accessorsAndForms() {
        SaliencyMap m = new SaliencyMap(3, 2, 40_000, new float[] {0.2f, 0.4f, 0.6f, 0.2f, 1.0f, 0.3f});
        assertEquals(3, m.width());
        assertEquals(2, m.height());
        assertEquals(40_000, m.timestampMicros());
        assertEquals(1.0f, m.get(1, 1));
        assertEquals(0.2f, m.min());
        assertEquals(1.0f, m.max());
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0f, 1f, 0.125f}, m.normalized(), 1e-7f);
        assertArrayEquals(new byte[] {0, 64, (byte) 128, 0, (byte) 255, 32}, m.toBytes()); // round(255 * n)
        assertEquals(255, m.toImage().getRaster().getSample(1, 1, 0));
        float[] v = m.values();
        v[0] = 9;
        assertEquals(0.2f, m.get(0, 0), "values() is a copy");
        assertArrayEquals(new float[4], new SaliencyMap(2, 2, 0, new float[] {5, 5, 5, 5}).normalized(), "flat map");
        assertSame(m, m.resized(3, 2));
        assertThrows(IllegalArgumentException.class, () -> new SaliencyMap(3, 3, 0, new float[8]));
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(3, 0));
    }

    /** The resize equals LibTorch's bilinear interpolation (bit-identical to PyTorch's) up and down. */
    @Test
    void resizeMatchesTorchInterpolate() {
        LibTorch.load();
        SplittableRandom r = new SplittableRandom(3);
        int[][] cases = {{7, 5, 16, 9}, {20, 13, 6, 4}, {14, 14, 320, 240}, {56, 56, 97, 131}, {1, 3, 4, 2}};
        for (int[] c : cases) {
            float[] src = new float[c[0] * c[1]];
            for (int i = 0; i < src.length; i++) src[i] = (float) r.nextDouble();
            float[] got = new SaliencyMap(c[0], c[1], 0, src).resized(c[2], c[3]).values();
            float[] want;
            try (PointerScope scope = new PointerScope()) {
                InterpolateFuncOptions o = new InterpolateFuncOptions();
                o.size().put(new LongVector(new long[] {c[3], c[2]}));
                o.mode().put(new kBilinear());
                o.align_corners().put(false);
                Tensor t = torch.interpolate(Tensors.fromFloats(src, 1, 1, c[1], c[0]), o);
                want = Tensors.toFloats(t);
            }
            assertArrayEquals(want, got, 2e-7f, "resize " + c[0] + "x" + c[1] + " -> " + c[2] + "x" + c[3]);
        }
    }

    /** Undoing a crop: inside the crop the map is copied, outside the edge is repeated. */
    @Test
    void resampleUndoesACrop() {
        float[] crop = {1, 2, 3, 4}; // 2x2 crop placed at x = 1 in a 4x2 frame
        float[] out = MapResampler.resample(crop, 2, 2, 4, 2, 1f, 1f, 1f, 0f);
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, out);
    }
}
