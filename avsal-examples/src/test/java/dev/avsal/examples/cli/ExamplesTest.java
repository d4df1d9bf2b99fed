package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.examples.EncodeFrame;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The examples run on the committed fixtures (a tiny official-format OpenAI CLIP with fp16 weights). */
class ExamplesTest {
    @Test
    void encodeFrameRunsOnAnOpenAiTorchScriptFile() throws Exception {
        String line = EncodeFrame.encode(CliTest.FIXTURES.resolve("clip/openai_clip_tiny.pt"),
                CliTest.FIXTURES.resolve("preprocess/img_a.png"));
        // tiny tower: 32x32 input, patch 8 -> 16 patches + CLS, width 128, 2 blocks, projection to 32
        assertTrue(line.startsWith("taps [1, 2]: [1, 17, 128] [1, 17, 128]; embedding 32 values"), line);
    }
}
