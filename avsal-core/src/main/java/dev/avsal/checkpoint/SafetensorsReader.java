package dev.avsal.checkpoint;

import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header, then the data. The header is
 * checked completely (dtypes, shapes, offsets inside the data, no overlaps, sizes matching shapes) before any
 * tensor is handed out.
 */
final class SafetensorsReader {
    /** The safetensors library's own limit on header size. */
    static final long MAX_HEADER = 100L * 1024 * 1024;

    private SafetensorsReader() {}

    static LoadedCheckpoint read(FileSource src) throws CheckpointException {
        if (src.size < 8) throw new CheckpointException(src.path, "truncated safetensors file: " + src.size + " bytes");
        long n = src.readHeader(0, 8).getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw new CheckpointException(src.path, "safetensors header length " + Long.toUnsignedString(n)
                    + " is out of range (2.." + MAX_HEADER + ")");
        }
        if (n > src.size - 8) {
            throw new CheckpointException(src.path, "truncated safetensors file: the header claims " + n
                    + " bytes but only " + (src.size - 8) + " follow the length field");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(src.readHeader(8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(src.path, "safetensors header is not valid UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(text, "safetensors header");
        } catch (JsonException e) {
            throw new CheckpointException(src.path, e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new CheckpointException(src.path, "safetensors header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLen = src.size - dataStart;
        Map<String, StridedTensor> tensors = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        record Range(String name, long begin, long end) {}
        List<Range> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new CheckpointException(src.path, "safetensors __metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw new CheckpointException(src.path, "safetensors __metadata__ value for '" + m.getKey()
                                + "' is not a string");
                    }
                    metadata.put("__metadata__." + m.getKey(), s);
                }
                continue;
            }
            String where = "tensor '" + name + "'";
            if (!(e.getValue() instanceof Map<?, ?> info)) throw bad(src, where, "is not an object");
            for (Object k : info.keySet()) {
                if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                    throw bad(src, where, "has an unknown field '" + k + "'");
                }
            }
            DType dtype = dtype(src, where, info.get("dtype"));
            long[] shape = longs(src, where, "shape", info.get("shape"), -1);
            long[] off = longs(src, where, "data_offsets", info.get("data_offsets"), 2);
            long numel = Elements.numel(shape);
            if (numel < 0) throw bad(src, where, "has an invalid shape " + java.util.Arrays.toString(shape));
            if (off[0] > off[1]) throw bad(src, where, "has data_offsets [" + off[0] + ", " + off[1] + "] that end before they begin");
            if (off[1] > dataLen) {
                throw bad(src, where, "has data_offsets [" + off[0] + ", " + off[1] + "] past the end of the data ("
                        + dataLen + " bytes; the file is truncated or the header lies)");
            }
            long expect = numel > Long.MAX_VALUE / dtype.byteSize() ? -1 : numel * dtype.byteSize();
            if (off[1] - off[0] != expect) {
                throw bad(src, where, "spans " + (off[1] - off[0]) + " bytes but " + dtype + " shape "
                        + java.util.Arrays.toString(shape) + " needs " + (expect < 0 ? "more than 2^63" : expect));
            }
            ranges.add(new Range(name, off[0], off[1]));
            tensors.put(name, StridedTensor.contiguous(name, dtype, shape,
                    new ByteSource.Region(src, dataStart + off[0], off[1] - off[0])));
        }
        ranges.sort(Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
        Range prev = null;
        for (Range r : ranges) {
            if (r.begin == r.end) continue; // empty tensors occupy nothing
            if (prev != null && r.begin < prev.end) {
                throw new CheckpointException(src.path, "safetensors header lies: tensors '" + prev.name + "' ["
                        + prev.begin + ", " + prev.end + ") and '" + r.name + "' [" + r.begin + ", " + r.end + ") overlap");
            }
            prev = r;
        }
        return new LoadedCheckpoint(src, CheckpointFormat.SAFETENSORS, tensors, metadata, "");
    }

    private static CheckpointException bad(FileSource src, String where, String problem) {
        return new CheckpointException(src.path, "safetensors header: " + where + " " + problem);
    }

    private static DType dtype(FileSource src, String where, Object v) throws CheckpointException {
        if (!(v instanceof String s)) throw bad(src, where, "has no string dtype");
        for (DType t : DType.values()) if (t.name().equals(s)) return t;
        throw bad(src, where, "has unsupported dtype '" + s + "' (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
    }

    private static long[] longs(FileSource src, String where, String field, Object v, int count)
            throws CheckpointException {
        if (!(v instanceof List<?> list)) throw bad(src, where, "has no " + field + " array");
        if (count >= 0 && list.size() != count) throw bad(src, where, "has " + list.size() + " " + field + ", not " + count);
        if (list.size() > 64) throw bad(src, where, "has " + list.size() + " dimensions");
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw bad(src, where, "has " + field + " entry " + list.get(i) + " that is not a non-negative integer");
            }
            out[i] = l;
        }
        return out;
    }

    /** Used by detection: does the file start like a safetensors file? */
    static boolean looksLike(ByteBuffer head, long fileSize) {
        return fileSize >= 9 && head.limit() >= 9 && head.get(8) == '{';
    }
}
