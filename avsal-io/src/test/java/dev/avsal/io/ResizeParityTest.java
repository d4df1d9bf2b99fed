package dev.avsal.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The decode-path resize against Pillow: the lead's fixtures hold PIL {@code resize((384, 224), BICUBIC)} of three
 * images (avsal-core/src/test/resources/fixtures/preprocess). FFmpeg reads a PNG as a one-frame video, so the same
 * swscale path as for videos resizes it (from RGB here, without the YUV step).
 */
class ResizeParityTest {
    static final Path DIR = Path.of("..", "avsal-core", "src", "test", "resources", "fixtures", "preprocess");

    @Test void bicubicMatchesPillow() throws Exception {
        assumeTrue(Files.isDirectory(DIR), "fixtures not present");
        for (String n : new String[] {"img_a", "img_b", "img_c"}) { // 320x240, 97x131 (enlarged), 500x281
            BufferedImage ref = ImageIO.read(DIR.resolve(n + "_resize224x384.png").toFile());
            VideoFrame f;
            try (VideoReader r = VideoReader.builder().setFile(DIR.resolve(n + ".png")).optTargetSize(384, 224)
                    .optAudio(false).build()) {
                f = r.read();
                assertNull(r.read());
            }
            double sum = 0;
            int max = 0;
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 384; x++) {
                    int p = ref.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int d = Math.abs(f.get(x, y, c) - (p >> (16 - 8 * c) & 0xFF));
                        sum += d;
                        max = Math.max(max, d);
                    }
                }
            }
            double mean = sum / (224 * 384 * 3);
            // measured: mean 0.21-0.23, max 3-9 levels (swscale's cubic differs slightly from PIL's a = -0.5)
            assertTrue(mean < 0.3, n + ": mean abs difference to PIL " + mean);
            assertTrue(max <= 10, n + ": max abs difference to PIL " + max);
        }
    }
}
