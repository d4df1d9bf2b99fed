package dev.avsal.examples;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.Checkpoints;
import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.ClipVisionEncoder;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Example: encode one image with a CLIP vision tower loaded from any official weight file (OpenAI {@code .pt},
 * HF or open_clip safetensors), printing the shapes of the hidden states after blocks 3/6/9/12 (or the tower's
 * default taps) and the first values of the projected embedding.
 *
 * <pre>java ... dev.avsal.examples.EncodeFrame ViT-B-16.pt frame.png</pre>
 */
public final class EncodeFrame {
    private EncodeFrame() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EncodeFrame WEIGHTS IMAGE");
            System.exit(2);
        }
        System.out.println(encode(Path.of(args[0]), Path.of(args[1])));
    }

    /** Returns a one-line description of the encoding; shows the whole call sequence a user needs. */
    public static String encode(Path weights, Path image) throws Exception {
        try (Checkpoint ckpt = Checkpoints.open(weights);
             ClipVisionEncoder clip = ClipVisionEncoder.load(ckpt)) {           // config inferred from the shapes
            int n = clip.config().imageSize();
            float[] chw = ClipImagePreprocessor.centerCrop(n).preprocess(RgbImage.read(image));
            try (PointerScope scope = new PointerScope()) {                      // frees every tensor made inside
                Tensor x = Tensor.create(chw, 1, 3, n, n);
                ClipVisionEncoder.Output out = clip.forward(x, clip.defaultTaps());
                StringBuilder s = new StringBuilder("taps " + Arrays.toString(out.taps()) + ":");
                for (Tensor h : out.hiddenStates()) s.append(' ').append(Arrays.toString(h.sizes().vec().get()));
                float[] e = new float[(int) out.embedding().numel()];
                out.embedding().contiguous().data_ptr_float().get(e);
                s.append("; embedding ").append(e.length).append(" values, first ")
                        .append(Arrays.toString(Arrays.copyOf(e, Math.min(4, e.length))));
                return s.toString();
            }
        }
    }
}
