package dev.avsal.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.TensorData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against {@code fixtures/preprocess}: torchvision {@code Resize(224, BICUBIC) + CenterCrop(224)} and Pillow
 * {@code resize((384, 224), BICUBIC)} outputs (Pillow 12.3, torchvision 0.26) must match to the bit, and the full
 * CLIP transform at 64 px to float rounding.
 */
class PreprocessFixtureTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(PreprocessFixtureTest.class.getResource("/fixtures/preprocess/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"img_a", "img_b", "img_c"})
    void clip224MatchesTorchvisionExactly(String name) throws Exception {
        RgbImage src = RgbImage.read(fixture(name + ".png"));
        assertSame(RgbImage.read(fixture(name + "_clip224.png")), ClipImagePreprocessor.centerCrop(224).resize(src),
                name + " clip224");
    }

    @ParameterizedTest
    @ValueSource(strings = {"img_a", "img_b", "img_c"})
    void resize224x384MatchesPillowExactly(String name) throws Exception {
        RgbImage src = RgbImage.read(fixture(name + ".png"));
        RgbImage want = RgbImage.read(fixture(name + "_resize224x384.png"));
        assertSame(want, PilResize.resize(src, 384, 224), name + " resize224x384");
        assertSame(want, ClipImagePreprocessor.exactSize(224, 384).resize(src), name + " exactSize");
    }

    @Test
    void clip64MatchesTheFullTransform() throws Exception {
        float[] got = ClipImagePreprocessor.centerCrop(64).preprocess(RgbImage.read(fixture("img_a.png")));
        try (Checkpoint c = Checkpoints.open(fixture("clip64.safetensors"))) {
            TensorData t = c.tensor("img_a");
            assertArrayEquals(new long[] {3, 64, 64}, t.shape());
            float[] want = t.toFloatArray();
            double err = 0;
            for (int i = 0; i < want.length; i++) err = Math.max(err, Math.abs(want[i] - got[i]));
            System.out.printf("clip64 img_a: max abs error %.3g%n", err);
            assertEquals(0.0, err, 1e-6);
        }
    }

    private static void assertSame(RgbImage want, RgbImage got, String what) {
        assertEquals(want.width(), got.width(), what);
        assertEquals(want.height(), got.height(), what);
        int differing = 0, max = 0;
        for (int i = 0; i < want.rgb().length; i++) {
            int d = Math.abs((want.rgb()[i] & 0xFF) - (got.rgb()[i] & 0xFF));
            if (d != 0) differing++;
            max = Math.max(max, d);
        }
        System.out.printf("%s: %d differing samples, max difference %d%n", what, differing, max);
        assertEquals(0, differing, what + ": max difference " + max);
    }
}
