package dev.avsal.io.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Dhf1kDatasetTest {
    static final Path SOURCE = Path.of("src/test/resources/video/sync_h264_aac44k_stereo.mp4"); // 75 frames, 160x96, 25 fps
    static final int GT_W = 30, GT_H = 20, FRAMES = 6;

    @TempDir Path root;

    /** Videos 1 (train), 650 (val), 800 (test, no annotations). Frame k: density value at (x, y) = x + 2y + k; fixations at (x=3+k, y=1) and (x=0, y=5+k). */
    void writeDataset() throws Exception {
        Files.createDirectories(root.resolve("video"));
        Files.copy(SOURCE, root.resolve("video/001.AVI"));
        Files.copy(SOURCE, root.resolve("video/650.AVI"));
        Files.copy(SOURCE, root.resolve("video/800.AVI"));
        for (String id : List.of("0001", "0650")) {
            Path maps = Files.createDirectories(root.resolve("annotation/" + id + "/maps"));
            Path fix = Files.createDirectories(root.resolve("annotation/" + id + "/fixation"));
            for (int k = 0; k < FRAMES; k++) {
                BufferedImage d = new BufferedImage(GT_W, GT_H, BufferedImage.TYPE_BYTE_GRAY);
                BufferedImage f = new BufferedImage(GT_W, GT_H, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < GT_H; y++)
                    for (int x = 0; x < GT_W; x++) d.getRaster().setSample(x, y, 0, x + 2 * y + k);
                f.getRaster().setSample(3 + k, 1, 0, 255);
                f.getRaster().setSample(0, 5 + k, 0, 255);
                ImageIO.write(d, "png", maps.resolve(String.format("%04d.png", k + 1)).toFile());
                ImageIO.write(f, "png", fix.resolve(String.format("%04d.png", k + 1)).toFile());
            }
        }
    }

    @Test
    void readsSplitsFramesDensitiesAndFixations() throws Exception {
        writeDataset();
        SaliencyDataset d = Datasets.open(root);
        assertInstanceOf(Dhf1kDataset.class, d);
        assertEquals("dhf1k", d.name());
        assertEquals(List.of("train", "val", "test"), d.splits());
        AnnotatedVideo v = d.videos("train").get(0);
        assertEquals("0001", v.id());
        assertEquals("0650", d.videos("val").get(0).id());
        assertEquals(FRAMES, v.frameCount());
        assertEquals(GT_W, v.width());
        assertEquals(GT_H, v.height());
        assertEquals(25.0, v.fps(), 1e-9);
        for (int k = 0; k < FRAMES; k++) {
            Map2D m = v.density(k);
            assertEquals(7 + 2 * 4 + k, m.get(7, 4), 0.0);
            assertEquals(29 + 2 * 19 + k, m.get(29, 19), 0.0);
            Fixations f = v.fixations(k);
            assertEquals(2, f.count());
            // row-major order: (x=3+k, y=1) comes first
            assertEquals(3 + k, f.x(0), "x is the column");
            assertEquals(1, f.y(0), "y is the row");
            assertEquals(0, f.x(1));
            assertEquals(5 + k, f.y(1));
        }
        int n = 0;
        try (FrameStream s = v.open(48, 64)) {
            for (Frame f; (f = s.next()) != null; n++) {
                assertEquals(64, f.image().width());
                assertEquals(48, f.image().height());
                assertEquals(n * 40_000L, f.timestampMicros());
                assertEquals(32_000, f.audio().samples().length);
            }
        }
        assertEquals(FRAMES, n, "only the annotated frames");

        AnnotatedVideo t = d.videos("test").get(0);
        assertEquals("0800", t.id());
        assertEquals(75, t.frameCount());
        assertEquals(160, t.width());
        assertNull(t.density(3));
        assertTrue(t.fixations(3).isEmpty());
        assertEquals(160, t.fixations(3).width());
        assertThrows(DatasetException.class, () -> t.density(75));
        assertSame(Dhf1kDataset.class, Datasets.open(root, "DHF1K").getClass());
    }

    @Test
    void badLayoutsNameTheFile() throws Exception {
        writeDataset();
        // a gap in the maps
        Files.delete(root.resolve("annotation/0001/maps/0003.png"));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("0001/maps") && e.getMessage().contains("map 3 is missing"), e.getMessage());
        Files.copy(root.resolve("annotation/0001/maps/0002.png"), root.resolve("annotation/0001/maps/0003.png"));

        // a missing fixation map, and one of another size
        Files.delete(root.resolve("annotation/0001/fixation/0002.png"));
        AnnotatedVideo v = Datasets.open(root).videos("train").get(0);
        e = assertThrows(DatasetException.class, () -> v.fixations(1));
        assertTrue(e.getMessage().contains("fixation/0002.png"), e.getMessage());
        ImageIO.write(new BufferedImage(5, 5, BufferedImage.TYPE_BYTE_GRAY), "png",
                root.resolve("annotation/0001/fixation/0002.png").toFile());
        e = assertThrows(DatasetException.class, () -> v.fixations(1));
        assertTrue(e.getMessage().contains("fixation/0002.png") && e.getMessage().contains("5x5"), e.getMessage());
        ImageIO.write(new BufferedImage(7, 3, BufferedImage.TYPE_BYTE_GRAY), "png",
                root.resolve("annotation/0001/maps/0004.png").toFile());
        e = assertThrows(DatasetException.class, () -> v.density(3));
        assertTrue(e.getMessage().contains("maps/0004.png") && e.getMessage().contains("7x3"), e.getMessage());

        // more maps than the video has frames
        for (int k = FRAMES + 1; k <= 80; k++)
            Files.copy(root.resolve("annotation/0001/maps/0001.png"), root.resolve(String.format("annotation/0001/maps/%04d.png", k)));
        AnnotatedVideo longer = Datasets.open(root).videos("train").get(0);
        e = assertThrows(DatasetException.class, () -> {
            try (FrameStream s = longer.open(24, 32)) {
                while (s.next() != null) { }
            }
        });
        assertTrue(e.getMessage().contains("001.AVI") && e.getMessage().contains("ends after 75 frames"), e.getMessage());

        // a train video without annotations; annotations without a video
        Files.copy(SOURCE, root.resolve("video/002.avi"));
        e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("002.avi") && e.getMessage().contains("without annotations"), e.getMessage());
        Files.delete(root.resolve("video/002.avi"));
        Files.delete(root.resolve("video/650.AVI"));
        e = assertThrows(DatasetException.class, () -> Datasets.open(root));
        assertTrue(e.getMessage().contains("0650") && e.getMessage().contains("no "), e.getMessage());
        Files.copy(SOURCE, root.resolve("video/1001.AVI"));
        e = assertThrows(DatasetException.class, () -> Dhf1kDataset.open(root));
        assertTrue(e.getMessage().contains("1001.AVI"), e.getMessage());
    }
}
