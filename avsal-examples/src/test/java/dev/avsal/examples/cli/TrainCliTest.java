package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of {@code avsal train} and {@code avsal demo} (the runs themselves: TrainerTest, DemoTest). */
class TrainCliTest {
    @TempDir
    Path tmp;

    @Test
    void trainRefusesAMissingDatasetAndBadLossWeights() {
        CliTest.Result r = CliTest.run("train", "--data", tmp.resolve("nothing").toString(), "-o", tmp.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("nothing"), r.err());
        r = CliTest.run("train", "--data", tmp.toString(), "-o", tmp.resolve("out").toString(), "--loss", "kld=1,foo=2");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("foo"), r.err());
        r = CliTest.run("train", "--data", tmp.toString(), "-o", tmp.resolve("out").toString(), "--clip", "a.pt");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--imagebind"), r.err());
        assertEquals(2, CliTest.run("train").code()); // --data and --output are required
        r = CliTest.run("train", "--data", tmp.toString(), "-o", tmp.resolve("out").toString(), "--train-encoders",
                "--preset", "avsal-r-b16");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--train-encoders") && r.err().contains("avsal-r-tiny"), r.err());
        assertEquals(new dev.avsal.train.LossWeights(1, 1, 0.1, 0), TrainCommand.parseLoss("kld=1, cc=1,nss=0.1"));
        assertThrows(IllegalArgumentException.class, () -> TrainCommand.parseLoss("kld"));
    }

    @Test
    void demoRefusesToOverwriteEarlierOutput() throws Exception {
        Files.createDirectories(tmp.resolve("results.json").getParent());
        Files.writeString(tmp.resolve("results.json"), "{}");
        CliTest.Result r = CliTest.run("demo", "-o", tmp.toString(), "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("{}", Files.readString(tmp.resolve("results.json")));
    }
}
