package dev.avsal.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.AudioWindow;
import dev.avsal.Frame;
import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryDatasetTest {
    @Test
    void framesAreResizedAndGroundTruthIndexed() throws Exception {
        RgbImage a = new RgbImage(4, 2, new byte[] {10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30,
                10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30});
        AudioWindow w = AudioWindow.of(new float[32_000]);
        Map2D d0 = Map2D.of(3, 1, 0, 1, 0), d1 = Map2D.of(3, 1, 1, 0, 0);
        Fixations f0 = Fixations.of(3, 1, new int[] {1}, new int[] {0}), f1 = Fixations.none(3, 1);
        AnnotatedVideo v = InMemoryDataset.video("clip", 8, List.of(a, a), List.of(w, w), List.of(d0, d1), List.of(f0, f1));
        InMemoryDataset ds = new InMemoryDataset("toy", Map.of("test", List.of(v)));
        assertEquals(List.of("test"), ds.splits());
        assertSame(v, ds.videos("test").get(0));
        assertEquals(3, v.width());
        assertFalse(v.hasAudio(), "all-zero windows are silence");
        assertEquals(d1, v.density(1));
        assertEquals(1, v.fixations(0).x(0));
        try (FrameStream s = v.open(4, 8)) {
            Frame f = s.next();
            assertEquals(8, f.image().width());
            assertEquals(4, f.image().height());
            assertEquals(30, f.image().get(5, 3, 2), "a constant image stays constant when resized");
            assertEquals(125_000, s.next().timestampMicros());
            assertNull(s.next());
        }
        DatasetException e = assertThrows(DatasetException.class, () -> v.density(2));
        assertTrue(e.getMessage().contains("frame 2 out of range"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> ds.videos("train"));
        assertTrue(e.getMessage().contains("no split 'train'") && e.getMessage().contains("test"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InMemoryDataset.video("bad", 8, List.of(a), List.of(w, w),
                List.of(d0), List.of(f0)));
    }
}
