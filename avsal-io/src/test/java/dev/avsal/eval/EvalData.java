package dev.avsal.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes small AViMoS-layout datasets for the evaluation tests (the layout of AvimosDatasetTest): video {@code vN}
 * (N from 1) copies the 160x96 test clip; its ground truth frame k is an 8-bit Gaussian blob at row
 * {@code 4+k+N}, column {@code 5+3k+N} on a {@value #W}x{@value #H} grid, with three fixations around the peak.
 */
final class EvalData {
    static final Path SOURCE = Path.of("src/test/resources/video/sync_h264_aac44k_stereo.mp4");
    static final int W = 40, H = 24;

    private EvalData() {}

    static int peakRow(int video, int k) { return 4 + k + video; }
    static int peakCol(int video, int k) { return 5 + 3 * k + video; }

    /** 0..255 ground-truth values of frame k of video n (what the PNG stores). */
    static int[] truth(int video, int k) {
        int[] v = new int[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double d2 = Math.pow(y - peakRow(video, k), 2) + Math.pow(x - peakCol(video, k), 2);
                v[y * W + x] = (int) Math.round(255 * Math.exp(-d2 / 18));
            }
        return v;
    }

    /** The fixations of frame k as {row, column} pairs. */
    static int[][] fixations(int video, int k) {
        int r = peakRow(video, k), c = peakCol(video, k);
        return new int[][] {{r, c}, {r + 1, c - 2}, {r - 2, c + 3}};
    }

    static void write(Path root, int videos, int frames) throws IOException {
        Files.createDirectories(root.resolve("videos"));
        for (int n = 1; n <= videos; n++) {
            String id = "v" + n;
            Files.copy(SOURCE, root.resolve("videos/" + id + ".mp4"));
            Path pngs = Files.createDirectories(root.resolve("saliency/" + id));
            StringBuilder json = new StringBuilder("[");
            for (int k = 0; k < frames; k++) {
                png8(pngs.resolve(String.format("%04d.png", k + 1)), truth(n, k));
                json.append(k == 0 ? "[" : ",[");
                int[][] f = fixations(n, k);
                for (int i = 0; i < f.length; i++) json.append(i == 0 ? "" : ",").append("[").append(f[i][0]).append(",").append(f[i][1]).append("]");
                json.append("]");
            }
            Files.createDirectories(root.resolve("fixations/" + id));
            Files.writeString(root.resolve("fixations/" + id + "/fixations.json"), json.append("]"));
        }
    }

    static void png8(Path file, int[] v) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < v.length; i++) img.getRaster().setSample(i % W, i / W, 0, v[i]);
        ImageIO.write(img, "png", file.toFile());
    }

    /** A little-endian C-order .npy of the given dtype ("f4", "f8", "u1"). */
    static void npy(Path file, String dtype, int[] shape, double[] data) throws IOException {
        StringBuilder s = new StringBuilder("{'descr': '" + (dtype.equals("u1") ? "|" : "<") + dtype
                + "', 'fortran_order': False, 'shape': (");
        for (int d : shape) s.append(d).append(", ");
        s.setLength(s.length() - 2);
        s.append("), }");
        while ((10 + s.length() + 1) % 64 != 0) s.append(' ');
        s.append('\n');
        int size = dtype.equals("f8") ? 8 : dtype.equals("f4") ? 4 : 1;
        ByteBuffer b = ByteBuffer.allocate(10 + s.length() + data.length * size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0)
                .putShort((short) s.length()).put(s.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (double d : data) {
            if (size == 8) b.putDouble(d);
            else if (size == 4) b.putFloat((float) d);
            else b.put((byte) d);
        }
        Files.write(file, b.array());
    }
}
