package dev.avsal.model;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU time per frame of ClipVisionEncoder ViT-B/16 (random weights, batch 1, taps 3/6/9/12) at 224x224 and
 * 224x384. Not a unit test; run with {@code OMP_WAIT_POLICY=PASSIVE} in the environment:
 * <pre>java -cp avsal-core/target/classes:avsal-core/target/test-classes:DEPS dev.avsal.model.ClipBenchmark [frames] [threads]</pre>
 */
public final class ClipBenchmark {
    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (args.length > 1) LibTorch.setNumThreads(Integer.parseInt(args[1]));
        LibTorch.load();
        System.out.printf("OMP_WAIT_POLICY=%s, threads=%d, LibTorch %s%n", System.getenv("OMP_WAIT_POLICY"),
                LibTorch.numThreads(), LibTorch.version());
        try (ClipVisionEncoder enc = ClipVisionEncoder.createRandom(ClipVisionConfig.preset("ViT-B/16").config(), 1)) {
            for (int[] size : new int[][] {{224, 224}, {224, 384}}) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = torch.randn(1, 3, size[0], size[1]);
                    for (int i = 0; i < 3; i++) enc.forward(x).close(); // warm-up (and the interpolated grid)
                    double[] ms = new double[frames];
                    for (int i = 0; i < frames; i++) {
                        long t0 = System.nanoTime();
                        enc.forward(x).close();
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    System.out.printf("ViT-B/16 %dx%d: median %.1f ms/frame, min %.1f, mean %.1f (%d frames)%n",
                            size[0], size[1], sorted[frames / 2], sorted[0], Arrays.stream(ms).average().orElse(0),
                            frames);
                }
            }
        }
    }
}
