package dev.avsal.io.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.SaliencyVideoWriter;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvimosDatasetTest {
    static final Path SOURCE = Path.of("src/test/resources/video/sync_h264_aac44k_stereo.mp4"); // 75 frames, 160x96, 25 fps
    static final int GT_W = 40, GT_H = 24, FRAMES = 10;

    @TempDir Path root;

    /** v1: ground truth as PNG frames; v2: as a grey video. Frame k: peak at row 2+k, column 3+2k; one fixation there. */
    void writeDataset() throws Exception {
        Files.createDirectories(root.resolve("videos"));
        Files.copy(SOURCE, root.resolve("videos/v1.mp4"));
        Files.copy(SOURCE, root.resolve("videos/v2.mp4"));
        Path pngs = Files.createDirectories(root.resolve("saliency/v1"));
        try (SaliencyVideoWriter w = SaliencyVideoWriter.builder().setOutput(root.resolve("saliency/v2.mp4"))
                .setFrameRate(25).build()) {
            for (int k = 0; k < FRAMES; k++) {
                BufferedImage img = new BufferedImage(GT_W, GT_H, BufferedImage.TYPE_BYTE_GRAY);
                float[] map = new float[GT_W * GT_H];
                for (int y = 0; y < GT_H; y++)
                    for (int x = 0; x < GT_W; x++) {
                        double d2 = Math.pow(y - (2 + k), 2) + Math.pow(x - (3 + 2 * k), 2);
                        int v = (int) Math.round(255 * Math.exp(-d2 / 18));
                        img.getRaster().setSample(x, y, 0, v);
                        map[y * GT_W + x] = v / 255f;
                    }
                ImageIO.write(img, "png", pngs.resolve(String.format("%04d.png", k + 1)).toFile());
                w.write(map, GT_W, GT_H);
            }
        }
        StringBuilder json = new StringBuilder("[");
        for (int k = 0; k < FRAMES; k++) json.append(k == 0 ? "" : ",").append("[[").append(2 + k).append(",").append(3 + 2 * k).append("]]");
        json.append("]");
        for (String id : List.of("v1", "v2")) {
            Files.createDirectories(root.resolve("fixations/" + id));
            Files.writeString(root.resolve("fixations/" + id + "/fixations.json"), json);
        }
        Files.createDirectories(root.resolve("splits"));
        Files.writeString(root.resolve("splits/train.txt"), "v1\n");
        Files.writeString(root.resolve("splits/test.txt"), "# held out\nv2\n");
    }

    @Test
    void readsFramesGroundTruthAndSplits() throws Exception {
        writeDataset();
        SaliencyDataset d = Datasets.open(root);
        assertEquals("avimos", d.name());
        assertEquals(List.of("test", "train"), d.splits());
        AnnotatedVideo v1 = d.videos("train").get(0), v2 = d.videos("test").get(0);
        assertEquals("v1", v1.id());
        assertEquals(FRAMES, v1.frameCount());
        assertEquals(GT_W, v1.width());
        assertEquals(GT_H, v1.height());
        assertEquals(25.0, v1.fps(), 1e-9);
        assertTrue(v1.hasAudio());
        for (AnnotatedVideo v : List.of(v1, v2))
            for (int k : new int[] {0, 5, 3, 9}) {             // 3 after 5: the video decoder must reopen
                Map2D m = v.density(k);
                int arg = 0;
                for (int i = 1; i < m.size(); i++) if (m.data()[i] > m.data()[arg]) arg = i;
                assertEquals(2 + k, arg / GT_W, v.id() + " frame " + k + " peak row");
                assertEquals(3 + 2 * k, arg % GT_W, v.id() + " frame " + k + " peak column");
                if (v == v1) assertEquals(255, m.data()[arg], 0.0);         // PNG frames are exact
                Fixations f = v.fixations(k);
                assertEquals(1, f.count());
                assertEquals(3 + 2 * k, f.x(0), "column is x");
                assertEquals(2 + k, f.y(0), "row is y");
            }
        List<Frame> frames = new ArrayList<>();
        try (FrameStream s = v1.open(56, 64)) {
            for (Frame f; (f = s.next()) != null; ) frames.add(f);
        }
        assertEquals(FRAMES, frames.size(), "frames with ground truth only");
        assertEquals(64, frames.get(0).image().width());
        assertEquals(56, frames.get(0).image().height());
        assertEquals(32_000, frames.get(0).audio().samples().length);
        Set<Object> keys = new HashSet<>();
        for (Frame f : frames) keys.add(f.audio().key());
        assertTrue(keys.size() < FRAMES, "frames of one audio hop share a window: " + keys);
        assertEquals(400_000, frames.get(FRAMES - 1).timestampMicros() - frames.get(0).timestampMicros() + 40_000);
    }

    @Test
    void badInputNamesTheFile() throws Exception {
        writeDataset();
        Files.writeString(root.resolve("fixations/v1/fixations.json"), "[[[2, 3]], [[500, 1]]]");
        AnnotatedVideo v1 = Datasets.open(root).videos("train").get(0);
        DatasetException e = assertThrows(DatasetException.class, () -> v1.fixations(1));
        assertTrue(e.getMessage().contains("fixations.json") && e.getMessage().contains("outside"), e.getMessage());
        assertThrows(DatasetException.class, () -> v1.density(2), "frame index beyond the fixations");

        Files.writeString(root.resolve("fixations/v1/fixations.json"), "{\"0\": [[1, 2]]");
        e = assertThrows(DatasetException.class, () -> Datasets.open(root).videos("train").get(0).fixations(0));
        assertTrue(e.getMessage().contains("v1/fixations.json"), e.getMessage());

        Files.writeString(root.resolve("splits/train.txt"), "v1\nnope\n");
        e = assertThrows(DatasetException.class, () -> Datasets.open(root).videos("train"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(root).videos("val"));
        assertTrue(e.getMessage().contains("test, train"), e.getMessage());

        Files.delete(root.resolve("saliency/v2.mp4"));
        AnnotatedVideo v2 = Datasets.open(root).videos("test").get(0);
        e = assertThrows(DatasetException.class, () -> v2.density(0));
        assertTrue(e.getMessage().contains("no ground-truth density for 'v2'"), e.getMessage());

        e = assertThrows(DatasetException.class, () -> Datasets.open(root.resolve("saliency")));
        assertTrue(e.getMessage().contains("unknown dataset layout"), e.getMessage());
    }

    @Test
    void keyedFixationsAreColumnFirst() throws Exception {
        writeDataset();
        // frame 1 has no key: no fixations; pairs are [x, y]; the frame count is the largest key + 1
        Files.writeString(root.resolve("fixations/v1/fixations.json"), "{\"0\": [[7, 2], [1, 3]], \"2\": [[39, 23]]}");
        AnnotatedVideo v1 = Datasets.open(root).videos("train").get(0);
        assertEquals(3, v1.frameCount());
        Fixations f0 = v1.fixations(0);
        assertEquals(2, f0.count());
        assertEquals(7, f0.x(0));
        assertEquals(2, f0.y(0));
        assertEquals(1, f0.x(1));
        assertTrue(v1.fixations(1).isEmpty());
        assertEquals(39, v1.fixations(2).x(0));
        assertEquals(23, v1.fixations(2).y(0));
        Files.writeString(root.resolve("fixations/v1/fixations.json"), "{\"first\": [[7, 2]]}");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(root).videos("train").get(0).fixations(0));
        assertTrue(e.getMessage().contains("'first'"), e.getMessage());
    }

    @Test
    void trainTestSplitJsonAndNoSplits() throws Exception {
        writeDataset();
        Files.walk(root.resolve("splits")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertEquals(List.of("all"), Datasets.open(root).splits());
        assertEquals(2, Datasets.open(root).videos("all").size());
        Files.writeString(root.resolve("TrainTestSplit.json"), "{\"train\": [\"v1.mp4\"], \"public_test\": [\"v2\"]}");
        SaliencyDataset d = Datasets.open(root, "aim2024");
        assertEquals(List.of("train", "public_test"), d.splits());
        assertEquals("v2", d.videos("public_test").get(0).id());
    }
}
