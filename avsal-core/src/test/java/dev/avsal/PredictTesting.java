package dev.avsal;

import dev.avsal.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Synthetic videos for the predictor tests: moving shapes on noise, tones that change every few frames. */
final class PredictTesting {
    private PredictTesting() {}

    /** A frame: a bright disc at a position that moves with t, on seeded noise. */
    static RgbImage image(int w, int h, int t, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 1000 + t);
        byte[] rgb = new byte[w * h * 3];
        double cx = w * (0.2 + 0.6 * ((t * 7) % 20) / 20.0), cy = h * (0.3 + 0.4 * ((t * 3) % 10) / 10.0), rad = h / 6.0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad;
                for (int c = 0; c < 3; c++)
                    rgb[(y * w + x) * 3 + c] = (byte) (in ? 200 + r.nextInt(56) : r.nextInt(90) + 30 * c);
            }
        return new RgbImage(w, h, rgb);
    }

    /** 2 s of 16 kHz audio: a tone whose pitch depends on the window index, plus seeded noise. */
    static float[] window(int index, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919 + index);
        float[] s = new float[AudioWindow.SAMPLES_2S];
        double f = 220 + 110 * index;
        for (int i = 0; i < s.length; i++) s[i] = (float) (0.3 * Math.sin(2 * Math.PI * f * i / 16000.0) + 0.05 * (r.nextDouble() - 0.5));
        return s;
    }

    /** A video of {@code n} frames at 25 fps; the audio window changes every {@code framesPerWindow} frames. */
    static List<Frame> video(int n, int w, int h, int framesPerWindow, long seed) {
        List<Frame> out = new ArrayList<>(n);
        float[] current = null;
        for (int t = 0; t < n; t++) {
            if (t % framesPerWindow == 0) current = window(t / framesPerWindow, seed);
            out.add(Frame.of(image(w, h, t, seed), AudioWindow.of(current), t * 40_000L));
        }
        return out;
    }

    static double maxAbsDiff(SaliencyMap a, SaliencyMap b) {
        if (a.width() != b.width() || a.height() != b.height())
            throw new AssertionError("sizes differ: " + a + " vs " + b);
        float[] x = a.values(), y = b.values();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
        return m;
    }

    static double maxAbsDiff(List<SaliencyMap> a, List<SaliencyMap> b) {
        if (a.size() != b.size()) throw new AssertionError("lengths differ: " + a.size() + " vs " + b.size());
        double m = 0;
        for (int i = 0; i < a.size(); i++) m = Math.max(m, maxAbsDiff(a.get(i), b.get(i)));
        return m;
    }
}
