package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.model.WeightConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code avsal convert} end to end on the fixtures written by torch.jit.save / torch.save. */
class ConvertCommandTest {
    static final String CLIP = CliTest.FIXTURES.resolve("clip/openai_clip_tiny.pt").toString();
    static final String IMAGEBIND = CliTest.FIXTURES.resolve("imagebind/imagebind_tiny_audio.pth").toString();

    @Test
    void printsTheSha256AndRefusesToOverwriteWithoutForce(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("enc.safetensors");
        Result r = CliTest.run("convert", "--clip", CLIP, "--imagebind", IMAGEBIND, "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String sha = WeightConverter.sha256(out);
        assertTrue(r.out().contains(sha + "  enc.safetensors"), r.out());
        assertTrue(r.out().contains("encoders only"), r.out());

        Files.writeString(out, "mine");
        Result again = CliTest.run("convert", "--clip", CLIP, "--imagebind", IMAGEBIND, "-o", out.toString());
        assertEquals(AvSalCli.EXIT_INPUT, again.code());
        assertTrue(again.err().contains("enc.safetensors") && again.err().contains("--force"), again.err());
        assertFalse(again.err().contains("\tat "), "no stack trace without --verbose");
        assertEquals("mine", Files.readString(out));
        Result verbose = CliTest.run("convert", "--clip", CLIP, "--imagebind", IMAGEBIND, "-o", out.toString(),
                "--verbose");
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose: " + verbose.err());

        Result forced = CliTest.run("convert", "--clip", CLIP, "--imagebind", IMAGEBIND, "-o", out.toString(),
                "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals(sha, WeightConverter.sha256(out), "the same inputs give the same bytes");
    }

    @Test
    void aHuggingFaceFileWithItsConfigKeepsTheConfiguredActivation(@TempDir Path dir) throws Exception {
        String config = Files.readString(CliTest.FIXTURES.resolve("clip/hf_clip_tiny_config.json"))
                .replace("\"quick_gelu\"", "\"gelu\"");
        Path cfg = Files.writeString(dir.resolve("config.json"), config), out = dir.resolve("hf.safetensors");
        Result r = CliTest.run("convert", "--clip", CliTest.FIXTURES.resolve("clip/hf_clip_tiny.safetensors").toString(),
                "--clip-config", cfg.toString(), "--imagebind", IMAGEBIND, "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        String clip = (String) CliTest.json(r.out()).get("clip");
        assertTrue(clip.contains("GELU") && !clip.contains("QUICK_GELU"), clip);
        try (var ck = dev.avsal.checkpoint.Checkpoints.open(out)) {
            String meta = (String) ck.metadata().get("__metadata__." + WeightConverter.ENCODERS_METADATA_KEY);
            assertTrue(meta.contains("\"activation\":\"gelu\""), meta);
            assertTrue(ck.contains("clip.proj") && ck.contains("clip.transformer.resblocks.0.attn.in_proj_weight"));
        }
    }

    @Test
    void swappedInputsAndMissingOptionsAreReported(@TempDir Path dir) {
        Result swapped = CliTest.run("convert", "--clip", IMAGEBIND, "--imagebind", CLIP, "-o",
                dir.resolve("x.safetensors").toString());
        assertEquals(AvSalCli.EXIT_INPUT, swapped.code());
        assertTrue(swapped.err().contains("no CLIP ViT image tower"), swapped.err());
        assertEquals(2, CliTest.run("convert", "--clip", CLIP, "-o", dir.resolve("x").toString()).code(),
                "missing --imagebind is a usage error");
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }
}
