package dev.avsal.examples.bench;

import dev.avsal.checkpoint.ArrayTensor;
import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checkpoint benchmarks: safetensors load time against a plain read of the same bytes, and the bytes a lazy load of
 * the audio keys reads from a large ImageBind-shaped {@code .pth}. Files are written to a scratch folder and deleted.
 */
public final class CheckpointBench {
    private CheckpointBench() {}

    /** One row of the table. */
    public record Row(String what, String value, String note) {}

    public static List<Row> run(Path scratch, int visionDecoyBlocks) throws IOException, CheckpointException {
        List<Row> rows = new ArrayList<>();
        Files.createDirectories(scratch);
        Path st = scratch.resolve("vit-b16-blocks.safetensors");
        Path pth = scratch.resolve("imagebind-shaped.pth");
        try {
            safetensors(st, rows);
            lazyPth(pth, visionDecoyBlocks, rows);
        } finally {
            Files.deleteIfExists(st);
            Files.deleteIfExists(pth);
        }
        return rows;
    }

    /** ViT-B/16 transformer weights (12 blocks, 85 M floats, 340 MB) in one safetensors file. */
    private static void safetensors(Path file, List<Row> rows) throws IOException, CheckpointException {
        Map<String, ArrayTensor> tensors = new LinkedHashMap<>();
        for (int b = 0; b < 12; b++) {
            String p = "visual.transformer.resblocks." + b + ".";
            tensors.put(p + "attn.in_proj_weight", random(p + "attn.in_proj_weight", 2304, 768));
            tensors.put(p + "attn.out_proj.weight", random(p + "attn.out_proj.weight", 768, 768));
            tensors.put(p + "mlp.c_fc.weight", random(p + "mlp.c_fc.weight", 3072, 768));
            tensors.put(p + "mlp.c_proj.weight", random(p + "mlp.c_proj.weight", 768, 3072));
        }
        SafetensorsWriter.write(file, tensors, Map.of());
        tensors.clear();
        long size = Files.size(file);
        double plain = Double.MAX_VALUE, load = Double.MAX_VALUE;
        for (int rep = 0; rep < 4; rep++) { // first round warms the page cache; best of the rest
            long t0 = System.nanoTime();
            byte[] all = Files.readAllBytes(file); // the plain read: every byte of the file into the heap
            long t1 = System.nanoTime();
            if (all.length != size) throw new IllegalStateException("short read");
            long floats = 0;
            try (Checkpoint c = Checkpoints.open(file)) {
                for (String name : c.tensorNames()) floats += c.tensor(name).toFloatArray().length;
            }
            long t2 = System.nanoTime();
            if (rep > 0) {
                plain = Math.min(plain, (t1 - t0) / 1e6);
                load = Math.min(load, (t2 - t1) / 1e6);
            }
            if (floats * 4 > size) throw new IllegalStateException("read more floats than the file holds");
        }
        rows.add(new Row("safetensors file", mb(size), "ViT-B/16 block weights, fp32"));
        rows.add(new Row("plain read of the file (ms)", String.format("%.0f", plain), "Files.readAllBytes, warm cache"));
        rows.add(new Row("Checkpoints.open + toFloatArray (ms)", String.format("%.0f", load),
                String.format("%.2fx the plain read (goal <= 2x)", load / plain)));
    }

    /** ImageBind-huge audio keys at their real shapes behind vision-shaped decoys; load only the audio keys. */
    private static void lazyPth(Path file, int decoyBlocks, List<Row> rows) throws IOException, CheckpointException {
        Map<String, long[]> shapes = TorchSaveWriter.concat(TorchSaveWriter.visionDecoyShapes(decoyBlocks),
                TorchSaveWriter.imageBindHugeAudioShapes());
        TorchSaveWriter.write(file, shapes, name -> randomBytes(TorchSaveWriter.numel(shapes.get(name))));
        long size = Files.size(file);
        long audioBytes = 0, read;
        long t0 = System.nanoTime();
        try (Checkpoint c = Checkpoints.open(file)) {
            for (String name : c.tensorNames()) {
                if (name.contains(".audio.")) audioBytes += 4L * c.tensor(name).toFloatArray().length;
            }
            read = Checkpoints.bytesRead(c);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        rows.add(new Row(".pth file (torch.save zip)", mb(size), decoyBlocks + " vision-shaped decoy blocks + "
                + "ImageBind-huge audio keys"));
        rows.add(new Row("tensor bytes read for the audio keys", mb(read), String.format(
                "audio tensors hold %s; %.1f%% of the file", mb(audioBytes), 100.0 * read / size)));
        rows.add(new Row("open + load audio keys (ms)", String.format("%.0f", ms), "warm cache"));
    }

    private static ArrayTensor random(String name, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() - 0.5);
        return ArrayTensor.ofFloats(name, new long[] {rows, cols}, v);
    }

    private static byte[] randomBytes(long floats) {
        byte[] b = new byte[Math.toIntExact(floats * 4)];
        new SplittableRandom(floats).nextBytes(b);
        for (int i = 3; i < b.length; i += 4) b[i] &= 0x3f; // keep the floats finite and small
        return b;
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
