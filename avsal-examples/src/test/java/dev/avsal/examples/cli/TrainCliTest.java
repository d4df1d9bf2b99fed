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
    void trainTakesADeviceAndAPrecision() {
        TrainCommand.DeviceConverter d = new TrainCommand.DeviceConverter();
        assertEquals(new TrainCommand.DeviceChoice(dev.avsal.Device.AUTO, -1), d.convert("auto"));
        assertEquals(new TrainCommand.DeviceChoice(dev.avsal.Device.CPU, -1), d.convert("CPU"));
        assertEquals(new TrainCommand.DeviceChoice(dev.avsal.Device.CUDA, -1), d.convert("cuda"));
        assertEquals(new TrainCommand.DeviceChoice(dev.avsal.Device.CUDA, 3), d.convert("cuda:3"));
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:128", "cuda:1:2", ""})
            assertThrows(picocli.CommandLine.TypeConversionException.class, () -> d.convert(bad), bad);
        assertEquals(dev.avsal.Precision.BF16, new TrainCommand.PrecisionConverter().convert("bf16"));
        assertEquals(dev.avsal.Precision.FP16, new TrainCommand.PrecisionConverter().convert("FP16"));

        String out = tmp.resolve("out").toString(), data = tmp.resolve("nothing").toString();
        CliTest.Result r = CliTest.run("train", "--data", data, "-o", out, "--device", "gpu");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("gpu") && r.err().contains("cuda:N"), r.err());
        r = CliTest.run("train", "--data", data, "-o", out, "--precision", "fp8");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("fp8") && r.err().contains("bf16"), r.err());
        // CUDA on a machine without it: a one-line error naming the reason, before the data are opened
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.avsal.Diagnostics.cudaUnavailableReason() != null, "CUDA is usable here");
        for (String dev : new String[] {"cuda", "cuda:1"}) {
            r = CliTest.run("train", "--data", data, "-o", out, "--device", dev, "--precision", "bf16");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("CUDA is not usable") && !r.err().contains("nothing"), r.err());
            assertTrue(r.err().strip().lines().count() <= 2, r.err());
            assertTrue(Files.notExists(tmp.resolve("out")));
        }
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
