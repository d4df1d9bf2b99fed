package dev.avsal.examples.bench;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a float32 state dict in PyTorch's {@code torch.save} zip layout (an OrderedDict of tensors rebuilt by
 * {@code torch._utils._rebuild_tensor_v2}), streaming one storage at a time. Benchmarks use it to make large
 * checkpoints shaped like the official ones without keeping them in memory; tests check it against the reader.
 */
public final class TorchSaveWriter {
    private TorchSaveWriter() {}

    /** Writes {@code shapes} (name → shape) with values from {@code values} (name → float32 little-endian bytes). */
    public static void write(Path file, Map<String, long[]> shapes, Function<String, byte[]> values) throws IOException {
        String folder = "archive";
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
            zip.setLevel(0);
            stored(zip, folder + "/data.pkl", pickle(shapes));
            stored(zip, folder + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int key = 0;
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                byte[] data = values.apply(e.getKey());
                long numel = numel(e.getValue());
                if (data.length != numel * 4) {
                    throw new IllegalArgumentException(e.getKey() + ": " + data.length + " bytes for " + numel + " floats");
                }
                stored(zip, folder + "/data/" + key++, data);
            }
            stored(zip, folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** Protocol-2 pickle of OrderedDict{name: _rebuild_tensor_v2(persistent storage, 0, size, stride, False, {})}. */
    static byte[] pickle(Map<String, long[]> shapes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x80, 2});
        global(out, "collections", "OrderedDict");
        out.write(')'); // EMPTY_TUPLE
        out.write('R'); // REDUCE
        out.write('(');  // MARK
        int key = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long[] shape = e.getValue();
            unicode(out, e.getKey());
            global(out, "torch._utils", "_rebuild_tensor_v2");
            out.write('(');
            out.write('(');
            unicode(out, "storage");
            global(out, "torch", "FloatStorage");
            unicode(out, Integer.toString(key++));
            unicode(out, "cpu");
            integer(out, numel(shape));
            out.write('t');
            out.write('Q'); // BINPERSID
            integer(out, 0);
            out.write('(');
            for (long d : shape) integer(out, d);
            out.write('t');
            out.write('(');
            for (long s : strides(shape)) integer(out, s);
            out.write('t');
            out.write(0x89); // NEWFALSE: requires_grad
            global(out, "collections", "OrderedDict");
            out.write(')');
            out.write('R');
            out.write('t');
            out.write('R');
        }
        out.write('u'); // SETITEMS
        out.write('.');
        return out.toByteArray();
    }

    private static void global(ByteArrayOutputStream out, String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        writeIntLe(out, b.length);
        out.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream out, long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new IllegalArgumentException("too large: " + v);
        out.write('J'); // BININT
        writeIntLe(out, (int) v);
    }

    private static void writeIntLe(OutputStream out, int v) {
        try {
            out.write(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
        } catch (IOException e) {
            throw new AssertionError(e); // ByteArrayOutputStream does not throw
        }
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The ImageBind-huge audio keys and shapes (spec §2.2), in checkpoint order. */
    public static Map<String, long[]> imageBindHugeAudioShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        String pre = "modality_preprocessors.audio.";
        m.put(pre + "cls_token", new long[] {1, 1, 768});
        m.put(pre + "rgbt_stem.proj.weight", new long[] {768, 1, 16, 16});
        m.put(pre + "rgbt_stem.norm_layer.weight", new long[] {768});
        m.put(pre + "rgbt_stem.norm_layer.bias", new long[] {768});
        m.put(pre + "pos_embedding_helper.pos_embed", new long[] {1, 229, 768});
        for (int b = 0; b < 12; b++) {
            String p = "modality_trunks.audio.blocks." + b + ".";
            m.put(p + "attn.in_proj_weight", new long[] {2304, 768});
            m.put(p + "attn.in_proj_bias", new long[] {2304});
            m.put(p + "attn.bias_k", new long[] {1, 1, 768});
            m.put(p + "attn.bias_v", new long[] {1, 1, 768});
            m.put(p + "attn.out_proj.weight", new long[] {768, 768});
            m.put(p + "attn.out_proj.bias", new long[] {768});
            m.put(p + "norm_1.weight", new long[] {768});
            m.put(p + "norm_1.bias", new long[] {768});
            m.put(p + "mlp.fc1.weight", new long[] {3072, 768});
            m.put(p + "mlp.fc1.bias", new long[] {3072});
            m.put(p + "mlp.fc2.weight", new long[] {768, 3072});
            m.put(p + "mlp.fc2.bias", new long[] {768});
            m.put(p + "norm_2.weight", new long[] {768});
            m.put(p + "norm_2.bias", new long[] {768});
        }
        m.put("modality_heads.audio.0.weight", new long[] {768});
        m.put("modality_heads.audio.0.bias", new long[] {768});
        m.put("modality_heads.audio.2.weight", new long[] {1024, 768});
        return m;
    }

    /** Vision-trunk-shaped decoys (width 1280, MLP 5120) for {@code blocks} blocks: tensors no audio load may read. */
    public static Map<String, long[]> visionDecoyShapes(int blocks) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int b = 0; b < blocks; b++) {
            String p = "modality_trunks.vision.blocks." + b + ".";
            m.put(p + "attn.in_proj_weight", new long[] {3840, 1280});
            m.put(p + "attn.out_proj.weight", new long[] {1280, 1280});
            m.put(p + "mlp.fc1.weight", new long[] {5120, 1280});
            m.put(p + "mlp.fc2.weight", new long[] {1280, 5120});
        }
        return m;
    }

    /** Names in {@code a} then {@code b}, keeping order. */
    public static Map<String, long[]> concat(Map<String, long[]> a, Map<String, long[]> b) {
        Map<String, long[]> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    static List<String> names(Map<String, long[]> shapes) {
        return new ArrayList<>(shapes.keySet());
    }
}
