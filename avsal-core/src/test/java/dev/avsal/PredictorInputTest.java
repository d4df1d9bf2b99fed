package dev.avsal;

import static dev.avsal.PredictTesting.image;
import static dev.avsal.PredictTesting.maxAbsDiff;
import static dev.avsal.PredictTesting.video;
import static dev.avsal.PredictTesting.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input ends in a typed exception that names the input and the problem, and leaves nothing behind. */
class PredictorInputTest {
    static AvSalModel model;
    static AvSalPredictor predictor;

    @BeforeAll
    static void setUp() throws AvSalException {
        model = AvSalModel.random("avsal-r-tiny", 3);
        predictor = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).build();
    }

    @AfterAll
    static void tearDown() {
        predictor.close();
        model.close();
    }

    private static void invalid(String expected, Executable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }

    private static Frame pre(float[] chw, int t) { return Frame.preprocessed(chw, AudioWindow.of(window(0, 1)), t); }

    @Test
    void emptyClips() {
        invalid("clip: no frames", () -> predictor.predict(List.of()));
        invalid("no clips", () -> predictor.predictBatch(List.of()));
        invalid("clip 1: no frames", () -> predictor.predictBatch(List.of(video(2, 64, 64, 1, 1), List.of())));
        invalid("video: no frames", () -> predictor.predict(List.<Frame>of(), m -> {}));
    }

    @Test
    void wrongFrameSizes() {
        invalid("frame 1: preprocessed frame has 100 values", () -> predictor.predict(List.of(pre(new float[3 * 112 * 112], 0), pre(new float[100], 1))));
        List<Frame> mixed = new ArrayList<>(video(3, 160, 120, 1, 1));
        mixed.add(Frame.of(image(120, 160, 3, 1), AudioWindow.of(window(0, 1)), 200_000));
        invalid("frame 3: frame is 120x160 but the video's frames are 160x120", () -> predictor.predict(mixed));
    }

    @Test
    void nonFiniteValues() {
        float[] nan = new float[3 * 112 * 112];
        nan[2 * 112 * 112 + 5] = Float.NaN;
        invalid("NaN or infinite value at index " + (2 * 112 * 112 + 5) + " (channel 2)", () -> predictor.predict(List.of(pre(nan, 0))));
        float[] audio = window(0, 1);
        audio[123] = Float.POSITIVE_INFINITY;
        invalid("NaN or infinite sample at index 123", () -> predictor.predict(List.of(Frame.of(image(64, 64, 0, 1), AudioWindow.of(audio), 0))));
    }

    @Test
    void badAudioWindows() {
        invalid("audio window has 399 samples", () -> predictor.predict(List.of(Frame.of(image(64, 64, 0, 1), AudioWindow.of(new float[399]), 0))));
        invalid("audio window has " + (AudioWindow.MAX_SAMPLES + 1), () -> predictor.predict(List.of(Frame.of(image(64, 64, 0, 1),
                AudioWindow.of(new float[AudioWindow.MAX_SAMPLES + 1]), 0))));
        invalid("audio window is null", () -> predictor.predict(List.of(Frame.of(image(64, 64, 0, 1), null, 0))));
        // a short window is fine (ImageBind pads it)
        try {
            predictor.predict(List.of(Frame.of(image(64, 64, 0, 1), AudioWindow.of(new float[400]), 0)));
        } catch (AvSalException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sessionRejectsBadFramesAndKeepsItsState() throws AvSalException {
        List<Frame> v = video(4, 160, 120, 2, 5);
        List<SaliencyMap> clean = predictor.predict(v);
        try (SaliencySession s = predictor.open()) {
            s.push(v.get(0));
            s.push(v.get(1));
            invalid("session frame 2: timestamp 0 us is before the previous frame's 40000 us",
                    () -> s.push(image(160, 120, 9, 5), AudioWindow.of(window(0, 5)), 0));
            invalid("session frame 2: frame is 80x60", () -> s.push(image(80, 60, 9, 5), AudioWindow.of(window(0, 5)), 90_000));
            invalid("session frame 2: audio window has", () -> s.push(image(160, 120, 9, 5), AudioWindow.of(new float[5]), 90_000));
            assertEquals(2, s.frameCount());
            // the rejected frames changed nothing: frames 2 and 3 come out as in the clean run
            assertTrue(maxAbsDiff(clean.get(2), s.push(v.get(2))) <= 1e-5);
            assertTrue(maxAbsDiff(clean.get(3), s.push(v.get(3))) <= 1e-5);
            s.reset(); // after a reset another size is fine
            assertEquals(80, s.push(image(80, 60, 0, 5), AudioWindow.of(window(0, 5)), 0).width());
        }
    }

    @Test
    void threadCount() throws AvSalException {
        List<Frame> v = video(3, 96, 96, 1, 8);
        List<SaliencyMap> reference = predictor.predict(v);
        int before = org.bytedeco.pytorch.global.torch.get_num_threads();
        try (AvSalPredictor one = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).optThreads(1).build()) {
            assertTrue(maxAbsDiff(reference, one.predict(v)) <= 1e-5);
            assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads(), "applied on the calling thread");
        } finally { // the setting is process-wide: put it back for the other tests
            try (AvSalPredictor back = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).optThreads(before).build()) {
                back.predict(v.subList(0, 1));
            }
        }
        assertEquals(before, org.bytedeco.pytorch.global.torch.get_num_threads());
    }

    @Test
    void builderChecks() throws AvSalException {
        assertThrows(IllegalStateException.class, () -> AvSalPredictor.builder().build());
        DeviceException fp16 = assertThrows(DeviceException.class, () -> AvSalPredictor.builder().setModel(model)
                .optDevice(Device.CPU).optPrecision(Precision.FP16).build());
        assertTrue(fp16.getMessage().contains("FP16 needs CUDA"), fp16.getMessage());
        if (!org.bytedeco.pytorch.global.torch.cuda_is_available()) {
            DeviceException cuda = assertThrows(DeviceException.class, () -> AvSalPredictor.builder().setModel(model)
                    .optDevice(Device.CUDA).build());
            assertTrue(cuda.getMessage().contains("device CUDA was requested but CUDA is not usable: this is the CPU build"),
                    cuda.getMessage());
            try (AvSalPredictor auto = AvSalPredictor.builder().setModel(model).build()) {
                assertEquals(Device.CPU, auto.device());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> AvSalPredictor.builder().optThreads(0));
        assertThrows(IllegalArgumentException.class, () -> AvSalPredictor.builder().optClipLength(0));
        assertThrows(IllegalArgumentException.class, () -> AvSalPredictor.builder().optPreset("avsal-r-huge"));
    }
}
