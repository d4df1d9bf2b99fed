package dev.avsal;

import static dev.avsal.PredictTesting.image;
import static dev.avsal.PredictTesting.maxAbsDiff;
import static dev.avsal.PredictTesting.video;
import static dev.avsal.PredictTesting.window;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AvSalPredictor and SaliencySession on avsal-r-tiny with random weights. */
class AvSalPredictorTest {
    static AvSalModel model;
    static AvSalPredictor predictor;

    @BeforeAll
    static void setUp() throws AvSalException {
        model = AvSalModel.random("avsal-r-tiny", 7);
        predictor = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).build();
    }

    @AfterAll
    static void tearDown() {
        predictor.close();
        model.close();
    }

    @Test
    void mapsHaveTheFrameSizeAndTimestamps() throws AvSalException {
        List<Frame> v = video(5, 160, 90, 2, 1);
        List<SaliencyMap> maps = predictor.predict(v);
        assertEquals(5, maps.size());
        for (int i = 0; i < 5; i++) {
            SaliencyMap m = maps.get(i);
            assertEquals(160, m.width());
            assertEquals(90, m.height());
            assertEquals(i * 40_000L, m.timestampMicros());
            assertTrue(m.min() > 0 && m.max() < 1, "sigmoid output in (0, 1): " + m);
            assertTrue(m.max() - m.min() > 1e-3, "map is not flat: " + m);
        }
    }

    @Test
    void mapsAtInputSizeAndPreprocessedFrames() throws AvSalException {
        try (AvSalPredictor p = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU)
                .optMapsAtSourceSize(false).build()) {
            List<Frame> v = video(3, 160, 90, 2, 1);
            List<SaliencyMap> maps = p.predict(v);
            for (SaliencyMap m : maps) assertEquals(List.of(112, 112), List.of(m.width(), m.height()));
            // the same frames preprocessed by hand give the same maps
            ClipImagePreprocessor pre = ClipImagePreprocessor.exactSize(112, 112);
            List<Frame> pv = new ArrayList<>();
            for (Frame f : v) pv.add(Frame.preprocessed(pre.preprocess(f.image()), f.audio(), f.timestampMicros()));
            assertEquals(0.0, maxAbsDiff(maps, p.predict(pv)));
            // and the source-size maps are these, resized bilinearly
            List<SaliencyMap> full = predictor.predict(v);
            assertEquals(0.0, maxAbsDiff(full.get(1), maps.get(1).resized(160, 90)), 1e-7);
        }
    }

    @Test
    void wideInputAndCenterCrop() throws AvSalException {
        try (AvSalPredictor wide = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU)
                .optInputSize(112, 192).optMapsAtSourceSize(false).build()) {
            SaliencyMap m = wide.predict(video(2, 320, 180, 2, 3)).get(1);
            assertEquals(List.of(192, 112), List.of(m.width(), m.height()));
        }
        try (AvSalPredictor crop = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU)
                .optResizeMode(ResizeMode.CENTER_CROP).build()) {
            List<Frame> v = video(2, 224, 112, 2, 3); // resized to 224x112 -> no resize, crop x in [56, 168)
            SaliencyMap m = crop.predict(v).get(1);
            assertEquals(List.of(224, 112), List.of(m.width(), m.height()));
            // outside the crop every column repeats the crop's edge column
            for (int y = 0; y < 112; y += 7) {
                assertEquals(m.get(56, y), m.get(0, y), 1e-7);
                assertEquals(m.get(167, y), m.get(223, y), 1e-7);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> AvSalPredictor.builder().setModel(model)
                .optDevice(Device.CPU).optResizeMode(ResizeMode.CENTER_CROP).optInputSize(112, 192).build());
        assertThrows(IllegalArgumentException.class, () -> AvSalPredictor.builder().setModel(model)
                .optDevice(Device.CPU).optInputSize(112, 100).build());
    }

    @Test
    void streamingEqualsWholeClip() throws AvSalException {
        List<Frame> v = video(20, 160, 120, 5, 2);
        List<SaliencyMap> whole = predictor.predict(v);
        List<SaliencyMap> streamed = new ArrayList<>();
        try (SaliencySession s = predictor.open()) {
            for (Frame f : v) streamed.add(s.push(f));
            assertEquals(4, s.timings().audioWindows(), "one audio encoding per window");
            assertEquals(20, s.timings().frames());
        }
        double d = maxAbsDiff(whole, streamed);
        System.out.printf("stream vs whole clip: max |diff| = %.3g%n", d);
        assertTrue(d <= 1e-5, "stream vs batch " + d);
        // chunking does not matter either
        for (int len : new int[] {1, 3, 32}) {
            try (AvSalPredictor p = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).optClipLength(len).build()) {
                assertTrue(maxAbsDiff(whole, p.predict(v)) <= 1e-5, "clip length " + len);
            }
        }
    }

    @Test
    void theGruStateCarriesAndResets() throws AvSalException {
        List<Frame> a = video(6, 160, 120, 3, 4), b = video(6, 160, 120, 3, 5);
        List<SaliencyMap> freshB = predictor.predict(b);
        try (SaliencySession s = predictor.open()) {
            for (Frame f : a) s.push(f);
            assertEquals(6, s.frameCount());
            // without a reset, video b continues a's state: its first map differs from a fresh start
            SaliencyMap carried = s.push(b.get(0).image(), b.get(0).audio(), 1_000_000);
            assertTrue(maxAbsDiff(carried, freshB.get(0)) > 1e-4, "state carried over");
            s.reset();
            assertTrue(s.isFresh());
            List<SaliencyMap> afterReset = new ArrayList<>();
            for (Frame f : b) afterReset.add(s.push(f));
            assertTrue(maxAbsDiff(freshB, afterReset) <= 1e-5, "reset = fresh session");
        }
        // the state matters within a video too: frame 3 alone differs from frame 3 after frames 0..2
        try (SaliencySession s = predictor.open()) {
            SaliencyMap alone = s.push(b.get(3));
            assertTrue(maxAbsDiff(alone, freshB.get(3)) > 1e-4);
        }
    }

    @Test
    void deterministic() throws AvSalException {
        List<Frame> v = video(4, 128, 96, 2, 6);
        List<SaliencyMap> first = predictor.predict(v);
        assertEquals(0.0, maxAbsDiff(first, predictor.predict(v)));
        try (AvSalModel twin = AvSalModel.random("avsal-r-tiny", 7);
             AvSalPredictor p = AvSalPredictor.builder().setModel(twin).optDevice(Device.CPU).build()) {
            assertEquals(0.0, maxAbsDiff(first, p.predict(v)), "same seed, same weights, same maps");
        }
        try (AvSalModel other = AvSalModel.random("avsal-r-tiny", 8);
             AvSalPredictor p = AvSalPredictor.builder().setModel(other).optDevice(Device.CPU).build()) {
            assertTrue(maxAbsDiff(first, p.predict(v)) > 1e-3, "another seed, other maps");
        }
    }

    @Test
    void batchEqualsSeparateClips() throws AvSalException {
        List<Frame> a = video(7, 160, 120, 3, 10), b = video(3, 96, 128, 1, 11), c = video(12, 160, 120, 4, 12);
        List<List<SaliencyMap>> batch = predictor.predictBatch(List.of(a, b, c));
        assertEquals(List.of(7, 3, 12), batch.stream().map(List::size).toList());
        assertTrue(maxAbsDiff(batch.get(0), predictor.predict(a)) <= 1e-5);
        assertTrue(maxAbsDiff(batch.get(1), predictor.predict(b)) <= 1e-5);
        assertTrue(maxAbsDiff(batch.get(2), predictor.predict(c)) <= 1e-5);
        assertEquals(96, batch.get(1).get(0).width());
        // more frames than one encoder pass takes: the clips are split over several passes
        List<List<Frame>> many = new ArrayList<>();
        for (int i = 0; i < 6; i++) many.add(video(9, 64, 48, 3, 30 + i));
        List<List<SaliencyMap>> big = predictor.predictBatch(many);
        for (int i = 0; i < 6; i++) assertTrue(maxAbsDiff(big.get(i), predictor.predict(many.get(i))) <= 1e-5, "clip " + i);
    }

    @Test
    void videoWithSinkEqualsList() throws AvSalException {
        List<Frame> v = video(11, 160, 120, 4, 13);
        List<SaliencyMap> got = new ArrayList<>();
        predictor.predict(v, got::add);
        assertTrue(maxAbsDiff(predictor.predict(v), got) <= 1e-5);
    }

    @Test
    void audioWindowsAreEncodedOncePerWindow() throws AvSalException {
        // one array refilled in place (a decoder's buffer): matched by content, so 3 windows, not 1
        float[] buffer = new float[AudioWindow.SAMPLES_2S];
        List<SaliencyMap> reused = new ArrayList<>(), copies = new ArrayList<>();
        try (SaliencySession s = predictor.open(); SaliencySession t = predictor.open()) {
            for (int i = 0; i < 9; i++) {
                System.arraycopy(window(i / 3, 20), 0, buffer, 0, buffer.length);
                RgbImage img = image(128, 96, i, 20);
                reused.add(s.push(img, AudioWindow.of(buffer), i));
                copies.add(t.push(img, AudioWindow.of(window(i / 3, 20)), i)); // a new, equal array every frame
            }
            assertEquals(3, s.timings().audioWindows());
            assertEquals(3, t.timings().audioWindows());
        }
        assertEquals(0.0, maxAbsDiff(reused, copies));
        // keyed windows: the key decides, the samples of later frames with that key are not read
        try (SaliencySession s = predictor.open(); SaliencySession t = predictor.open()) {
            SaliencyMap k0 = null, c0 = null;
            for (int i = 0; i < 4; i++) {
                RgbImage img = image(128, 96, i, 21);
                k0 = s.push(img, AudioWindow.keyed("w0", window(i, 21)), i);
                c0 = t.push(img, AudioWindow.of(window(0, 21)), i);
            }
            assertEquals(1, s.timings().audioWindows());
            assertEquals(0.0, maxAbsDiff(k0, c0));
        }
    }

    @Test
    void bf16IsCloseToFp32() throws AvSalException {
        List<Frame> v = video(4, 128, 96, 2, 14);
        List<SaliencyMap> fp32 = predictor.predict(v);
        try (AvSalPredictor p = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU)
                .optPrecision(Precision.BF16).build()) {
            double d = maxAbsDiff(fp32, p.predict(v));
            System.out.printf("bf16 vs fp32: max |diff| = %.3g%n", d);
            assertTrue(d > 0, "bf16 autocast actually ran");
            assertTrue(d < 0.02, "bf16 close to fp32: " + d);
        }
    }
}
