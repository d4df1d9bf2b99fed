package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path tmp;

    @Test
    void readsEveryDtypeOfTheFixtureExactly() throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint("st_all_dtypes.safetensors"))) {
            assertEquals(CheckpointFormat.SAFETENSORS, ck.format());
            Expected.assertMatches(ck, Fixtures.checkpoint("st_expected.json"), true);
            assertEquals(0, ck.tensor("scalar_f32").shape().length);
            assertEquals(1, ck.tensor("scalar_f32").numel());
            assertEquals(0, ck.tensor("empty_f32").numel());
        }
    }

    @Test
    void writerReproducesTheSafetensorsLibraryByteForByte() throws Exception {
        Path fixture = Fixtures.checkpoint("st_all_dtypes.safetensors");
        Path out = tmp.resolve("copy.safetensors");
        try (Checkpoint ck = Checkpoints.open(fixture)) {
            Map<String, TensorData> all = new LinkedHashMap<>();
            for (String n : ck.tensorNames()) all.put(n, ck.tensor(n));
            SafetensorsWriter.write(out, all, Map.of("producer", "avsal-fixtures", "format", "pt"));
        }
        assertArrayEquals(Files.readAllBytes(fixture), Files.readAllBytes(out));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writerRoundTripsArraysOfEveryDtype() throws Exception {
        Map<String, TensorData> in = new LinkedHashMap<>();
        in.put("f32", ArrayTensor.ofFloats("f32", new long[] {2, 2}, new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE}));
        in.put("f64", ArrayTensor.ofDoubles("f64", new long[] {3}, new double[] {Math.PI, -0.0, 1e300}));
        in.put("f16", ArrayTensor.ofFloats("f16", DType.F16, new long[] {3}, new float[] {0.1f, 65504f, -6.1035156e-5f}));
        in.put("bf16", ArrayTensor.ofFloats("bf16", DType.BF16, new long[] {2}, new float[] {1.00390625f, -3.0f}));
        in.put("i64", ArrayTensor.ofLongs("i64", DType.I64, new long[] {2}, new long[] {Long.MIN_VALUE, 42}));
        in.put("i32", ArrayTensor.ofLongs("i32", DType.I32, new long[] {1}, new long[] {-7}));
        in.put("i16", ArrayTensor.ofLongs("i16", DType.I16, new long[] {2}, new long[] {-32768, 32767}));
        in.put("i8", ArrayTensor.ofLongs("i8", DType.I8, new long[] {1, 1}, new long[] {-128}));
        in.put("u8", ArrayTensor.ofLongs("u8", DType.U8, new long[] {2}, new long[] {255, 0}));
        in.put("bool", ArrayTensor.ofLongs("bool", DType.BOOL, new long[] {3}, new long[] {1, 0, 1}));
        in.put("scalar", ArrayTensor.ofFloats("scalar", new long[] {}, new float[] {7f}));
        in.put("empty", ArrayTensor.ofFloats("empty", new long[] {0, 5}, new float[0]));
        Path f = tmp.resolve("rt.safetensors");
        SafetensorsWriter.write(f, in, Map.of("note", "quote \" and \\ and é"));
        try (Checkpoint ck = Checkpoints.open(f)) {
            assertEquals(Map.of("__metadata__.note", "quote \" and \\ and é"), ck.metadata());
            assertEquals(in.keySet(), new java.util.HashSet<>(ck.tensorNames()));
            for (TensorData want : in.values()) {
                TensorData got = ck.tensor(want.name());
                assertEquals(want.dtype(), got.dtype());
                assertArrayEquals(want.shape(), got.shape());
                assertEquals(want.toByteBuffer(), got.toByteBuffer(), want.name());
            }
            // Spot values through the decoders (F16 0.1 rounds to 0.0999755859375; BF16 1.00390625 is a tie -> 1.0).
            assertArrayEquals(new double[] {0.0999755859375, 65504, -6.103515625e-5}, ck.tensor("f16").toDoubleArray());
            assertArrayEquals(new float[] {1.0f, -3.0f}, ck.tensor("bf16").toFloatArray());
            assertArrayEquals(new long[] {Long.MIN_VALUE, 42}, ck.tensor("i64").toLongArray());
            assertArrayEquals(new long[] {255, 0}, ck.tensor("u8").toLongArray());
            assertArrayEquals(new double[] {1, 0, 1}, ck.tensor("bool").toDoubleArray());
            assertThrows(IllegalStateException.class, () -> ck.tensor("f32").toLongArray());
        }
        // Header: length a multiple of 8, data aligned for every element size.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, n % 8);
        String header = new String(Files.readAllBytes(f), 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"note\":"), header);
        assertTrue(header.indexOf("\"i64\"") < header.indexOf("\"f64\"") && header.indexOf("\"f64\"") < header.indexOf("\"f32\"")
                && header.indexOf("\"bf16\"") < header.indexOf("\"f16\"") && header.indexOf("\"u8\"") < header.indexOf("\"bool\""), header);
    }

    @Test
    void readsOnlyTheBytesOfTheTensorsAsked() throws Exception {
        Map<String, TensorData> in = new LinkedHashMap<>();
        in.put("audio.w", ArrayTensor.ofFloats("audio.w", new long[] {4}, new float[] {1, 2, 3, 4}));
        in.put("vision.w", ArrayTensor.ofFloats("vision.w", new long[] {1000}, new float[1000]));
        Path f = tmp.resolve("lazy.safetensors");
        SafetensorsWriter.write(f, in, null);
        try (Checkpoint ck = Checkpoints.open(f)) {
            assertEquals(0, Checkpoints.bytesRead(ck));
            Checkpoint audio = ck.subtree("audio");
            assertEquals(List.of("w"), List.copyOf(audio.tensorNames()));
            assertEquals("w", audio.tensor("w").name());
            assertArrayEquals(new float[] {1, 2, 3, 4}, audio.tensor("w").toFloatArray());
            assertEquals(16, Checkpoints.bytesRead(ck));
            assertThrows(IllegalArgumentException.class, () -> ck.subtree("text"));
            float[] kept = audio.tensor("w").toFloatArray();
            TensorData later = ck.tensor("vision.w");
            ck.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, later::toFloatArray);
            assertTrue(closed.getMessage().contains(f.toString()) && closed.getMessage().contains("closed"));
            assertArrayEquals(new float[] {1, 2, 3, 4}, kept);
            CheckpointException e = assertThrows(CheckpointException.class, () -> ck.tensor("w"));
            assertTrue(e.getMessage().contains("no tensor named 'w'") && e.getMessage().contains("audio.w"), e.getMessage());
            assertEquals(f, e.file());
        }
    }

    @Test
    void writerRefusesBadInput() {
        Path f = tmp.resolve("x.safetensors");
        TensorData t = ArrayTensor.ofFloats("a", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, Map.of("__metadata__", t), null));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, Map.of("", t), null));
        assertThrows(IllegalArgumentException.class, () -> ArrayTensor.ofFloats("a", new long[] {3}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> ArrayTensor.ofLongs("a", DType.U8, new long[] {1}, new long[] {256}));
        assertThrows(IllegalArgumentException.class, () -> ArrayTensor.ofLongs("a", DType.F32, new long[] {1}, new long[] {1}));
        assertThrows(CheckpointException.class, () -> SafetensorsWriter.write(tmp.resolve("no/such/dir.st"), Map.of("a", t), null));
    }

    // ---------------------------------------------------------------------------------------------- lying headers

    /** A file with the given header text (padded to 8) followed by {@code dataLen} zero bytes. */
    private Path crafted(String name, String header, int dataLen) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        Path f = tmp.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private void assertRefused(Path f, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(f).close());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
    }

    @Test
    void refusesLyingHeaders() throws Exception {
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        crafted("ok.safetensors", "{" + ok + "}", 8); // sanity: the template itself is fine
        Checkpoints.open(tmp.resolve("ok.safetensors")).close();

        assertRefused(crafted("past.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[25],\"data_offsets\":[0,100]}}", 16),
                "tensor 'a'", "past the end of the data");
        assertRefused(crafted("overlap.safetensors", "{" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "'a' [0, 8)", "'b' [4, 12)", "overlap");
        assertRefused(crafted("size.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "spans 8 bytes", "needs 12");
        assertRefused(crafted("reversed.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "end before they begin");
        assertRefused(crafted("dtype.safetensors", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8),
                "unsupported dtype 'F8_E4M3'");
        assertRefused(crafted("neg.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[-8],\"data_offsets\":[0,8]}}", 8),
                "not a non-negative integer");
        assertRefused(crafted("huge.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
                "invalid shape");
        assertRefused(crafted("json.safetensors", "{\"a\": oops}", 0), "invalid JSON at offset 6");
        assertRefused(crafted("dup.safetensors", "{" + ok + "," + ok + "}", 8), "duplicate key \"a\"");
        assertRefused(crafted("meta.safetensors", "{\"__metadata__\":{\"epoch\":3}}", 0), "__metadata__", "not a string");
        assertRefused(crafted("field.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":1}}", 0),
                "unknown field 'x'");
        assertRefused(crafted("offsets.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", 1),
                "data_offsets");
    }

    @Test
    void refusesBadLengthFieldsAndEncodings() throws Exception {
        Path big = tmp.resolve("biglen.safetensors");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put((byte) '{');
        Files.write(big, b.array());
        assertRefused(big, "header claims 1000 bytes", "only 56");

        Path absurd = tmp.resolve("absurd.safetensors");
        Files.write(absurd, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).put((byte) '{').array());
        assertRefused(absurd, "header length 18446744073709551615 is out of range");

        Path utf = tmp.resolve("utf.safetensors");
        byte[] bad = {16, 0, 0, 0, 0, 0, 0, 0, '{', '"', (byte) 0xff, '"', ':', '1', '}', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
        Files.write(utf, bad);
        assertRefused(utf, "not valid UTF-8");
    }

    @Test
    void truncatedFixtureFailsCleanlyAtEveryCut() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.checkpoint("st_all_dtypes.safetensors"));
        for (int cut : new int[] {1, 7, 8, 9, 100, 791, 792, 793, all.length - 1}) {
            Path f = tmp.resolve("cut" + cut + ".safetensors");
            Files.write(f, java.util.Arrays.copyOf(all, cut));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(f).close(), "cut " + cut);
            assertEquals(f, e.file());
        }
    }
}
