package dev.avsal.data;

import dev.avsal.AudioWindow;
import dev.avsal.Frame;
import dev.avsal.image.PilResize;
import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset held in memory (generated data, tests): videos given as frames, audio windows, densities and
 * fixations. Immutable and thread-safe.
 */
public final class InMemoryDataset implements SaliencyDataset {
    private final String name;
    private final Map<String, List<AnnotatedVideo>> splits;

    /** @param splits split name to its videos (insertion order kept) */
    public InMemoryDataset(String name, Map<String, List<AnnotatedVideo>> splits) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("dataset name is empty");
        if (splits == null || splits.isEmpty()) throw new IllegalArgumentException("dataset '" + name + "' has no splits");
        this.name = name;
        Map<String, List<AnnotatedVideo>> copy = new LinkedHashMap<>();
        splits.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.splits = java.util.Collections.unmodifiableMap(copy);
    }

    @Override public String name() { return name; }
    @Override public Path root() { return Path.of("memory:" + name); }
    @Override public List<String> splits() { return List.copyOf(splits.keySet()); }

    @Override
    public List<AnnotatedVideo> videos(String split) throws DatasetException {
        List<AnnotatedVideo> v = splits.get(split);
        if (v == null) throw unknownSplit(split);
        return v;
    }

    /**
     * A video from its parts (all lists of equal length, one entry per frame; a density may be null).
     *
     * @param audio one window per frame; windows that are the same object or have equal keys are encoded once
     */
    public static AnnotatedVideo video(String id, double fps, List<RgbImage> frames, List<AudioWindow> audio,
                                       List<Map2D> densities, List<Fixations> fixations) {
        int n = frames.size();
        if (n == 0) throw new IllegalArgumentException("video '" + id + "' has no frames");
        if (audio.size() != n || densities.size() != n || fixations.size() != n)
            throw new IllegalArgumentException("video '" + id + "': " + n + " frames but " + audio.size() + " audio windows, "
                    + densities.size() + " densities, " + fixations.size() + " fixation sets");
        if (!(fps > 0)) throw new IllegalArgumentException("video '" + id + "': fps must be positive, got " + fps);
        Fixations f0 = fixations.get(0);
        for (int i = 0; i < n; i++) {
            Map2D d = densities.get(i);
            Fixations f = fixations.get(i);
            if (f == null || f.width() != f0.width() || f.height() != f0.height()
                    || d != null && (d.width() != f0.width() || d.height() != f0.height()))
                throw new IllegalArgumentException("video '" + id + "' frame " + i + ": ground truth is not "
                        + f0.width() + "x" + f0.height());
        }
        List<RgbImage> fr = List.copyOf(frames);
        List<AudioWindow> au = List.copyOf(audio);
        List<Map2D> de = new ArrayList<>(densities);
        List<Fixations> fx = List.copyOf(fixations);
        boolean sound = au.stream().anyMatch(w -> { for (float s : w.samples()) if (s != 0) return true; return false; });
        return new AnnotatedVideo() {
            @Override public String id() { return id; }
            @Override public Path source() { return Path.of("memory:" + id); }
            @Override public double fps() { return fps; }
            @Override public int frameCount() { return n; }
            @Override public int width() { return f0.width(); }
            @Override public int height() { return f0.height(); }
            @Override public boolean hasAudio() { return sound; }
            @Override public Map2D density(int frame) throws DatasetException { checkFrame(frame); return de.get(frame); }
            @Override public Fixations fixations(int frame) throws DatasetException { checkFrame(frame); return fx.get(frame); }

            @Override
            public FrameStream open(int height, int width) {
                return new FrameStream() {
                    int next;
                    @Override public Frame next() {
                        if (next >= n) return null;
                        RgbImage img = fr.get(next);
                        if (img.width() != width || img.height() != height) img = PilResize.resize(img, width, height);
                        Frame f = Frame.of(img, au.get(next), Math.round(next * 1e6 / fps));
                        next++;
                        return f;
                    }
                    @Override public void close() { next = n; }
                };
            }

            @Override public String toString() { return "InMemoryVideo[" + id + ", " + n + " frames]"; }
        };
    }

    @Override public String toString() { return "InMemoryDataset[" + name + ", splits " + splits.keySet() + "]"; }
}
