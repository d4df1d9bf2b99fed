package dev.avsal;

import dev.avsal.audio.ImageBindAudioPreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.LibTorch;
import dev.avsal.model.head.ConvGru;
import dev.avsal.model.head.CrossAttentionFusion;
import dev.avsal.model.head.GruState;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.model.head.SaliencyDecoder;
import dev.avsal.predict.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Milliseconds per frame of avsal-r-b16 streaming on the CPU (random weights: the timing does not depend on them),
 * at 224x224 and 224x384, split by stage. Not a unit test; run with {@code OMP_WAIT_POLICY=PASSIVE} on a quiet
 * machine:
 * <pre>java -cp avsal-core/target/classes:avsal-core/target/test-classes:DEPS dev.avsal.PredictorBench [frames] [framesPerWindow] [FP32|BF16]</pre>
 *
 * <p>End to end: a {@link SaliencySession} streams 640x360 frames (preprocessing resizes them, maps come back at
 * 640x360), with a new 2 s audio window every {@code framesPerWindow} frames (default 25: a 1 s hop at 25 fps).
 * Stage rows come from the session's {@link StageTimings}; the head is split into fusion, ConvGRU and decoder by
 * timing modules of the same shapes on the same inputs, and the audio branch is timed per window separately.
 * Medians are reported where a stage is timed per call.
 *
 * <p>Measured on the 2-core development machine (shared with other jobs, so runs vary by about 15 %), FP32, ms
 * per frame, best of four runs (224x224 / 224x384): preprocess 2.9 / 4.6, CLIP 234.9 / 385.8, audio branch
 * 296.5 / 276.8 per window (12 / 11 per frame at 1 window per 25 frames), fusion 9.9 / 13.5, ConvGRU 3.9 / 6.5,
 * decoder 18.7 / 22.1 (head in the pipeline 35.4 / 56.0), postprocess 1.1 / 1.2; end to end 273 / 447, with the
 * amortised audio 286 / 459. The other three runs gave 314–329 at 224x224 (CLIP alone 257–273). BF16 on this CPU:
 * 441 / 1014 (slower). Streamed and whole-clip maps of avsal-r-b16 differ by 1.2e-7.
 */
