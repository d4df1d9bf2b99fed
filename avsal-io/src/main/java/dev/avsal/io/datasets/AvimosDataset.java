package dev.avsal.io.datasets;

import dev.avsal.AvSalException;
import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.io.VideoDecodeException;
import dev.avsal.io.VideoFrame;
import dev.avsal.io.VideoInfo;
import dev.avsal.io.VideoReader;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.util.Json;
import dev.avsal.util.JsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The AViMoS / AIM 2024 video saliency layout (also what {@code avsal demo}'s synthetic generator writes):
 * <pre>
 *   ROOT/videos/ID.mp4                     source video with its audio (.mp4, .mkv, .webm, .mov, .avi)
 *   ROOT/saliency/ID.mp4  or  ROOT/saliency/ID/NNN.png   ground-truth density: a grey video, or extracted frames
 *                                          (sorted by the integer in their names, as AIM's bench.py pairs them)
 *   ROOT/fixations/ID/fixations.json       a JSON array with one entry per frame, each an array of [row, column]
 *                                          pairs of 0-based pixel indices at the density's size
 *   ROOT/TrainTestSplit.json               optional: {"train": [ID...], "public_test": [...], ...}
 *   ROOT/splits/NAME.txt                   optional alternative: one ID per line
 * </pre>
 * The fixation pairs are read as row first, because AIM 2024's bench.py indexes {@code map[f[:, 0], f[:, 1]]}
 * (it zips the array with the sorted frame files, so the array form is the release's); pairs outside the map are an
 * error naming the file and frame. A second, keyed form is also accepted (our choice, for files written by earlier
 * versions of the synthetic generator): a JSON object {@code {"0": [[x, y], ...], "1": ...}} whose keys are 0-based
 * frame indices and whose pairs are <em>column first</em> ({@code [x, y]}); frames without a key have no fixations,
 * and the frame count is the largest key + 1. Without split files the only split is {@code all}.
 * A video is listed when it has a source video and a fixations file; its frame count is the length of the
 * fixations array. Densities are the mean of the decoded R, G, B (bench.py's {@code xrgb2gray}) as 0..255 values;
 * the metrics normalise them. A 10-bit ground-truth video is read through the 8-bit RGB decode path (our choice:
 * the metrics are invariant to the scale, and the rounding is below 0.2% of the range).
 *
 * <p>Thread-safety: immutable; each video's density decoder is synchronised and decodes forward, so reading the
 * frames in order (as training and evaluation do) decodes each ground-truth frame once.
 */
public final class AvimosDataset implements SaliencyDataset {
    static final List<String> VIDEO_EXTENSIONS = List.of(".mp4", ".mkv", ".webm", ".mov", ".avi");
    private final Path root;
    private final Map<String, List<String>> splits;
    private final Map<String, AnnotatedVideo> videos = new LinkedHashMap<>();

    private AvimosDataset(Path root, Map<String, List<String>> splits) {
        this.root = root;
        this.splits = splits;
    }

    /** Opens the dataset in {@code root}; reads the split lists, not the videos (they open on first use). */
    public static AvimosDataset open(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) throw new DatasetException(root + ": not a folder");
        Path vids = root.resolve("videos"), fix = root.resolve("fixations");
        if (!Files.isDirectory(vids) || !Files.isDirectory(fix))
            throw new DatasetException(root + ": not an AViMoS layout (needs videos/ and fixations/ folders)");
        List<String> ids = new ArrayList<>();
        try (Stream<Path> s = Files.list(fix)) {
            for (Path p : s.sorted().toList())
                if (Files.isRegularFile(p.resolve("fixations.json")) && findVideo(vids, p.getFileName().toString()) != null)
                    ids.add(p.getFileName().toString());
        } catch (IOException e) {
            throw new DatasetException(fix + ": cannot list: " + e.getMessage(), e);
        }
        if (ids.isEmpty()) throw new DatasetException(root + ": no video has both videos/ID.* and fixations/ID/fixations.json");
        Map<String, List<String>> splits = readSplits(root, ids);
        AvimosDataset d = new AvimosDataset(root, splits);
        for (String id : ids) d.videos.put(id, new Video(root, id, findVideo(vids, id)));
        return d;
    }

    @Override public String name() { return "avimos"; }
    @Override public Path root() { return root; }
    @Override public List<String> splits() { return List.copyOf(splits.keySet()); }

    @Override
    public List<AnnotatedVideo> videos(String split) throws DatasetException {
        List<String> ids = splits.get(split);
        if (ids == null) throw unknownSplit(split);
        List<AnnotatedVideo> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            AnnotatedVideo v = videos.get(id);
            if (v == null) throw new DatasetException(root + ": split '" + split + "' lists '" + id
                    + "', which has no source video or no fixations.json");
            out.add(v);
        }
        return out;
    }

    private static Path findVideo(Path dir, String id) {
        for (String ext : VIDEO_EXTENSIONS) {
            Path p = dir.resolve(id + ext);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static Map<String, List<String>> readSplits(Path root, List<String> ids) throws DatasetException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Path json = root.resolve("TrainTestSplit.json");
        if (Files.isRegularFile(json)) {
            try {
                if (!(Json.parse(json) instanceof Map<?, ?> m)) throw new DatasetException(json + ": not a JSON object");
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getValue() instanceof List<?> l)) throw new DatasetException(json + ": '" + e.getKey() + "' is not a list");
                    List<String> names = new ArrayList<>();
                    for (Object o : l) names.add(stripExtension(Path.of(String.valueOf(o)).getFileName().toString()));
                    out.put(String.valueOf(e.getKey()), names);
                }
            } catch (JsonException e) {
                throw new DatasetException(json + ": " + e.getMessage(), e);
            }
        }
        Path dir = root.resolve("splits");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList()) {
                    List<String> names = Files.readAllLines(p).stream().map(String::strip)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                    String n = p.getFileName().toString();
                    out.put(n.substring(0, n.length() - 4), names);
                }
            } catch (IOException e) {
                throw new DatasetException(dir + ": cannot read split lists: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) out.put("all", List.copyOf(ids));
        return out;
    }

    private static String stripExtension(String n) {
        for (String ext : VIDEO_EXTENSIONS) if (n.endsWith(ext)) return n.substring(0, n.length() - ext.length());
        return n;
    }

    /** One AViMoS video; ground truth is loaded lazily. */
    private static final class Video implements AnnotatedVideo {
        private final Path root, source, fixFile;
        private final String id;
        private List<int[][]> fixations;     // per frame {rows, cols}
        private GroundTruth truth;           // lazily probed
        private Density density;             // sequential decoder of the ground-truth maps

        Video(Path root, String id, Path source) {
            this.root = root;
            this.id = id;
            this.source = source;
            this.fixFile = root.resolve("fixations").resolve(id).resolve("fixations.json");
        }

        @Override public String id() { return id; }
        @Override public Path source() { return source; }
        @Override public double fps() { return sourceInfo().frameRate(); }
        @Override public boolean hasAudio() { return sourceInfo().hasAudio(); }
        @Override public String toString() { return "AViMoS video " + id; }

        @Override public int frameCount() {
            try {
                return fixations().size();
            } catch (DatasetException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        @Override public int width() { return truth().width; }
        @Override public int height() { return truth().height; }

        @Override
        public String fingerprint() {
            StringBuilder b = new StringBuilder();
            for (Path p : new Path[] {source, fixFile, truth().path}) {
                try {
                    b.append(Files.size(p)).append('-').append(Files.getLastModifiedTime(p).toMillis()).append(';');
                } catch (IOException e) {
                    b.append("?;");
                }
            }
            return Integer.toHexString(b.toString().hashCode());
        }

        private VideoInfo sourceInfo() {
            try {
                return VideoReader.probe(source);
            } catch (VideoDecodeException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private synchronized GroundTruth truth() {
            if (truth == null) {
                try {
                    truth = GroundTruth.find(root.resolve("saliency"), id);
                } catch (DatasetException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return truth;
        }

        /** Loads fixations.json (its errors as DatasetException, not through frameCount()) and checks the index. */
        private void checkLoaded(int frame) throws DatasetException {
            fixations();
            checkFrame(frame);
        }

        private synchronized List<int[][]> fixations() throws DatasetException {
            if (fixations == null) fixations = readFixations(fixFile);
            return fixations;
        }

        @Override
        public FrameStream open(int height, int width) throws AvSalException {
            checkLoaded(0);
            VideoReader r = VideoReader.builder().setFile(source).optTargetSize(width, height).build();
            int limit = frameCount();
            return new FrameStream() {
                int n;
                @Override public Frame next() throws AvSalException {
                    if (n >= limit) return null;
                    VideoFrame f = r.read();
                    if (f == null) throw new DatasetException(source + ": the video ends after " + n
                            + " frames but fixations.json has " + limit);
                    n++;
                    return f.toFrame();
                }
                @Override public void close() { r.close(); }
            };
        }

        @Override
        public Map2D density(int frame) throws DatasetException {
            checkLoaded(frame);
            GroundTruth t;
            try {
                t = truth();
            } catch (IllegalStateException e) {
                throw (DatasetException) e.getCause();
            }
            synchronized (this) {
                if (density == null) density = t.open();
                return density.get(frame);
            }
        }

        @Override
        public Fixations fixations(int frame) throws DatasetException {
            checkLoaded(frame);
            int[][] rc = fixations().get(frame);
            int w = width(), h = height();
            for (int i = 0; i < rc[0].length; i++)
                if (rc[0][i] < 0 || rc[0][i] >= h || rc[1][i] < 0 || rc[1][i] >= w)
                    throw new DatasetException(fixFile + ": frame " + frame + " has fixation [" + rc[0][i] + ", "
                            + rc[1][i] + "] (row, column) outside the " + w + "x" + h + " ground truth");
            return Fixations.of(w, h, rc[1], rc[0]);
        }
    }

    /** Parses fixations.json: an array per frame of [row, column] pairs, or the keyed [x, y] form (class comment). */
    static List<int[][]> readFixations(Path file) throws DatasetException {
        Object doc;
        try {
            doc = Json.parse(file);
        } catch (JsonException e) {
            throw new DatasetException(file + ": " + e.getMessage(), e);
        }
        boolean keyed = false;
        List<?> frames;
        if (doc instanceof Map<?, ?> m) {   // keyed form: {"frame": [[x, y], ...]}
            keyed = true;
            int n = 0;
            Map<Integer, Object> byIndex = new java.util.HashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                int k;
                try {
                    k = Integer.parseInt(String.valueOf(e.getKey()).strip());
                } catch (NumberFormatException ex) {
                    throw new DatasetException(file + ": key '" + e.getKey() + "' is not a 0-based frame index");
                }
                if (k < 0 || k > 10_000_000) throw new DatasetException(file + ": frame index " + k + " out of range");
                byIndex.put(k, e.getValue());
                n = Math.max(n, k + 1);
            }
            List<Object> list = new ArrayList<>(n);
            for (int k = 0; k < n; k++) list.add(byIndex.getOrDefault(k, List.of()));
            frames = list;
        } else if (doc instanceof List<?> l) {
            frames = l;
        } else {
            throw new DatasetException(file + ": expected a JSON array with one array of [row, column] pairs per frame"
                    + " (or an object of frame index -> [x, y] pairs)");
        }
        if (frames.isEmpty()) throw new DatasetException(file + ": no frames");
        List<int[][]> out = new ArrayList<>(frames.size());
        for (int f = 0; f < frames.size(); f++) {
            if (!(frames.get(f) instanceof List<?> pts)) throw new DatasetException(file + ": frame " + f + " is not an array");
            int[] rows = new int[pts.size()], cols = new int[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                if (!(pts.get(i) instanceof List<?> p) || p.size() != 2 || !(p.get(0) instanceof Number a)
                        || !(p.get(1) instanceof Number b))
                    throw new DatasetException(file + ": frame " + f + ", fixation " + i + " is not a [row, column] pair");
                double ra = a.doubleValue(), cb = b.doubleValue();
                if (ra != Math.rint(ra) || cb != Math.rint(cb) || Math.abs(ra) > 1e7 || Math.abs(cb) > 1e7)
                    throw new DatasetException(file + ": frame " + f + ", fixation " + i + " is not a pair of integer pixel indices");
                rows[i] = (int) (keyed ? cb : ra);
                cols[i] = (int) (keyed ? ra : cb);
            }
            out.add(new int[][] {rows, cols});
        }
        return out;
    }

    /** Where a video's ground-truth densities are: a grey video or a folder of frames. */
    private record GroundTruth(Path path, boolean folder, List<Path> frames, int width, int height) {
        static GroundTruth find(Path dir, String id) throws DatasetException {
            Path folder = dir.resolve(id);
            if (Files.isDirectory(folder)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(folder)) {
                    files = s.filter(p -> frameNumber(p) >= 0)
                            .sorted((a, b) -> Long.compare(frameNumber(a), frameNumber(b))).toList();
                } catch (IOException e) {
                    throw new DatasetException(folder + ": cannot list: " + e.getMessage(), e);
                }
                if (files.isEmpty()) throw new DatasetException(folder + ": no numbered .png/.jpg frames");
                Map2D first = FrameImages.grey(files.get(0));
                return new GroundTruth(folder, true, files, first.width(), first.height());
            }
            Path video = findVideo(dir, id);
            if (video == null) throw new DatasetException(dir + ": no ground-truth density for '" + id
                    + "' (expected saliency/" + id + ".mp4 or a folder saliency/" + id + "/)");
            try {
                VideoInfo info = VideoReader.probe(video);
                return new GroundTruth(video, false, List.of(), info.width(), info.height());
            } catch (VideoDecodeException e) {
                throw new DatasetException(video + ": " + e.getMessage(), e);
            }
        }

        Density open() {
            return folder ? new Density.Folder(frames) : new Density.Video(path);
        }

        private static long frameNumber(Path p) {
            String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            int dot = n.lastIndexOf('.');
            if (dot <= 0 || !(n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"))) return -1;
            String digits = n.substring(0, dot).replaceAll("\\D", "");
            return digits.isEmpty() || digits.length() > 17 ? -1 : Long.parseLong(digits);
        }
    }

    /** Sequential access to ground-truth density frames. */
    private interface Density {
        Map2D get(int frame) throws DatasetException;

        record Folder(List<Path> frames) implements Density {
            public Map2D get(int frame) throws DatasetException {
                if (frame >= frames.size()) throw new DatasetException(frames.get(0).getParent() + ": only "
                        + frames.size() + " density frames, frame " + frame + " asked for");
                return FrameImages.grey(frames.get(frame));
            }
        }

        /** Decodes forward; reopens only when asked for an earlier frame. */
        final class Video implements Density {
            private final Path file;
            private VideoReader reader;
            private int next;
            private Map2D last;

            Video(Path file) { this.file = file; }

            public Map2D get(int frame) throws DatasetException {
                if (last != null && frame == next - 1) return last;
                try {
                    if (reader == null || frame < next) {
                        if (reader != null) reader.close();
                        reader = VideoReader.builder().setFile(file).optAudio(false).build();
                        next = 0;
                    }
                    while (true) {
                        VideoFrame f = reader.read();
                        if (f == null) {
                            reader.close();
                            reader = null;
                            throw new DatasetException(file + ": the density video has " + next + " frames, frame "
                                    + frame + " asked for");
                        }
                        if (next++ == frame) return last = grey(f);
                    }
                } catch (VideoDecodeException e) {
                    throw new DatasetException(file + ": " + e.getMessage(), e);
                }
            }

            private static Map2D grey(VideoFrame f) {
                double[] d = new double[f.width() * f.height()];
                byte[] rgb = f.rgb();
                for (int i = 0; i < d.length; i++)
                    d[i] = ((rgb[3 * i] & 0xFF) + (rgb[3 * i + 1] & 0xFF) + (rgb[3 * i + 2] & 0xFF)) / 3.0;
                return new Map2D(f.width(), f.height(), d);
            }
        }
    }
}
