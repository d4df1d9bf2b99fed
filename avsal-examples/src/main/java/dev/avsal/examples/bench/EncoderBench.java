package dev.avsal.examples.bench;

import dev.avsal.audio.ImageBindAudioPreprocessor;
import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.model.ImageBindAudioConfig;
import dev.avsal.model.ImageBindAudioEncoder;
import dev.avsal.model.LibTorch;
import dev.avsal.predict.Autocast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU time per frame of the encoders at their real sizes (random weights: timing does not depend on the values):
 * CLIP ViT-B/16 at 224x224 and 224x384 (8 frames a call, as a predictor runs them), the ImageBind-huge audio branch
 * per 2 s window, each in float32 and under BF16 autocast (as {@code Precision.BF16} runs them), and the
 * preprocessing.
 */
public final class EncoderBench {
    /** Frames per CLIP call: a predictor runs a clip of frames per forward pass (8 by default). */
    private static final int CLIP_BATCH = 8;

    private EncoderBench() {}

    public static List<CheckpointBench.Row> run(int warmup, int reps) {
        LibTorch.load();
        List<CheckpointBench.Row> rows = new ArrayList<>();
        String threads = torch.get_num_threads() + " threads, OMP_WAIT_POLICY=" + System.getenv("OMP_WAIT_POLICY");
        try (ClipVisionEncoder clip = ClipVisionEncoder.createRandom(ClipVisionConfig.preset("ViT-B/16").config(), 1)) {
            for (int[] hw : new int[][] {{224, 224}, {224, 384}}) {
                for (boolean bf16 : new boolean[] {false, true}) {
                    double ms = median(warmup, reps, () -> {
                        try (PointerScope s = new PointerScope(); Autocast ac = bf16Autocast(bf16)) {
                            Tensor x = torch.randn(CLIP_BATCH, 3, hw[0], hw[1]);
                            clip.forward(x).close();
                        }
                    }) / CLIP_BATCH;
                    rows.add(new CheckpointBench.Row("CLIP ViT-B/16 " + hw[0] + "x" + hw[1] + (bf16 ? " BF16" : "")
                            + " (ms/frame)", String.format("%.0f", ms), threads + ", " + CLIP_BATCH + " frames a call"
                            + (hw[1] == 224 && !bf16 ? "; goal <= 300" : "")));
                }
            }
        }
        try (ImageBindAudioEncoder audio = ImageBindAudioEncoder.createRandom(ImageBindAudioConfig.HUGE, 2)) {
            for (boolean bf16 : new boolean[] {false, true}) {
                double ms = median(warmup, reps, () -> {
                    try (PointerScope s = new PointerScope(); Autocast ac = bf16Autocast(bf16)) {
                        audio.forward(torch.randn(1, 1, 1, 128, 204)).close();
                    }
                });
                rows.add(new CheckpointBench.Row("ImageBind-huge audio" + (bf16 ? " BF16" : "") + " (ms/2 s window)",
                        String.format("%.0f", ms), threads));
            }
        }
        rows.addAll(preprocessing(warmup, reps));
        return rows;
    }

    /** The pure-Java preprocessing rows only (fbank, CLIP resize): cheap, no LibTorch. */
    public static List<CheckpointBench.Row> preprocessing(int warmup, int reps) {
        List<CheckpointBench.Row> rows = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        float[] wave = new float[32000];
        for (int i = 0; i < wave.length; i++) wave[i] = (float) (0.3 * Math.sin(i * 0.17) + 0.05 * r.nextGaussian());
        ImageBindAudioPreprocessor melspec = new ImageBindAudioPreprocessor();
        double fbank = median(warmup * 5, reps * 5, () -> melspec.melspec(wave));
        rows.add(new CheckpointBench.Row("fbank + ImageBind normalisation (ms/window)", String.format("%.2f", fbank),
                "pure Java, 1 thread"));
        byte[] rgb = new byte[1920 * 1080 * 3];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) r.nextInt(256);
        RgbImage frame = new RgbImage(1920, 1080, rgb);
        for (ClipImagePreprocessor p : List.of(ClipImagePreprocessor.centerCrop(224),
                ClipImagePreprocessor.exactSize(224, 384))) {
            double ms = median(warmup * 3, reps * 3, () -> p.preprocess(frame));
            rows.add(new CheckpointBench.Row("CLIP preprocess 1920x1080 -> " + p.mode() + " (ms)",
                    String.format("%.1f", ms), "Pillow-exact bicubic, pure Java, 1 thread"));
        }
        return rows;
    }

    /** CPU autocast to bfloat16 as {@code Precision.BF16} runs it, or null for float32. */
    private static Autocast bf16Autocast(boolean on) {
        return on ? Autocast.enter(torch.DeviceType.CPU, torch.ScalarType.BFloat16) : null;
    }

    private static double median(int warmup, int reps, Runnable body) {
        for (int i = 0; i < warmup; i++) body.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