public final class PredictorBench {
    private static Precision precision;

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int perWindow = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        precision = args.length > 2 ? Precision.valueOf(args[2]) : Precision.FP32;
        LibTorch.load();
        System.out.printf("OMP_WAIT_POLICY=%s, %d LibTorch threads, %d cores, LibTorch %s, %s%n", System.getenv("OMP_WAIT_POLICY"),
                LibTorch.numThreads(), Runtime.getRuntime().availableProcessors(), LibTorch.version(), precision);
        long t0 = System.nanoTime();
        try (AvSalModel model = AvSalModel.random(AvSalConfig.B16, 1)) {
            System.out.printf("random avsal-r-b16 (%,d parameters) in %.1f s%n", model.parameterCounts().get("total"),
                    (System.nanoTime() - t0) / 1e9);
            List<String> rows = new ArrayList<>();
            List<double[]> cols = new ArrayList<>();
            for (int[] size : new int[][] {{224, 224}, {224, 384}}) cols.add(run(model, size[0], size[1], frames, perWindow, rows));
            // streaming = whole clip on the real structure too (random weights, 6 frames, 2 windows)
            try (AvSalPredictor p = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).optClipLength(6)
                    .optPrecision(precision).build(); SaliencySession s = p.open()) {
                List<Frame> v = PredictTesting.video(6, 320, 180, 3, 5);
                List<SaliencyMap> whole = p.predict(v), streamed = new ArrayList<>();
                for (Frame f : v) streamed.add(s.push(f));
                System.out.printf("avsal-r-b16 stream vs whole clip (6 frames, 224x224): max |diff| = %.3g%n",
                        PredictTesting.maxAbsDiff(whole, streamed));
            }
            System.out.printf("%n| stage (ms) | 224x224 | 224x384 |%n|---|---:|---:|%n");
            for (int r = 0; r < rows.size(); r++)
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", rows.get(r), cols.get(0)[r], cols.get(1)[r]);
        }
    }

    private static double[] run(AvSalModel model, int h, int w, int frames, int perWindow, List<String> rows) throws Exception {
        boolean names = rows.isEmpty();
        List<Double> v = new ArrayList<>();
        RgbImage[] images = new RgbImage[4];
        for (int i = 0; i < images.length; i++) images[i] = PredictTesting.image(640, 360, i, 1);
        try (AvSalPredictor p = AvSalPredictor.builder().setModel(model).optDevice(Device.CPU).optInputSize(h, w)
                .optPrecision(precision).build()) {
            int warm = 3;
            double[] frameMs = new double[frames];
            StageTimings st;
            try (SaliencySession s = p.open()) {
                for (int t = 0; t < warm + frames; t++) {
                    if (t == warm) p.resetTimings();
                    AudioWindow a = AudioWindow.keyed(t / perWindow, PredictTesting.window(t / perWindow, 1));
                    long a0 = System.nanoTime();
                    s.push(images[t % images.length], a, t * 40_000L);
                    if (t >= warm) frameMs[t - warm] = (System.nanoTime() - a0) / 1e6;
                }
                st = p.timings();
            }
            // the audio branch per window, with fbank (new windows each time; the session only met one)
            double[] audioMs = new double[5];
            try (SaliencySession s = p.open()) {
                for (int i = 0; i < audioMs.length + 1; i++) {
                    p.resetTimings();
                    s.push(images[0], AudioWindow.of(PredictTesting.window(100 + i, 2)), i);
                    if (i > 0) audioMs[i - 1] = p.timings().audio() / 1e6;
                }
            }
            double fbank = median(5, () -> {
                long a0 = System.nanoTime();
                new ImageBindAudioPreprocessor().melspec(PredictTesting.window(3, 3));
                return System.nanoTime() - a0;
            });
            double[] head = headStages(model.config().head(), h / 16, w / 16);
            add(rows, v, names, "preprocess (640x360 RGB -> CHW floats)", st.msPerFrame(st.preprocess()));
            add(rows, v, names, "CLIP ViT-B/16 (taps 3/6/9/12)", st.msPerFrame(st.clip()));
            add(rows, v, names, "audio per window: fbank", fbank);
            add(rows, v, names, "audio per window: fbank + ImageBind audio branch", median(audioMs));
            add(rows, v, names, "audio per frame (1 window / " + perWindow + " frames)", median(audioMs) / perWindow);
            add(rows, v, names, "head: fusion (4 levels)", head[0]);
            add(rows, v, names, "head: ConvGRU step", head[1]);
            add(rows, v, names, "head: decoder", head[2]);
            add(rows, v, names, "head in the pipeline (incl. checks, sigmoid)", st.msPerFrame(st.head()));
            add(rows, v, names, "postprocess (copy out, resize map to 640x360)", st.msPerFrame(st.postprocess()));
            add(rows, v, names, "end to end per frame, median (" + frames + " frames, 1 window / " + perWindow + ")", median(frameMs));
            add(rows, v, names, "end to end per frame + amortised audio", st.msPerFrame(st.total()) + median(audioMs) / perWindow);
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Median ms of the fusion (4 levels), one ConvGRU step (with a state) and the decoder, at the given grid. */
    private static double[] headStages(HeadConfig c, int gh, int gw) {
        try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode();
             CrossAttentionFusion fusion = new CrossAttentionFusion(c.fusion()); ConvGru gru = new ConvGru(c.gru());
             SaliencyDecoder dec = new SaliencyDecoder(c.decoder()); GruState state = new GruState()) {
            long n = (long) gh * gw, d = c.dim();
            Tensor visual = torch.randn(1, n, c.fusion().visualWidth()), audio = torch.randn(1, 229, c.fusion().audioWidth());
            Tensor level = torch.randn(1, d, gh, gw), h = torch.randn(1, d, gh, gw);
            List<Tensor> levels = List.of(level, level, level, level);
            double fuse = median(7, () -> time(() -> { for (int i = 0; i < 4; i++) fusion.forward(visual, audio); }));
            double step = median(7, () -> time(() -> gru.step(level, h)));
            double decode = median(7, () -> time(() -> dec.forward(levels, gh * 16L, gw * 16L)));
            return new double[] {fuse, step, decode};
        }
    }

    private static long time(Runnable r) {
        try (PointerScope s = new PointerScope()) {
            long a = System.nanoTime();
            r.run();
            return System.nanoTime() - a;
        }
    }

    private static void add(List<String> rows, List<Double> v, boolean names, String row, double ms) {
        if (names) rows.add(row);
        v.add(ms);
    }

    private static double median(int n, LongSupplier nanos) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = nanos.getAsLong() / 1e6;
        return median(x);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
