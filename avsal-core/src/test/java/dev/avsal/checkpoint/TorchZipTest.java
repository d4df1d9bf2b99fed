package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** torch.save-like archives built by hand or by the stdlib generator: layouts, byte orders, and lies. */
class TorchZipTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"fake_torch_p4.pt", "fake_torch_p5.pt", "fake_torch_big.pt", "fake_torch_deflated.pt"})
    void generatedArchivesInOtherProtocolsByteOrdersAndCompression(String file) throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.path("fixtures/pickle/" + file))) {
            assertEquals(CheckpointFormat.TORCH_ZIP, ck.format());
            Expected.assertMatches(ck, Fixtures.path("fixtures/pickle/fake_torch_expected.json"), true);
            assertEquals(8, ck.subtree("model.module").tensorNames().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fake_legacy.pt", "fake_legacy_big.pt"})
    void legacyStorageViewsAndBigEndianLegacyFiles(String file) throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.path("fixtures/pickle/" + file))) {
            assertEquals(CheckpointFormat.TORCH_LEGACY, ck.format());
            Expected.assertMatches(ck, Fixtures.path("fixtures/pickle/fake_legacy_expected.json"), true);
            // The view's tensor spans view elements 1..4, i.e. root elements 5..8: 16 bytes.
            long before = Checkpoints.bytesRead(ck);
            ck.tensor("state_dict.view").toByteBuffer();
            assertEquals(16, Checkpoints.bytesRead(ck) - before);
        }
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private static byte[] onePickle(long storageNumel, long offset, long[] size, long[] stride) {
        return new TestPickle().op('}').str("w").tensor("FloatStorage", "0", storageNumel, offset, size, stride)
                .op('s').stop();
    }

    private Path write(String name, byte[] data) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, data);
        return f;
    }

    private void assertRefused(Path f, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(f).close());
        assertFalse(e instanceof UnsafeCheckpointException, e.getMessage());
        assertEquals(f, e.file());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
    }

    @Test
    void zip64ArchiveWithPaddedLocalHeaders() throws Exception {
        byte[] pkl = onePickle(4, 1, new long[] {2}, new long[] {2});
        for (boolean zip64 : new boolean[] {false, true}) {
            Path f = write("z" + zip64 + ".pt", new TestZip().add("any-name/data.pkl", pkl, 17)
                    .add("any-name/byteorder", "little").add("any-name/data/0", floats(1, 2, 3, 4), 40).build(zip64));
            try (Checkpoint ck = Checkpoints.open(f)) {
                assertArrayEquals(new float[] {2, 4}, ck.tensor("w").toFloatArray());
                assertEquals(12, Checkpoints.bytesRead(ck)); // elements 1..3 spanned
            }
        }
    }

    @Test
    void viewsReachingPastTheirStorageAreRefusedAtOpen() throws Exception {
        byte[] data = floats(1, 2, 3, 4);
        assertRefused(write("past.pt", new TestZip().add("a/data.pkl", onePickle(4, 2, new long[] {3}, new long[] {1}))
                .add("a/data/0", data).build(false)), "tensor 'w' reaches element 4", "storage of 4 elements");
        assertRefused(write("stride.pt", new TestZip().add("a/data.pkl", onePickle(4, 0, new long[] {2, 2}, new long[] {3, 1}))
                .add("a/data/0", data).build(false)), "reaches element 4");
        assertRefused(write("negstride.pt", new TestZip().add("a/data.pkl", onePickle(4, 3, new long[] {2}, new long[] {-1}))
                .add("a/data/0", data).build(false)), "negative stride");
        assertRefused(write("rank.pt", new TestZip().add("a/data.pkl", onePickle(4, 0, new long[] {2, 2}, new long[] {1}))
                .add("a/data/0", data).build(false)), "2 sizes but 1 strides");
        assertRefused(write("overflow.pt", new TestZip().add("a/data.pkl",
                onePickle(4, 0, new long[] {1L << 40, 1L << 40}, new long[] {1, 1})).add("a/data/0", data).build(false)),
                "invalid shape");
        // An empty view may sit at the very end of its storage, but not beyond.
        Path ok = write("emptyend.pt", new TestZip().add("a/data.pkl", onePickle(4, 4, new long[] {0}, new long[] {1}))
                .add("a/data/0", data).build(false));
        try (Checkpoint ck = Checkpoints.open(ok)) {
            assertEquals(0, ck.tensor("w").toFloatArray().length);
        }
        assertRefused(write("emptypast.pt", new TestZip().add("a/data.pkl", onePickle(4, 5, new long[] {0}, new long[] {1}))
                .add("a/data/0", data).build(false)), "beyond its storage");
    }

    @Test
    void storageRecordsMustMatchTheirIds() throws Exception {
        byte[] pkl = onePickle(4, 0, new long[] {4}, new long[] {1});
        assertRefused(write("size.pt", new TestZip().add("a/data.pkl", pkl).add("a/data/0", floats(1, 2, 3)).build(false)),
                "storage '0' claims 4 F32 elements but its record a/data/0 holds 12 bytes");
        assertRefused(write("missing.pt", new TestZip().add("a/data.pkl", pkl).build(false)), "a/data/0 is missing");
        byte[] complex = new TestPickle().op('}').str("w").tensor("ComplexFloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .op('s').stop();
        assertRefused(write("complex.pt", new TestZip().add("a/data.pkl", complex).add("a/data/0", new byte[16]).build(false)),
                "storage type torch.ComplexFloatStorage is not supported");
        assertRefused(write("order.pt", new TestZip().add("a/data.pkl", pkl).add("a/byteorder", "middle")
                .add("a/data/0", floats(1, 2, 3, 4)).build(false)), "byteorder record says 'middle'");
        byte[] badPid = new TestPickle().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("module").num(1).tuple().op('Q').num(0).longs(1).longs(1).op(0x89).op('N').tuple().reduce()
                .op('s').stop();
        assertRefused(write("pid.pt", new TestZip().add("a/data.pkl", badPid).build(false)),
                "persistent id ('module', 1) is not ('storage', type, key, location, numel)");
    }

    @Test
    void archiveStructureProblems() throws Exception {
        byte[] pkl = onePickle(4, 0, new long[] {4}, new long[] {1});
        assertRefused(write("nopkl.pt", new TestZip().add("a/other.txt", "x").build(false)), "without a <folder>/data.pkl");
        assertRefused(write("twopkl.pt", new TestZip().add("a/data.pkl", pkl).add("b/data.pkl", pkl).build(false)),
                "two data.pkl records");
        assertRefused(write("dup.pt", new TestZip().add("a/data.pkl", pkl).add("a/data.pkl", pkl).build(false)),
                "appears twice");
        byte[] good = new TestZip().add("a/data.pkl", pkl).add("a/data/0", floats(1, 2, 3, 4)).build(false);
        // Central directory offset pointing past the end.
        byte[] lie = good.clone();
        ByteBuffer.wrap(lie).order(ByteOrder.LITTLE_ENDIAN).putInt(lie.length - 6, 1 << 30);
        assertRefused(write("cdlie.pt", lie), "central directory", "outside the archive");
        // An entry whose local header offset points at garbage.
        int cd = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(good.length - 6);
        byte[] local = good.clone();
        ByteBuffer.wrap(local).order(ByteOrder.LITTLE_ENDIAN).putInt(cd + 42, 3);
        assertRefused(write("locallie.pt", local), "no local header at offset 3");
        // An entry whose size runs into the central directory.
        byte[] size = good.clone();
        int second = cd + 46 + "a/data.pkl".length();
        ByteBuffer.wrap(size).order(ByteOrder.LITTLE_ENDIAN).putInt(second + 20, 1 << 20).putInt(second + 24, 1 << 20);
        assertRefused(write("sizelie.pt", size), "runs past the entry area");
        assertRefused(write("nocd.pt", java.util.Arrays.copyOf(good, good.length - 22)), "no end-of-central-directory record");
    }

    @Test
    void corruptDeflatedStorageIsCaughtAtOpen() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.path("fixtures/pickle/fake_torch_deflated.pt"));
        byte[] name = "archive/data/0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 0; i + name.length <= all.length && at < 0; i++) {
            if (Arrays.equals(all, i, i + name.length, name, 0, name.length) && all[i - 30] == 'P') at = i + name.length;
        }
        assertTrue(at > 0);
        byte[] bad = all.clone();
        bad[at + 3] ^= 0x55; // inside the deflate stream of storage 0
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(write("deflated_bad.pt", bad)));
        assertTrue(e.getMessage().contains("entry archive/data/0"), e.getMessage());
    }

    @Test
    void legacyFixtureLiesAreCaught() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.checkpoint("torch_legacy.pt"));
        // The first storage count field follows the key list; change it to claim one element more.
        byte[] lie = all.clone();
        int keysEnd = 2475; // offset after the storage key list in this fixture (see pickletools)
        ByteBuffer b = ByteBuffer.wrap(lie).order(ByteOrder.LITTLE_ENDIAN);
        long count = b.getLong(keysEnd);
        b.putLong(keysEnd, count + 1);
        assertRefused(write("legacy_count.pt", lie), "holds " + (count + 1) + " elements but the pickle says " + count);
        assertRefused(write("legacy_cut.pt", java.util.Arrays.copyOf(all, all.length - 1)), "truncated");
        byte[] magic = all.clone();
        magic[5] ^= 1;
        assertRefused(write("legacy_magic.pt", magic), "without torch's legacy magic number");
    }
}
