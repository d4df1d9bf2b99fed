package dev.avsal.model.head;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.CheckpointFormat;
import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test-only safetensors reader (F32/F64) for the head fixtures, until the shared reader of dev.avsal.checkpoint
 * (branch ckpt) is merged; then tests switch to Checkpoints.open and this class goes.
 */
final class TestSafetensors implements Checkpoint {
    private final Path file;
    private final Map<String, TensorData> tensors = new LinkedHashMap<>();
    private final Map<String, Object> metadata = new LinkedHashMap<>();

    private TestSafetensors(Path file) { this.file = file; }

    static TestSafetensors open(Path file) throws IOException {
        TestSafetensors st = new TestSafetensors(file);
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int hlen = (int) all.getLong(0);
        String header = new String(all.array(), 8, hlen, StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) new Json(header).value();
        for (Map.Entry<String, Object> e : h.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> v = (Map<String, Object>) e.getValue();
            if (e.getKey().equals("__metadata__")) {
                v.forEach((k, x) -> st.metadata.put("__metadata__." + k, x));
                continue;
            }
            DType dt = DType.valueOf((String) v.get("dtype"));
            List<?> shp = (List<?>) v.get("shape"), off = (List<?>) v.get("data_offsets");
            long[] shape = shp.stream().mapToLong(o -> ((Number) o).longValue()).toArray();
            int begin = 8 + hlen + ((Number) off.get(0)).intValue(), end = 8 + hlen + ((Number) off.get(1)).intValue();
            ByteBuffer bytes = all.duplicate().position(begin).limit(end).slice().order(ByteOrder.LITTLE_ENDIAN);
            st.tensors.put(e.getKey(), new Data(e.getKey(), dt, shape, bytes));
        }
        return st;
    }

    @Override public Path file() { return file; }
    @Override public CheckpointFormat format() { return CheckpointFormat.SAFETENSORS; }
    @Override public Set<String> tensorNames() { return tensors.keySet(); }
    @Override public Map<String, Object> metadata() { return metadata; }
    @Override public Checkpoint subtree(String prefix) { throw new UnsupportedOperationException(); }
    @Override public void close() {}

    @Override
    public TensorData tensor(String name) throws CheckpointException {
        TensorData t = tensors.get(name);
        if (t == null) throw new CheckpointException(file, "no tensor " + name);
        return t;
    }

    record Data(String name, DType dtype, long[] shapeRaw, ByteBuffer bytes) implements TensorData {
        @Override public long[] shape() { return shapeRaw.clone(); }
        @Override public long numel() { long n = 1; for (long s : shapeRaw) n *= s; return n; }
        @Override public float[] toFloatArray() {
            double[] d = toDoubleArray();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        @Override public double[] toDoubleArray() {
            double[] d = new double[(int) numel()];
            for (int i = 0; i < d.length; i++)
                d[i] = switch (dtype) {
                    case F32 -> bytes.getFloat(4 * i);
                    case F64 -> bytes.getDouble(8 * i);
                    default -> throw new UnsupportedOperationException(dtype.toString());
                };
            return d;
        }
        @Override public long[] toLongArray() { throw new UnsupportedOperationException(); }
        @Override public ByteBuffer toByteBuffer() { return bytes.asReadOnlyBuffer(); }
    }

    /** Minimal JSON (objects, arrays, strings with escapes, numbers, literals). */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) { this.s = s; }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = (String) value();
                    ws();
                    i++; // ':'
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (s.charAt(i) != '"') {
                    char x = s.charAt(i++);
                    if (x == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n' -> b.append('\n');
                            case 't' -> b.append('\t');
                            case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                            default -> b.append(e);
                        }
                    } else b.append(x);
                }
                i++;
                return b.toString();
            }
            for (String lit : new String[] {"true", "false", "null"})
                if (s.startsWith(lit, i)) { i += lit.length(); return lit.equals("null") ? null : Boolean.valueOf(lit); }
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Double.parseDouble(s.substring(st, i));
        }

        private void ws() { while (Character.isWhitespace(s.charAt(i))) i++; }
    }
}
