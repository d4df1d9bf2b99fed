package dev.avsal.model.head;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadConfigTest {
    /** The tiny config as json.dumps(dataclasses.asdict(cfg), sort_keys=True) writes it (tools/avsal_head.py). */
    static final String PY = "{\"audio_width\": 20, \"dim\": 16, \"eps\": 1e-05, \"ffn_ratio\": 2, \"grid_h\": 3, "
            + "\"grid_w\": 5, \"gru_kernel\": 3, \"heads\": 4, \"output\": \"sigmoid\", \"patch_size\": 6, "
            + "\"taps\": [1, 2, 3, 4], \"visual_width\": 24}";

    @Test
    void defaultsAreViTB16WithD128() {
        HeadConfig c = HeadConfig.defaults();
        assertEquals(List.of(3, 6, 9, 12), c.taps());
        assertArrayEquals(new int[] {2, 5, 8, 11}, c.tapIndices());
        assertEquals(128, c.dim());
        assertEquals(32, c.fusion().headDim());
        assertEquals(224, c.inputH());
        assertEquals(14, c.gridW());
        HeadConfig wide = HeadConfig.vitB16(224, 384);
        assertEquals(24, wide.gridW());
        assertEquals(384, wide.inputW());
        assertEquals(OutputNormalization.SIGMOID, c.decoder().output());
    }

    @Test
    void jsonRoundTripAndPythonFormat() {
        for (HeadConfig c : List.of(HeadConfig.defaults(), HeadConfig.vitB16(224, 384), HeadTesting.tiny()))
            assertEquals(c, HeadConfig.fromJson(c.toJson()));
        assertEquals(HeadTesting.tiny(), HeadConfig.fromJson(PY));
        HeadConfig soft = HeadConfig.fromJson(PY.replace("\"sigmoid\"", "\"spatial_softmax\""));
        assertEquals(OutputNormalization.SPATIAL_SOFTMAX, soft.decoder().output());
    }

    @Test
    void invalidConfigsAreRefused() {
        String ok = PY;
        AvSalHeadTest.assertMessage("unknown key 'extra'", () -> HeadConfig.fromJson(ok.replace("{", "{\"extra\": 1, ")));
        AvSalHeadTest.assertMessage("missing key 'heads'", () -> HeadConfig.fromJson(ok.replace("\"heads\": 4, ", "")));
        AvSalHeadTest.assertMessage("'dim' is not an integer", () -> HeadConfig.fromJson(ok.replace("\"dim\": 16", "\"dim\": 16.5")));
        AvSalHeadTest.assertMessage("unknown name 'softmax'", () -> HeadConfig.fromJson(ok.replace("sigmoid", "softmax")));
        AvSalHeadTest.assertMessage("head config JSON", () -> HeadConfig.fromJson(ok + "x"));
        AvSalHeadTest.assertMessage("not an object", () -> HeadConfig.fromJson("[1]"));
        AvSalHeadTest.assertMessage("dim 16 is not a multiple of heads 3", () -> HeadConfig.fromJson(ok.replace("\"heads\": 4", "\"heads\": 3")));
        AvSalHeadTest.assertMessage("strictly increasing", () -> HeadConfig.fromJson(ok.replace("[1, 2, 3, 4]", "[1, 3, 3, 4]")));
        AvSalHeadTest.assertMessage("expected 4 taps", () -> HeadConfig.fromJson(ok.replace("[1, 2, 3, 4]", "[1, 2, 3]")));
        AvSalHeadTest.assertMessage("not a positive multiple of 16", () -> HeadConfig.vitB16(224, 390));
        AvSalHeadTest.assertMessage("widths differ", () -> new HeadConfig(List.of(1, 2, 3, 4), 16, 14, 14,
                FusionConfig.of(768, 768, 128), ConvGruConfig.of(64), DecoderConfig.of(128)));
    }
}
