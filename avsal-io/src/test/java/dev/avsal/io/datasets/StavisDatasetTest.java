package dev.avsal.io.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StavisDatasetTest {
    /** Written by GNU Octave (tools/make_mat_fixtures.m): eyeMap is 4x5 with ones at (x=3, y=1) and (x=0, y=3). */
    static final Path OCTAVE_MAT = Path.of("../avsal-core/src/test/resources/fixtures/mat/all_v7.mat");
    static final int W = 5, H = 4, FPS = 10, FRAMES = 25, WAV_RATE = 44_100;
    static final double WAV_SECONDS = 2.5, HZ = 440;

    @TempDir Path root;

    /**
     * AVAD with V1 (25 frames at 10 fps, a 2.5 s wav whose left channel is 0.6 sin(2 pi 440 t), right 0.2 sin: mono
     * mean 0.4 sin) in test fold 1 and V2 (3 frames, no wav) in train fold 1. Frame k: colour (20k, 100, 200), density
     * 50 + 5k everywhere, one fixation at (x = k mod 5, y = (k / 5) mod 4); frame 1 (k = 0) uses the Octave file
     * instead (two fixations).
     */
    void writeAvad() throws Exception {
        writeVideo("AVAD", "V1", FRAMES, true);
        writeVideo("AVAD", "V2", 3, false);
        Files.createDirectories(root.resolve("fold_lists"));
        Files.writeString(root.resolve("fold_lists/AVAD_list_test_1_fps.txt"), "V1 " + FRAMES + " " + FPS + "\n");
        Files.writeString(root.resolve("fold_lists/AVAD_list_train_1_fps.txt"), "V2 3 " + FPS + "\n\n");
    }

    void writeVideo(String set, String id, int frames, boolean wav) throws Exception {
        Path fr = Files.createDirectories(root.resolve("video_frames/" + set + "/" + id));
        Path ann = Files.createDirectories(root.resolve("annotations/" + set + "/" + id + "/maps"));
        for (int k = 0; k < frames; k++) {
            BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(20 * k % 256, 100, 200));
            g.fillRect(0, 0, 40, 30);
            g.dispose();
            ImageIO.write(img, "jpg", fr.resolve(String.format("img_%05d.jpg", k + 1)).toFile());
            BufferedImage d = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) d.getRaster().setSample(x, y, 0, 50 + 5 * k);
            ImageIO.write(d, "jpg", ann.resolve(String.format("eyeMap_%05d.jpg", k + 1)).toFile());
            Path mat = ann.getParent().resolve(String.format("fixMap_%05d.mat", k + 1));
            if (k == 0) Files.copy(OCTAVE_MAT, mat);
            else {
                double[] m = new double[W * H];
                m[((k / W) % H) * W + k % W] = 1;
                Files.write(mat, matV6("eyeMap", H, W, m));
            }
        }
        if (wav) {
            int n = (int) (WAV_RATE * WAV_SECONDS);
            Path a = Files.createDirectories(root.resolve("video_audio/" + set + "/" + id));
            Files.write(a.resolve(id + ".wav"), WavAudioTest.wav(WAV_RATE, 2, 16, 1, n,
                    i -> (i % 2 == 0 ? 0.6 : 0.2) * Math.sin(2 * Math.PI * HZ * (i / 2) / WAV_RATE)));
        }
    }

    /** A level-5 v6 MAT-file with one uncompressed rows x cols double matrix, from the format description. */
    static byte[] matV6(String name, int rows, int cols, double[] rowMajor) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 116; i++) h.put((byte) ' ');
        h.position(124);
        h.putShort((short) 0x0100).put((byte) 'I').put((byte) 'M');
        o.writeBytes(h.array());
        int nameLen = (name.length() + 7) & ~7, data = 8 * rows * cols;
        ByteBuffer m = ByteBuffer.allocate(16 + 16 + 8 + nameLen + 8 + data).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(6).putInt(8).putInt(6).putInt(0);                       // array flags: class double
        m.putInt(5).putInt(8).putInt(rows).putInt(cols);                 // dimensions
        m.putInt(1).putInt(name.length()).put(name.getBytes()).position(m.position() + nameLen - name.length());
        m.putInt(9).putInt(data);                                        // real part, column-major
        for (int c = 0; c < cols; c++) for (int r = 0; r < rows; r++) m.putDouble(rowMajor[r * cols + c]);
        o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(14).putInt(m.capacity()).array());
        o.writeBytes(m.array());
        return o.toByteArray();
    }

    @Test
    void readsSplitsGroundTruthFramesAndAudio() throws Exception {
        writeAvad();
        SaliencyDataset d = Datasets.open(root);
        assertEquals("stavis/AVAD", d.name());
        assertEquals(List.of("train_1", "test_1"), d.splits());
        AnnotatedVideo v = d.videos("test_1").get(0);
        assertEquals("V1", v.id());
        assertEquals(FRAMES, v.frameCount());
        assertEquals(10.0, v.fps());
        assertEquals(W, v.width());
        assertEquals(H, v.height());
        assertTrue(v.hasAudio());
        assertFalse(d.videos("train_1").get(0).hasAudio());

        Fixations f0 = v.fixations(0);                                  // the Octave file
        assertEquals(2, f0.count());
        assertEquals(3, f0.x(0));
        assertEquals(1, f0.y(0));
        assertEquals(0, f0.x(1));
        assertEquals(3, f0.y(1));
        for (int k = 1; k < FRAMES; k++) {
            Fixations f = v.fixations(k);
            assertEquals(1, f.count());
            assertEquals(k % W, f.x(0), "frame " + k + ": x is the column");
            assertEquals((k / W) % H, f.y(0), "frame " + k + ": y is the row");
            Map2D m = v.density(k);
            assertEquals(50 + 5 * k, m.get(2, 1), 1.0);                 // JPEG of a flat image
        }

        List<Frame> frames = new ArrayList<>();
        try (FrameStream s = v.open(15, 20)) {
            for (Frame f; (f = s.next()) != null; ) frames.add(f);
        }
        assertEquals(FRAMES, frames.size());
        for (int k = 0; k < FRAMES; k++) {
            Frame f = frames.get(k);
            assertEquals(20, f.image().width());
            assertEquals(15, f.image().height());
            assertEquals(20 * k % 256, f.image().get(10, 7, 0), 3.0, "frame " + k + " red");
            assertEquals(200, f.image().get(10, 7, 2), 3.0);
            assertEquals(k * 100_000L, f.timestampMicros());
            // VideoReader's default: the 2 s ending at the end of the frame's 1 s slot, keyed by its first sample
            long first = (k / 10 + 1) * 16_000L - 32_000;
            assertEquals(first, f.audio().key());
            float[] w = f.audio().samples();
            assertEquals(32_000, w.length);
            for (int i = 0; i < w.length; i += 37) {
                long t = first + i;                                     // absolute sample at 16 kHz
                double want = t < 0 || t >= 40_000 ? 0 : 0.4 * Math.sin(2 * Math.PI * HZ * t / 16_000);
                if (t >= 0 && t < 200 || t > 39_800 && t < 40_200) continue;   // the sinc rings at the track's ends
                assertEquals(want, w[i], 2e-3, "frame " + k + " sample " + t);
            }
        }
        assertSame(frames.get(0).audio(), frames.get(9).audio(), "one window per slot");
        assertNotSame(frames.get(9).audio(), frames.get(10).audio());

        try (FrameStream s = d.videos("train_1").get(0).open(15, 20)) {
            Frame f = s.next();
            for (float x : f.audio().samples()) assertEquals(0f, x);  // no wav: silence
        }
    }

    @Test
    void setsAliasesAndDiemsFixedSplit() throws Exception {
        writeAvad();
        writeVideo("DIEM", "clip_a", 2, false);
        Files.writeString(root.resolve("fold_lists/DIEM_list_test_fps.txt"), "clip_a 2 30\n");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("[AVAD, DIEM]") && e.getMessage().contains("stavis/SET"), e.getMessage());
        SaliencyDataset diem = Datasets.open(root, "stavis/diem");
        assertEquals("stavis/DIEM", diem.name());
        assertEquals(List.of("test"), diem.splits());
        assertEquals(30.0, diem.videos("test").get(0).fps());
        assertEquals("stavis/AVAD", Datasets.open(root, "STAVIS/avad").name());
        e = assertThrows(DatasetException.class, () -> Datasets.open(root, "stavis/coutrot1"));
        assertTrue(e.getMessage().contains("Coutrot_db1_list_test_1_fps.txt"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(root, "stavis/holly"));
        assertTrue(e.getMessage().contains("unknown STAViS set 'holly'"), e.getMessage());
    }

    @Test
    void badInputNamesTheFile() throws Exception {
        writeAvad();
        Path list = root.resolve("fold_lists/AVAD_list_train_1_fps.txt");
        Files.writeString(list, "V2 3 10\nV3 three 10\n");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("AVAD_list_train_1_fps.txt: line 2"), e.getMessage());
        Files.writeString(list, "V9 3 10\n");
        e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("video_frames/AVAD/V9") && e.getMessage().contains("missing"), e.getMessage());
        Files.writeString(list, "V1 20 10\n");
        e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("another list"), e.getMessage());
        Files.writeString(list, "V2 3 10\n");

        Path v1 = root.resolve("annotations/AVAD/V1");
        Files.write(v1.resolve("fixMap_00002.mat"), matV6("other", H, W, new double[W * H]));
        Files.write(v1.resolve("fixMap_00003.mat"), matV6("eyeMap", 2, 2, new double[4]));
        Files.copy(OCTAVE_MAT, v1.resolve("fixMap_00004.mat"), StandardCopyOption.REPLACE_EXISTING);
        byte[] cut = Files.readAllBytes(OCTAVE_MAT);
        Files.write(v1.resolve("fixMap_00004.mat"), java.util.Arrays.copyOf(cut, cut.length / 2));
        Files.delete(v1.resolve("fixMap_00005.mat"));
        AnnotatedVideo v = Datasets.open(root).videos("test_1").get(0);
        String[][] cases = {{"1", "fixMap_00002.mat", "no variable 'eyeMap'"}, {"2", "fixMap_00003.mat", "2x2"},
                {"3", "fixMap_00004.mat", "truncated"}, {"4", "fixMap_00005.mat", "no such file"}};
        for (String[] c : cases) {
            e = assertThrows(DatasetException.class, () -> v.fixations(Integer.parseInt(c[0])));
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
        }
        assertThrows(DatasetException.class, () -> v.fixations(FRAMES));

        Files.delete(root.resolve("video_frames/AVAD/V1/img_00003.jpg"));
        e = assertThrows(DatasetException.class, () -> {
            try (FrameStream s = v.open(15, 20)) {
                while (s.next() != null) { }
            }
        });
        assertTrue(e.getMessage().contains("img_00003.jpg"), e.getMessage());
        Path wav = root.resolve("video_audio/AVAD/V1/V1.wav");
        byte[] w = Files.readAllBytes(wav);
        Files.write(wav, java.util.Arrays.copyOf(w, w.length / 2));
        e = assertThrows(DatasetException.class, () -> v.open(15, 20));
        assertTrue(e.getMessage().contains("V1.wav") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void windowsArePlacedAsVideoReaderPlacesThem() throws Exception {
        try (dev.avsal.io.VideoReader r = dev.avsal.io.VideoReader.builder()
                .setFile(Path.of("src/test/resources/video/sync_h264_aac44k_stereo.mp4")).build()) {
            int n = 0;
            for (dev.avsal.io.VideoFrame f; (f = r.read()) != null; n++)
                assertEquals(f.audioStartSample(), StavisDataset.firstSample(f.ptsMicros(), r.audioWindowSamples(),
                        Math.round(r.audioHopSeconds() * r.audioSampleRate())), "frame " + n);
            assertEquals(75, n);
        }
    }
}
