package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of unreadable file ends in a CheckpointException naming the file, never in another throwable. */
class BadInputTest {
    @TempDir Path tmp;

    private static CheckpointException refused(Path f, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(f).close());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void missingEmptyDirectoryAndUnknownFiles() throws Exception {
        refused(tmp.resolve("nope.pt"), "no such file");
        refused(tmp, "is a directory");
        Path empty = Files.write(tmp.resolve("empty.safetensors"), new byte[0]);
        refused(empty, "empty file (0 bytes)");
        Path text = Files.writeString(tmp.resolve("text.pt"), "hello world, not weights");
        refused(text, "not a safetensors, torch.save or TorchScript file (first bytes: 68 65 6c 6c 6f 20 77 6f");
        Path one = Files.write(tmp.resolve("one.bin"), new byte[] {'P'});
        refused(one, "first bytes: 50)");
        Path plainPickle = Files.write(tmp.resolve("plain.pkl"), Files.readAllBytes(Fixtures.path("fixtures/pickle/plain_p2.pkl")));
        refused(plainPickle, "without torch's legacy magic number");
        Path pk = Files.write(tmp.resolve("pk.zip"), new byte[] {'P', 'K', 3, 4, 0, 0});
        refused(pk, "corrupt zip archive");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixtures/checkpoint/torch_zip.pt", "fixtures/checkpoint/torch_legacy.pt",
            "fixtures/checkpoint/scripted.pt", "fixtures/checkpoint/st_all_dtypes.safetensors",
            "fixtures/pickle/fake_torch_deflated.pt"})
    void truncatedAtManyPointsFailsCleanly(String fixture) throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        for (int cut : new int[] {1, 2, 4, 8, 9, 15, 30, 64, all.length / 4, all.length / 2, all.length - 23,
                all.length - 22, all.length - 8, all.length - 1}) {
            Path f = Files.write(tmp.resolve("cut" + cut), Arrays.copyOf(all, cut));
            refused(f);
        }
    }

    /**
     * Random byte corruption (seeded): opening either fails with a CheckpointException or succeeds, and then every
     * tensor reads without any exception, because open validated everything a read relies on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"fixtures/checkpoint/torch_zip.pt", "fixtures/checkpoint/torch_legacy.pt",
            "fixtures/checkpoint/scripted.pt", "fixtures/checkpoint/st_all_dtypes.safetensors",
            "fixtures/pickle/fake_torch_p4.pt", "fixtures/checkpoint/malicious_system.pt"})
    void corruptedBytesNeverEscapeAsOtherThrowables(String fixture) throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        Random rnd = new Random(fixture.hashCode());
        Path f = tmp.resolve("fuzz");
        int opened = 0;
        for (int round = 0; round < 200; round++) {
            byte[] b = all.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = round % 3 == 0 ? rnd.nextInt(Math.min(b.length, 1200)) : rnd.nextInt(b.length); // headers often
                b[at] = (byte) (rnd.nextInt(3) == 0 ? b[at] ^ (1 << rnd.nextInt(8)) : rnd.nextInt(256));
            }
            Files.write(f, b);
            Checkpoint ck;
            try {
                ck = Checkpoints.open(f);
            } catch (CheckpointException expected) {
                assertEquals(f, expected.file());
                continue;
            } catch (Throwable t) {
                throw new AssertionError("round " + round + ": open threw " + t, t);
            }
            opened++;
            try (ck) {
                for (String n : ck.tensorNames()) {
                    TensorData t = ck.tensor(n);
                    try {
                        t.toByteBuffer();
                        t.toDoubleArray();
                        if (!t.dtype().isFloatingPoint()) t.toLongArray();
                    } catch (IllegalStateException tooBig) {
                        // the one deferred refusal: a huge zero-stride view cannot become a Java array
                        if (!tooBig.getMessage().contains("more than a Java array")) fail("round " + round + ": " + tooBig);
                    }
                }
            } catch (Throwable t) {
                throw new AssertionError("round " + round + ": reading an opened file threw " + t, t);
            }
        }
        if (fixture.contains("malicious")) assertEquals(0, opened, "the refused global survives corruption elsewhere");
        else assertTrue(opened > 0, "some corruptions (tensor data) leave the file readable");
    }
}
