package dev.avsal.model;

import static dev.avsal.model.ModelFixtures.floats;
import static dev.avsal.model.TestTensors.assertClose;
import static dev.avsal.model.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.avsal.checkpoint.Checkpoint;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/**
 * Parity with PyTorch on the committed fixtures: the reference activations were computed by HF transformers'
 * CLIPVisionModelWithProjection, the official openai/CLIP model and the official ImageBind model (float64, stored
 * as float32; OpenAI in float32). Tolerance: relative L2 error and max abs error below 1e-4.
 */
class EncoderFixtureTest {
    static final double TOL = 1e-4;

    @Test
    void huggingFaceClipVisionModelWithProjection() throws Exception {
        ClipVisionConfig cfg = ClipVisionConfig.fromHfConfig(ModelFixtures.path("clip/hf_clip_tiny_config.json"));
        assertEquals(new ClipVisionConfig(32, 8, 128, 2, 2, 32, 256, 1e-5, ClipVisionConfig.Activation.QUICK_GELU),
                cfg);
        try (Checkpoint w = ModelFixtures.open("clip/hf_clip_tiny.safetensors");
             Checkpoint io = ModelFixtures.open("clip/hf_clip_tiny_io.safetensors");
             ClipVisionEncoder enc = ClipVisionEncoder.load(w, cfg);
             PointerScope scope = new PointerScope()) {
            assertEquals(cfg, ClipVisionEncoder.inferConfig(w)); // width 128: 128/64 = 2 heads, as configured
            ClipVisionEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "pixel_values", 2, 3, 32, 32), 0, 1, 2);
            for (int k = 0; k <= 2; k++) // HF hidden_states[0] is the input of the first layer (after pre_layrnorm)
                assertClose("HF hidden_states." + k, values(o.hidden(k)),
                        floats(io, "hidden_states." + k, 2, 17, 128), TOL);
            assertClose("HF last_hidden_state", values(o.hidden(2)), floats(io, "last_hidden_state", 2, 17, 128), TOL);
            assertClose("HF pooler_output", values(o.pooled()), floats(io, "pooler_output", 2, 128), TOL);
            assertClose("HF image_embeds", values(o.embedding()), floats(io, "image_embeds", 2, 32), TOL);

            ClipVisionEncoder.Output wide = enc.forward(ModelFixtures.tensor(io, "pixel_values_wide", 1, 3, 32, 64), 2);
            assertEquals(4, wide.gridHeight());
            assertEquals(8, wide.gridWidth());
            assertClose("HF hidden_states_wide.2 (interpolated)", values(wide.hidden(2)),
                    floats(io, "hidden_states_wide.2", 1, 33, 128), TOL);
            assertClose("HF image_embeds_wide (interpolated)", values(wide.embedding()),
                    floats(io, "image_embeds_wide", 1, 32), TOL);
        }
    }

    @Test
    void openAiTorchScriptWithFp16Weights() throws Exception {
        try (Checkpoint w = ModelFixtures.open("clip/openai_clip_tiny.pt");
             Checkpoint io = ModelFixtures.open("clip/openai_clip_tiny_io.safetensors");
             ClipVisionEncoder enc = ClipVisionEncoder.load(w);
             PointerScope scope = new PointerScope()) {
            assertEquals(new ClipVisionConfig(32, 8, 128, 2, 2, 32), enc.config()); // inferred from shapes
            ClipVisionEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "image", 2, 3, 32, 32), 1, 2);
            for (int k = 0; k < 2; k++) // tap.K = output of resblocks[K] (0-based) = our block K+1
                assertClose("OpenAI tap." + k, values(o.hidden(k + 1)), floats(io, "tap." + k, 2, 17, 128), TOL);
            assertClose("OpenAI embedding", values(o.embedding()), floats(io, "embedding", 2, 32), TOL);
        }
    }

    @Test
    void officialImageBindAudioBranch() throws Exception {
        try (Checkpoint w = ModelFixtures.open("imagebind/imagebind_tiny_audio.pth");
             Checkpoint io = ModelFixtures.open("imagebind/imagebind_tiny_io.safetensors");
             ImageBindAudioEncoder enc = ImageBindAudioEncoder.load(w);
             PointerScope scope = new PointerScope()) {
            assertEquals(new ImageBindAudioConfig(128, 2, 2, 32, 16, 10, 128, 204, 512), enc.config());
            ImageBindAudioEncoder.Output o = enc.forward(ModelFixtures.tensor(io, "fbank", 1, 2, 1, 128, 204));
            assertClose("ImageBind tokens", values(o.tokens()), floats(io, "tokens", 2, 229, 128), TOL);
            assertClose("ImageBind embedding_per_clip", values(o.embeddingPerClip()),
                    floats(io, "embedding_per_clip", 2, 32), TOL);
            assertClose("ImageBind embedding", values(o.embedding()), floats(io, "embedding", 1, 32), TOL);
        }
    }
}
