package dev.avsal.train;

import dev.avsal.AudioWindow;
import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.FrameStream;
import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small annotated videos for trainer tests: a bright square moves across a dark frame; the density is a Gaussian on it;
 * the audio is a tone. {@link #opened} counts how often frames were requested (that is, how often the encoders ran).
 */
final class TinyVideos {
    static final AtomicInteger opened = new AtomicInteger();

    private TinyVideos() {}

    static List<AnnotatedVideo> make(int count, int frames, int size, long seed) {
        List<AnnotatedVideo> out = new ArrayList<>();
        for (int v = 0; v < count; v++) out.add(video("tiny_" + seed + "_" + v, frames, size, seed * 31 + v));
        return out;
    }

    static AnnotatedVideo video(String id, int frames, int size, long seed) {
        java.util.Random r = new java.util.Random(seed);
        int x0 = 16 + r.nextInt(size - 48), y0 = 16 + r.nextInt(size - 48), dx = r.nextInt(5) - 2, dy = r.nextInt(5) - 2;
        double hz = 300 + 400 * r.nextInt(4);
        return new AnnotatedVideo() {
            @Override public String id() { return id; }
            @Override public int frameCount() { return frames; }
            @Override public int width() { return size; }
            @Override public int height() { return size; }
            @Override public java.nio.file.Path source() { return java.nio.file.Path.of("memory:" + id); }
            @Override public double fps() { return 8; }
            @Override public boolean hasAudio() { return true; }

            @Override
            public FrameStream open(int h, int w) {
                java.util.Iterator<Frame> it = frames(h, w).iterator();
                return new FrameStream() {
                    @Override public Frame next() { return it.hasNext() ? it.next() : null; }
                    @Override public void close() {}
                };
            }

            int cx(int f) { return x0 + dx * f + 8; }
            int cy(int f) { return y0 + dy * f + 8; }

            List<Frame> frames(int h, int w) {
                opened.incrementAndGet();
                List<Frame> out = new ArrayList<>();
                for (int f = 0; f < frames; f++) {
                    byte[] rgb = new byte[w * h * 3];
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++) {
                            boolean on = Math.abs(x - cx(f)) < 8 && Math.abs(y - cy(f)) < 8;
                            for (int c = 0; c < 3; c++) rgb[3 * (y * w + x) + c] = (byte) (on ? 230 : 30 + c * 10);
                        }
                    float[] a = new float[AudioWindow.SAMPLES_2S];
                    for (int i = 0; i < a.length; i++) a[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * (i + f * 2000) / 16000.0));
                    out.add(Frame.of(new RgbImage(w, h, rgb), AudioWindow.of(a), f * 125_000L));
                }
                return out;
            }

            @Override
            public Map2D density(int f) {
                double[] d = new double[size * size];
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        d[y * size + x] = Math.exp(-((x - cx(f)) * (x - cx(f)) + (y - cy(f)) * (y - cy(f))) / 50.0);
                return new Map2D(size, size, d);
            }

            @Override
            public Fixations fixations(int f) {
                return Fixations.of(size, size, new int[] {cx(f), cx(f) + 2}, new int[] {cy(f), cy(f) - 1});
            }
        };
    }

    /** The video, except that reading its ground truth throws (a run interrupted at validation). */
    static AnnotatedVideo interrupting(AnnotatedVideo v) {
        return (AnnotatedVideo) Proxy.newProxyInstance(AnnotatedVideo.class.getClassLoader(), new Class<?>[] {AnnotatedVideo.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("density")) throw new IllegalStateException("interrupted");
                    try {
                        return method.invoke(v, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
