package dev.avsal.examples;

import dev.avsal.AvSalPredictor;
import dev.avsal.io.VideoSaliency;
import java.nio.file.Path;

/**
 * Example: a video file in, saliency maps (8-bit PNG) and a heatmap overlay video with the original sound out, plus
 * the per-video JSON summary. The whole job is one {@link VideoSaliency} call; the predictor is built once and
 * could serve many videos.
 *
 * <pre>java ... dev.avsal.examples.PredictVideo clip.mp4 out/ avsal-r-b16.safetensors
 * java ... dev.avsal.examples.PredictVideo clip.mp4 out/ random:avsal-r-tiny     (random weights: a smoke test)</pre>
 */
public final class PredictVideo {
    private PredictVideo() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PredictVideo VIDEO OUT_DIR (WEIGHTS.safetensors | random:PRESET)");
            System.exit(2);
        }
        VideoSaliency.Result r = predict(Path.of(args[0]), Path.of(args[1]), args[2]);
        System.out.printf("%d maps in %.1f s (I/O %.0f%% of it): %s%n", r.frames(), r.timings().totalSeconds(),
                100 * r.timings().ioShare(), r.outputs().values());
        r.warnings().forEach(w -> System.out.println("warning: " + w));
    }

    /** Predicts {@code video} into {@code outDir}; {@code weights} is a file or {@code random:PRESET}. */
    public static VideoSaliency.Result predict(Path video, Path outDir, String weights) throws Exception {
        AvSalPredictor.Builder b = AvSalPredictor.builder();
        if (weights.startsWith("random:")) b.setRandomWeights(weights.substring(7), 42);
        else b.setWeights(Path.of(weights));
        try (AvSalPredictor predictor = b.build()) {
            return VideoSaliency.builder()
                    .setInput(video)
                    .setPredictor(predictor)
                    .setOutputDir(outDir)
                    .optPng(true)                         // outDir/STEM_maps/frame_000000.png ...
                    .optOverlay(true)                     // outDir/STEM_overlay.mp4, with the source's audio
                    .optFrameRate(10)                     // predict 10 frames per second of video
                    .optProgress((done, expected, s) -> {
                        if (done % 10 == 0) System.err.printf("%d/%d frames%n", done, expected);
                    })
                    .build()
                    .run();                               // refuses to replace existing outputs (optOverwrite)
        }
    }
}
