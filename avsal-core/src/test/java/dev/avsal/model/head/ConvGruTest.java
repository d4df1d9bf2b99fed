package dev.avsal.model.head;

import static dev.avsal.model.head.HeadTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ConvGruTest {
    /** The cell written out from its definition with functional convolutions on the module's weights. */
    static Tensor reference(ConvGru gru, Tensor x, Tensor h) {
        int d = gru.config().dim();
        long p = gru.config().kernel() / 2;
        Tensor wx = gru.named_parameters().get("conv_x.weight"), bx = gru.named_parameters().get("conv_x.bias");
        Tensor wh = gru.named_parameters().get("conv_h.weight");
        long[] one = {1, 1}, pad = {p, p};
        Tensor gx = torch.conv2d(x, wx, new TensorOptional(bx), one, pad, one, 1);
        Tensor gh = torch.conv2d(h, wh, new TensorOptional(), one, pad, one, 1);
        Tensor r = gx.narrow(1, 0, d).add(gh.narrow(1, 0, d)).sigmoid();
        Tensor z = gx.narrow(1, d, d).add(gh.narrow(1, d, d)).sigmoid();
        Tensor n = gx.narrow(1, 2 * d, d).add(r.mul(gh.narrow(1, 2 * d, d))).tanh();
        return z.neg().add(new Scalar(1.0)).mul(h).add(z.mul(n));
    }

    @Test
    void stepFollowsTheGateEquations() {
        ConvGru gru = new ConvGru(new ConvGruConfig(6, 3));
        randomize(gru, 1);
        try (InferenceMode im = new InferenceMode()) {
            Tensor x = randn(2, 2, 6, 5, 7), h = randn(3, 2, 6, 5, 7);
            Tensor got = gru.step(x, h);
            assertArrayEquals(new long[] {2, 6, 5, 7}, shape(got));
            assertTrue(maxAbsDiff(got, reference(gru, x, h)) < 1e-6);
            // h = null means h = 0 (the shortcut that skips conv_h must agree with the full form).
            assertTrue(maxAbsDiff(gru.step(x, null), reference(gru, x, torch.zeros(2, 6, 5, 7))) < 1e-6);
        }
    }

    @Test
    void sequenceEqualsStepsAndCarriesState() {
        ConvGru gru = new ConvGru(new ConvGruConfig(4, 5));
        randomize(gru, 2);
        try (InferenceMode im = new InferenceMode(); GruState state = new GruState()) {
            Tensor seq = randn(4, 3, 5, 4, 3, 4);
            Tensor all = gru.forward(seq);
            assertArrayEquals(new long[] {3, 5, 4, 3, 4}, shape(all));
            Tensor h = null;
            for (int t = 0; t < 5; t++) {
                h = reference(gru, seq.select(1, t), h == null ? torch.zeros(3, 4, 3, 4) : h);
                assertTrue(maxAbsDiff(all.select(1, t), h) < 1e-6, "t=" + t);
            }
            gru.forward(seq.narrow(1, 0, 2), state);
            Tensor rest = gru.forward(seq.narrow(1, 2, 3), state);
            assertTrue(maxAbsDiff(rest, all.narrow(1, 2, 3)) < 1e-6);
            assertTrue(maxAbsDiff(state.hidden(), all.select(1, 4)) < 1e-6);
        }
    }

    @Test
    void badInput() {
        ConvGru gru = new ConvGru(ConvGruConfig.of(4));
        try (InferenceMode im = new InferenceMode()) {
            AvSalHeadTest.assertMessage("gru input: expected shape [*, 4, *, *], got [1, 5, 3, 3]", () -> gru.step(torch.zeros(1, 5, 3, 3), null));
            AvSalHeadTest.assertMessage("gru state: expected shape [1, 4, 3, 3], got [1, 4, 3, 2]",
                    () -> gru.step(torch.zeros(1, 4, 3, 3), torch.zeros(1, 4, 3, 2)));
            AvSalHeadTest.assertMessage("no frames", () -> gru.forward(torch.zeros(1, 0, 4, 3, 3)));
        }
        AvSalHeadTest.assertMessage("kernel must be odd", () -> new ConvGruConfig(4, 2));
    }
}
