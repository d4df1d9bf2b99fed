package dev.avsal.examples;

import dev.avsal.AudioWindow;
import dev.avsal.AvSalPredictor;
import dev.avsal.SaliencyMap;
import dev.avsal.SaliencySession;
import dev.avsal.StageTimings;
import dev.avsal.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Example: frames that arrive one by one (a camera, a game, a decoder of your own) pushed into a
 * {@link SaliencySession}, which keeps the model's temporal state between pushes and returns each frame's map at
 * once. The source here is generated: a bright square moving across a gray picture at 10 frames/s, and a
 * microphone-like stream of 16 kHz samples (a tone that gets louder).
 *
 * <p>The audio window: ImageBind hears 2 s. A live application only has the past, so this example cuts a new
 * window every second from the last 2 s it heard and hands the same {@link AudioWindow} object (one key) to every
 * frame until the next cut: the session encodes each window once. (For files, {@link dev.avsal.io.VideoReader}
 * does this for you, see its audio hop.)
 *
 * <pre>java ... dev.avsal.examples.StreamFrames [FRAMES]</pre>
 */
public final class StreamFrames {
    private StreamFrames() {}

    static final int W = 160, H = 96, FPS = 10, RATE = 16_000, WINDOW = 2 * RATE, HOP = RATE;

    /** What a run gives back: the maps, and the session's per-stage timings (frames, audio windows encoded). */
    public record Run(List<SaliencyMap> maps, StageTimings timings) {}

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 1).build()) {
            Run r = stream(p, frames);
            for (int i = 0; i < r.maps().size(); i += FPS) {
                SaliencyMap m = r.maps().get(i);
                System.out.printf("t=%.1f s  map %dx%d  min %.3f max %.3f%n", m.timestampMicros() / 1e6, m.width(),
                        m.height(), m.min(), m.max());
            }
            System.out.println(r.timings());
        }
    }

    /** The frame the "camera" delivers at index k. */
    public static RgbImage frame(int k) {
        byte[] rgb = new byte[W * H * 3];
        java.util.Arrays.fill(rgb, (byte) 90);
        int x0 = (k * 6) % (W - 24), y0 = H / 2 - 12;
        for (int y = y0; y < y0 + 24; y++)
            for (int x = x0; x < x0 + 24; x++)
                for (int c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = (byte) 250;
        return new RgbImage(W, H, rgb);
    }

    /** The "microphone": the samples heard during frame k (RATE / FPS of them). */
    static float[] samples(int k) {
        float[] s = new float[RATE / FPS];
        for (int i = 0; i < s.length; i++) {
            long n = (long) k * s.length + i;
            s[i] = (float) (Math.min(1.0, k / 30.0) * 0.4 * Math.sin(2 * Math.PI * 440 * n / RATE));
        }
        return s;
    }

    /** Streams {@code count} frames through one session and returns their maps. */
    public static Run stream(AvSalPredictor predictor, int count) throws Exception {
        float[] heard = new float[WINDOW]; // the last 2 s, oldest first (zeros before the start)
        long heardUpTo = 0;                 // samples heard so far
        AudioWindow window = null;
        List<SaliencyMap> maps = new ArrayList<>();
        try (SaliencySession session = predictor.open()) {
            for (int k = 0; k < count; k++) {
                // a new window every HOP samples (and at the start), keyed by its first sample
                if (window == null || heardUpTo % HOP == 0) window = AudioWindow.keyed(heardUpTo - WINDOW, heard.clone());
                long t = k * 1_000_000L / FPS;
                maps.add(session.push(frame(k), window, t));
                float[] s = samples(k);   // then the sound of this frame's duration arrives
                System.arraycopy(heard, s.length, heard, 0, WINDOW - s.length);
                System.arraycopy(s, 0, heard, WINDOW - s.length, s.length);
                heardUpTo += s.length;
            }
            return new Run(maps, session.timings());
        }
    }
}
