package dev.avsal.model.head;

import static dev.avsal.model.head.HeadTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class AvSalHeadTest {

    /** The state-dict keys and shapes the design (and tools/avsal_head.py) prescribes, in registration order. */
    static Map<String, long[]> expectedKeys(HeadConfig c) {
        long d = c.dim(), cv = c.fusion().visualWidth(), ca = c.fusion().audioWidth(), f = (long) c.fusion().ffnRatio() * d;
        long k = c.gru().kernel(), hd = c.decoder().headChannels();
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            String p = "fusion." + i + ".";
            m.put(p + "visual_proj.weight", new long[] {d, cv});
            m.put(p + "visual_proj.bias", new long[] {d});
            m.put(p + "audio_proj.weight", new long[] {d, ca});
            m.put(p + "audio_proj.bias", new long[] {d});
            for (String n : new String[] {"norm_q", "norm_kv"}) {
                m.put(p + n + ".weight", new long[] {d});
                m.put(p + n + ".bias", new long[] {d});
            }
            for (String n : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                m.put(p + n + ".weight", new long[] {d, d});
                m.put(p + n + ".bias", new long[] {d});
            }
            m.put(p + "norm_ffn.weight", new long[] {d});
            m.put(p + "norm_ffn.bias", new long[] {d});
            m.put(p + "ffn.0.weight", new long[] {f, d});
            m.put(p + "ffn.0.bias", new long[] {f});
            m.put(p + "ffn.2.weight", new long[] {d, f});
            m.put(p + "ffn.2.bias", new long[] {d});
        }
        m.put("gru.conv_x.weight", new long[] {3 * d, d, k, k});
        m.put("gru.conv_x.bias", new long[] {3 * d});
        m.put("gru.conv_h.weight", new long[] {3 * d, d, k, k});
        m.put("decoder.reassemble.0.weight", new long[] {d, d, 4, 4});
        m.put("decoder.reassemble.0.bias", new long[] {d});
        m.put("decoder.reassemble.1.weight", new long[] {d, d, 2, 2});
        m.put("decoder.reassemble.1.bias", new long[] {d});
        m.put("decoder.reassemble.2.weight", new long[] {d, d, 1, 1});
        m.put("decoder.reassemble.2.bias", new long[] {d});
        m.put("decoder.reassemble.3.weight", new long[] {d, d, 3, 3});
        m.put("decoder.reassemble.3.bias", new long[] {d});
        for (int i = 0; i < 3; i++) {
            m.put("decoder.fuse." + i + ".weight", new long[] {d, d, 3, 3});
            m.put("decoder.fuse." + i + ".bias", new long[] {d});
        }
        m.put("decoder.head.0.weight", new long[] {hd, d, 3, 3});
        m.put("decoder.head.0.bias", new long[] {hd});
        m.put("decoder.head.2.weight", new long[] {1, hd, 1, 1});
        m.put("decoder.head.2.bias", new long[] {1});
        return m;
    }

    static void assertSameKeys(Map<String, long[]> expected, Map<String, long[]> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (String k : expected.keySet()) assertArrayEquals(expected.get(k), actual.get(k), k);
    }

    @Test
    void keysAndShapesFollowTheDesign() {
        for (HeadConfig c : List.of(tiny(), HeadConfig.defaults())) assertSameKeys(expectedKeys(c), new AvSalHead(c).parameterShapes());
    }

    @Test
    void parameterCountAtD128() {
        AvSalHead head = new AvSalHead(HeadConfig.defaults());
        // Hand count: fusion 4 x 329,600; ConvGRU 885,120; decoder 1,008,641.
        long fusion = 2 * (768 * 128 + 128) + 3 * 256 + 4 * (128 * 128 + 128) + (128 * 256 + 256) + (256 * 128 + 128);
        long gru = 384 * 128 * 9 + 384 + 384 * 128 * 9;
        long dec = (128 * 128 * 16 + 128) + (128 * 128 * 4 + 128) + (128 * 128 + 128) + 4 * (128 * 128 * 9 + 128)
                + (64 * 128 * 9 + 64) + (64 + 1);
        assertEquals(329_600, fusion);
        assertEquals(3_212_161, 4 * fusion + gru + dec);
        assertEquals(4 * fusion + gru + dec, head.parameterCount());
        System.out.printf("AVSal-R head d=128: %,d parameters (fusion %,d, gru %,d, decoder %,d)%n",
                head.parameterCount(), 4 * fusion, gru, dec);
    }

    private static void checkFullSize(int inputH, int inputW) {
        HeadConfig c = HeadConfig.vitB16(inputH, inputW);
        AvSalHead head = new AvSalHead(c);
        randomize(head, 7);
        long gh = inputH / 16, gw = inputW / 16;
        assertEquals(gh, c.gridH());
        assertEquals(gw, c.gridW());
        try (InferenceMode im = new InferenceMode()) {
            Tensor logits = head.forward(taps(c, 2, gh, gw, 11), randn(15, 2, 229, 768), 1, 2);
            assertArrayEquals(new long[] {1, 2, 1, inputH, inputW}, shape(logits));
            Tensor maps = head.normalize(logits);
            float[] v = values(maps);
            for (float x : v) assertTrue(x > 0 && x < 1 && Float.isFinite(x));
            Tensor sm = OutputNormalization.SPATIAL_SOFTMAX.apply(logits);
            assertArrayEquals(new long[] {1, 2, 1, inputH, inputW}, shape(sm));
            float[] s = values(sm.sum(new long[] {3, 4}));
            for (float x : s) assertEquals(1.0, x, 1e-4);
        }
    }

    @Test
    void shapes224x224() { checkFullSize(224, 224); }

    @Test
    void shapes224x384() { checkFullSize(224, 384); }

    @Test
    void oneHeadServesBothAspectRatios() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        randomize(head, 3);
        try (InferenceMode im = new InferenceMode()) {
            Tensor a = head.forward(taps(c, 2, 4, 7, 1), 4, 7, randn(9, 2, 5, 20), 1, 2);
            assertArrayEquals(new long[] {1, 2, 1, 24, 42}, shape(a));
        }
    }

    @Test
    void streamingEqualsWholeClip() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        randomize(head, 21);
        long b = 2, t = 4, gh = c.gridH(), gw = c.gridW();
        try (InferenceMode im = new InferenceMode()) {
            List<Tensor> taps = taps(c, b * t, gh, gw, 100);
            Tensor audio = randn(200, b * t, 7, 20);
            Tensor whole = head.forward(taps, audio, b, t);
            assertArrayEquals(new long[] {b, t, 1, 18, 30}, shape(whole));
            double worst = 0;
            try (GruState state = new GruState()) {
                for (long f = 0; f < t; f++) {
                    List<Tensor> frame = new ArrayList<>();
                    for (Tensor x : taps) frame.add(frameRows(x, b, t, f));
                    Tensor step = head.step(frame, frameRows(audio, b, t, f), state);
                    assertArrayEquals(new long[] {b, 1, 18, 30}, shape(step));
                    worst = Math.max(worst, maxAbsDiff(step, whole.select(1, f)));
                }
                assertArrayEquals(new long[] {b, 16, gh, gw}, shape(state.hidden()));
            }
            assertTrue(worst < 1e-5, "streaming vs whole clip: " + worst);
            // Chunks of 3 + 1 frames carrying the state equal the whole clip too.
            try (GruState state = new GruState()) {
                Tensor first = head.forward(chunk(taps, b, t, 0, 3), gh, gw, chunk(audio, b, t, 0, 3), b, 3, state);
                Tensor second = head.forward(chunk(taps, b, t, 3, 1), gh, gw, chunk(audio, b, t, 3, 1), b, 1, state);
                Tensor joined = torch.cat(new org.bytedeco.pytorch.TensorVector(first, second), 1);
                double d = maxAbsDiff(joined, whole);
                assertTrue(d < 1e-5, "chunked vs whole clip: " + d);
            }
            System.out.printf("streaming vs whole clip: max abs diff %.3g (logits up to %.3g)%n", worst, maxAbs(whole));
        }
    }

    /** Rows of frame f of each clip from a batch-major [B·T, ...] tensor: [B, ...]. */
    static Tensor frameRows(Tensor x, long b, long t, long f) {
        return chunk(x, b, t, f, 1);
    }

    static Tensor chunk(Tensor x, long b, long t, long from, long len) {
        long[] s = shape(x);
        long[] v = new long[s.length + 1];
        v[0] = b;
        v[1] = t;
        System.arraycopy(s, 1, v, 2, s.length - 1);
        long[] out = s.clone();
        out[0] = b * len;
        return x.view(v).narrow(1, from, len).reshape(out);
    }

    static List<Tensor> chunk(List<Tensor> xs, long b, long t, long from, long len) {
        List<Tensor> l = new ArrayList<>();
        for (Tensor x : xs) l.add(chunk(x, b, t, from, len));
        return l;
    }

    @Test
    void resetStartsTheStreamAgain() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        randomize(head, 5);
        try (InferenceMode im = new InferenceMode(); GruState state = new GruState()) {
            List<Tensor> f0 = taps(c, 1, 3, 5, 40), f1 = taps(c, 1, 3, 5, 50);
            Tensor a0 = randn(60, 1, 7, 20), a1 = randn(61, 1, 7, 20);
            assertTrue(state.isEmpty());
            assertNull(state.hidden());
            Tensor first = head.step(f0, a0, state);
            assertFalse(state.isEmpty());
            Tensor second = head.step(f1, a1, state);
            Tensor again = head.step(f0, a0, state);
            assertTrue(maxAbsDiff(again, first) > 1e-4, "the carried state must change the output");
            state.reset();
            assertTrue(state.isEmpty());
            assertEquals(0.0, maxAbsDiff(head.step(f0, a0, state), first));
            assertEquals(0.0, maxAbsDiff(head.step(f1, a1, state), second));
        }
    }

    @Test
    void stateSurvivesPerFramePointerScopes() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        randomize(head, 12);
        List<Tensor> taps = taps(c, 3, 3, 5, 90);
        Tensor audio = randn(91, 3, 7, 20);
        float[] whole;
        try (InferenceMode im = new InferenceMode()) {
            whole = values(head.forward(taps, audio, 1, 3));
        }
        float[] streamed = new float[whole.length];
        int per = whole.length / 3;
        try (GruState state = new GruState()) {
            for (int f = 0; f < 3; f++) {
                try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
                     InferenceMode im = new InferenceMode()) {
                    int frame = f;
                    List<Tensor> rows = taps.stream().map(x -> x.narrow(0, frame, 1)).toList();
                    System.arraycopy(values(head.step(rows, audio.narrow(0, f, 1), state)), 0, streamed, f * per, per);
                }
            }
        }
        for (int i = 0; i < whole.length; i++) assertEquals(whole[i], streamed[i], 1e-5);
    }

    @Test
    void gradientsFlowWithoutInferenceMode() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        randomize(head, 13);
        Tensor logits = head.forward(taps(c, 4, 3, 5, 1), randn(2, 4, 7, 20), 2, 2);
        logits.sum().backward();
        for (String k : List.of("fusion.0.q_proj.weight", "fusion.3.audio_proj.bias", "gru.conv_h.weight",
                "decoder.reassemble.0.weight", "decoder.head.2.bias")) {
            Tensor g = head.named_parameters().get(k).grad();
            assertTrue(g.defined() && maxAbs(g) > 0, k + " has no gradient");
        }
    }

    @Test
    void deterministic() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c), twin = new AvSalHead(c);
        randomize(head, 9);
        randomize(twin, 9);
        try (InferenceMode im = new InferenceMode()) {
            List<Tensor> taps = taps(c, 6, 3, 5, 70);
            Tensor audio = randn(80, 6, 7, 20);
            Tensor x = head.forward(taps, audio, 2, 3);
            assertEquals(0.0, maxAbsDiff(x, head.forward(taps, audio, 2, 3)));
            assertEquals(0.0, maxAbsDiff(x, twin.forward(taps, audio, 2, 3)));
        }
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        HeadConfig c = tiny();
        AvSalHead head = new AvSalHead(c);
        try (InferenceMode im = new InferenceMode()) {
            List<Tensor> taps = taps(c, 6, 3, 5, 1);
            Tensor audio = randn(2, 6, 7, 20);
            assertMessage("expected 4 tensors, got 3", () -> head.forward(taps.subList(0, 3), audio, 2, 3));
            assertMessage("expected 4 tensors, got null", () -> head.forward(null, audio, 2, 3));
            assertMessage("taps.0 (batch 2 x frames 3, grid 4x5): expected shape [6, 20, 24], got [6, 15, 24]",
                    () -> head.forward(taps, 4, 5, audio, 2, 3));
            assertMessage("expected shape [4, 15, 24], got [6, 15, 24]", () -> head.forward(taps, audio, 2, 2));
            List<Tensor> withCls = new ArrayList<>(taps);
            withCls.set(2, randn(3, 6, 16, 24));
            assertMessage("taps.2: 16 tokens for a 3x5 grid (15): drop the CLS token first", () -> head.forward(withCls, audio, 2, 3));
            List<Tensor> wide = new ArrayList<>(taps);
            wide.set(1, randn(3, 6, 15, 32));
            assertMessage("taps.1", () -> head.forward(wide, audio, 2, 3));
            assertMessage("audio tokens (batch 2 x frames 3): expected shape [6, *, 20], got [6, 7, 21]",
                    () -> head.forward(taps, randn(4, 6, 7, 21), 2, 3));
            assertMessage("expected shape [6, *, 20], got [5, 7, 20]", () -> head.forward(taps, randn(4, 5, 7, 20), 2, 3));
            assertMessage("audio tokens: no tokens", () -> head.forward(taps, torch.zeros(6, 0, 20), 2, 3));
            List<Tensor> nan = new ArrayList<>(taps);
            nan.set(3, taps.get(3).clone().index_fill_(1, torch.zeros(1).to(torch.ScalarType.Long), new org.bytedeco.pytorch.Scalar(Double.NaN)));
            assertMessage("taps.3", () -> head.forward(nan, audio, 2, 3), "NaN or infinite");
            Tensor infAudio = audio.clone().index_fill_(2, torch.zeros(1).to(torch.ScalarType.Long), new org.bytedeco.pytorch.Scalar(Double.POSITIVE_INFINITY));
            assertMessage("audio tokens", () -> head.forward(taps, infAudio, 2, 3), "NaN or infinite");
            List<Tensor> dbl = new ArrayList<>(taps);
            dbl.set(0, taps.get(0).to(torch.ScalarType.Double));
            assertMessage("taps.0: dtype Double differs from the head weights' Float", () -> head.forward(dbl, audio, 2, 3));
            List<Tensor> ints = new ArrayList<>(taps);
            ints.set(0, taps.get(0).to(torch.ScalarType.Int));
            assertMessage("expected a floating-point tensor", () -> head.forward(ints, audio, 2, 3));
            assertMessage("frames must be > 0, got 0", () -> head.forward(taps, audio, 6, 0));
            assertMessage("batch must be > 0, got -1", () -> head.forward(taps, audio, -1, 3));
            List<Tensor> withNull = new ArrayList<>(taps);
            withNull.set(1, null);
            assertMessage("taps.1", () -> head.forward(withNull, audio, 2, 3), "null or undefined");
            assertMessage("GRU state is null", () -> head.step(taps, audio, null));
            try (GruState s = new GruState()) {
                assertMessage("taps: expected 4 tensors, got 2", () -> head.step(taps.subList(0, 2), audio, s));
                List<Tensor> firstNull = java.util.Arrays.asList(null, taps.get(1), taps.get(2), taps.get(3));
                assertMessage("taps.0", () -> head.step(firstNull, audio.narrow(0, 0, 1), s), "null or undefined");
                assertTrue(s.isEmpty(), "a refused step leaves the state alone");
            }
            try (GruState s = new GruState()) {
                head.step(taps.subList(0, 4).stream().map(x -> x.narrow(0, 0, 2)).toList(), audio.narrow(0, 0, 2), s);
                List<Tensor> three = taps.stream().map(x -> x.narrow(0, 0, 3)).toList();
                assertMessage("GRU state (must come from the same batch size and grid): expected shape [3, 16, 3, 5], got [2, 16, 3, 5]",
                        () -> head.step(three, audio.narrow(0, 0, 3), s));
            }
        }
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable call, String... more) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        for (String m : more) assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' lacks '" + m + "'");
    }
}
