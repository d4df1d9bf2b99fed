package dev.avsal.model.head;

import static dev.avsal.model.head.HeadTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class OutputNormalizationTest {
    @Test
    void sigmoidAndSpatialSoftmaxFollowTheirDefinitions() {
        float[] l = {-2f, 0f, 1f, 3f, 0.5f, -1f, 2f, 2f, 0f, 0f, 0f, 0f};
        Tensor logits = tensor(l, 2, 1, 2, 3); // two maps of 2x3
        float[] sig = values(OutputNormalization.SIGMOID.apply(logits));
        for (int i = 0; i < l.length; i++) assertEquals(1 / (1 + Math.exp(-l[i])), sig[i], 1e-7);
        float[] sm = values(OutputNormalization.SPATIAL_SOFTMAX.apply(logits));
        for (int m = 0; m < 2; m++) {
            double z = 0;
            for (int i = 0; i < 6; i++) z += Math.exp(l[6 * m + i]);
            for (int i = 0; i < 6; i++) assertEquals(Math.exp(l[6 * m + i]) / z, sm[6 * m + i], 1e-7);
        }
        assertArrayEquals(new long[] {2, 1, 2, 3}, shape(OutputNormalization.SPATIAL_SOFTMAX.apply(logits)));
        assertEquals(OutputNormalization.SPATIAL_SOFTMAX, OutputNormalization.fromJson("spatial_softmax"));
        assertThrows(IllegalArgumentException.class, () -> OutputNormalization.SIGMOID.apply(tensor(new float[] {1f}, 1)));
    }

    @Test
    void decoderHandlesOddGrids() {
        SaliencyDecoder dec = new SaliencyDecoder(DecoderConfig.of(8));
        for (long[] g : new long[][] {{7, 7}, {3, 5}, {1, 1}, {14, 24}}) {
            java.util.List<Tensor> lv = java.util.List.of(randn(1, 2, 8, g[0], g[1]), randn(2, 2, 8, g[0], g[1]),
                    randn(3, 2, 8, g[0], g[1]), randn(4, 2, 8, g[0], g[1]));
            assertArrayEquals(new long[] {2, 1, g[0] * 16, g[1] * 16}, shape(dec.forward(lv, g[0] * 16, g[1] * 16)));
        }
        AvSalHeadTest.assertMessage("decoder level 2: expected shape [2, 8, 3, 5], got [2, 8, 3, 4]",
                () -> dec.forward(java.util.List.of(randn(1, 2, 8, 3, 5), randn(1, 2, 8, 3, 5), randn(1, 2, 8, 3, 4), randn(1, 2, 8, 3, 5)), 48, 80));
    }
}
