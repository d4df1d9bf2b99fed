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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The DHF1K layout (Wang et al., CVPR 2018), as distributed:
 * <pre>
 *   ROOT/video/NNN.AVI                        the 1000 source videos, 3-digit numbers 001..1000 (any case of .avi;
 *                                            .mp4/.mkv/.webm/.mov also accepted)
 *   ROOT/annotation/NNNN/maps/NNNN.png       ground-truth density per frame (grey, 0..255), 4-digit numbers from 0001
 *   ROOT/annotation/NNNN/fixation/NNNN.png   binary fixation map per frame (fixated pixels &gt; 0)
 * </pre>
 * The splits are DHF1K's fixed ones by video number: {@code train} 1-600, {@code val} 601-700, {@code test}
 * 701-1000. Annotations of the test videos were never released: a test video without an {@code annotation} folder is
 * listed with no ground truth ({@link AnnotatedVideo#density} is null, {@link AnnotatedVideo#fixations} empty), its
 * frame count is the container's (or duration x rate) and its map size the video's; a test video with an annotation
 * folder is read like the others. A train or val video without its annotation folder, an annotation folder without
 * its video, a gap in the numbering of {@code maps/}, or a number outside 1..1000 is an error naming the file.
 *
 * <p>Frame k (0-based) of a video is the k-th decoded video frame and pairs with {@code maps/(k+1).png}; the frame
 * count of an annotated video is the number of maps. Fixations come from the fixation PNG in row-major order
 * ({@link Fixations#fromMask}), x = column, y = row; its size must equal the density's. DHF1K's videos have no audio
 * track, so frames normally carry silence (see {@link VideoReader}).
 *
 * <p>Thread-safety: immutable after {@link #open}; ground truth is read from disk on each call.
 */
public final class Dhf1kDataset implements SaliencyDataset {
    /** Last video number of the train, val and test splits. */
    public static final int TRAIN_LAST = 600, VAL_LAST = 700, TEST_LAST = 1000;
    private static final Pattern VIDEO = Pattern.compile("(\\d{1,4})\\.(avi|mp4|mkv|webm|mov)", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBERED_PNG = Pattern.compile("(\\d{1,6})\\.png", Pattern.CASE_INSENSITIVE);

    private final Path root;
    private final Map<String, List<AnnotatedVideo>> splits;

    private Dhf1kDataset(Path root, Map<String, List<AnnotatedVideo>> splits) {
        this.root = root;
        this.splits = splits;
    }

    /** Opens the dataset in {@code root}: lists the videos and their map files, decodes nothing. */
    public static Dhf1kDataset open(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) throw new DatasetException(root + ": not a folder");
        Path vids = root.resolve("video"), ann = root.resolve("annotation");
        if (!Files.isDirectory(vids) || !Files.isDirectory(ann))
            throw new DatasetException(root + ": not a DHF1K layout (needs video/ and annotation/ folders)");
        TreeMap<Integer, Path> videos = new TreeMap<>(), annotations = new TreeMap<>();
        for (Path p : list(vids)) {
            Matcher m = VIDEO.matcher(p.getFileName().toString());
            if (!m.matches() || !Files.isRegularFile(p)) continue;
            int n = number(p, m.group(1));
            Path old = videos.put(n, p);
            if (old != null) throw new DatasetException(p + ": video " + n + " twice (also " + old.getFileName() + ")");
        }
        for (Path p : list(ann)) {
            String name = p.getFileName().toString();
            if (Files.isDirectory(p) && name.matches("\\d{1,4}")) annotations.put(number(p, name), p);
        }
        if (videos.isEmpty()) throw new DatasetException(vids + ": no numbered videos (NNN.AVI)");
        for (Map.Entry<Integer, Path> a : annotations.entrySet())
            if (!videos.containsKey(a.getKey()))
                throw new DatasetException(a.getValue() + ": annotations of video " + a.getKey() + ", but there is no "
                        + vids.resolve(String.format("%03d.AVI", a.getKey())));
        Map<String, List<AnnotatedVideo>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "val", "test")) splits.put(s, new ArrayList<>());
        for (Map.Entry<Integer, Path> e : videos.entrySet()) {
            int n = e.getKey();
            Path a = annotations.get(n);
            String split = n <= TRAIN_LAST ? "train" : n <= VAL_LAST ? "val" : "test";
            if (a == null && n <= VAL_LAST)
                throw new DatasetException(e.getValue() + ": " + split + " video without annotations (expected "
                        + ann.resolve(String.format("%04d", n)).resolve("maps") + ")");
            splits.get(split).add(a == null ? new Unannotated(String.format("%04d", n), e.getValue())
                    : Annotated.open(String.format("%04d", n), e.getValue(), a));
        }
        splits.replaceAll((k, v) -> List.copyOf(v));
        return new Dhf1kDataset(root, java.util.Collections.unmodifiableMap(splits));
    }

    @Override public String name() { return "dhf1k"; }
    @Override public Path root() { return root; }
    @Override public List<String> splits() { return List.copyOf(splits.keySet()); }

    @Override
    public List<AnnotatedVideo> videos(String split) throws DatasetException {
        List<AnnotatedVideo> v = splits.get(split);
        if (v == null) throw unknownSplit(split);
        return v;
    }

    @Override public String toString() { return "Dhf1kDataset[" + root + "]"; }

    private static int number(Path p, String digits) throws DatasetException {
        int n = Integer.parseInt(digits);
        if (n < 1 || n > TEST_LAST) throw new DatasetException(p + ": DHF1K numbers its videos 1.." + TEST_LAST + ", not " + n);
        return n;
    }

    static List<Path> list(Path dir) throws DatasetException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    static String fingerprint(Path... files) {
        StringBuilder b = new StringBuilder();
        for (Path p : files) {
            try {
                b.append(Files.size(p)).append('-').append(Files.getLastModifiedTime(p).toMillis()).append(';');
            } catch (IOException e) {
                b.append("?;");
            }
        }
        return Integer.toHexString(b.toString().hashCode());
    }

    private static VideoInfo probe(Path source) {
        try {
            return VideoReader.probe(source);
        } catch (VideoDecodeException e) {
            throw new IllegalStateException(e.getMessage(), e);   // accessors without checked exceptions, as AViMoS
        }
    }

    /** Frames of the source video, at most {@code limit}; {@code exact}: fewer frames is an error. */
    private static FrameStream stream(Path source, int height, int width, int limit, boolean exact, String what)
            throws AvSalException {
        VideoReader r = VideoReader.builder().setFile(source).optTargetSize(width, height).build();
        return new FrameStream() {
            int n;
            @Override public Frame next() throws AvSalException {
                if (n >= limit) return null;
                VideoFrame f = r.read();
                if (f == null) {
                    if (!exact) { n = limit; return null; }
                    throw new DatasetException(source + ": the video ends after " + n + " frames but " + what + " has " + limit);
                }
                n++;
                return f.toFrame();
            }
            @Override public void close() { r.close(); }
        };
    }

    /** A video with maps and fixation maps. */
    private static final class Annotated implements AnnotatedVideo {
        private final String id;
        private final Path source, maps, fixation;
        private final List<String> names;      // map file names in frame order
        private final MapSize size;            // that of the first map

        private Annotated(String id, Path source, Path maps, Path fixation, List<String> names) {
            this.id = id;
            this.source = source;
            this.maps = maps;
            this.fixation = fixation;
            this.names = names;
            this.size = new MapSize(maps.resolve(names.get(0)));
        }

        static Annotated open(String id, Path source, Path dir) throws DatasetException {
            Path maps = dir.resolve("maps");
            if (!Files.isDirectory(maps)) throw new DatasetException(dir + ": no maps/ folder");
            TreeMap<Integer, String> byNumber = new TreeMap<>();
            for (Path p : list(maps)) {
                Matcher m = NUMBERED_PNG.matcher(p.getFileName().toString());
                if (m.matches()) byNumber.put(Integer.parseInt(m.group(1)), p.getFileName().toString());
            }
            if (byNumber.isEmpty()) throw new DatasetException(maps + ": no numbered .png maps");
            int expect = 1;
            for (int k : byNumber.keySet()) {
                if (k != expect) throw new DatasetException(maps + ": map " + expect + " is missing (the maps are numbered "
                        + byNumber.firstKey() + ".." + byNumber.lastKey() + " with gaps; frame k pairs with the k-th map)");
                expect++;
            }
            return new Annotated(id, source, maps, dir.resolve("fixation"), List.copyOf(byNumber.values()));
        }

        @Override public String id() { return id; }
        @Override public Path source() { return source; }
        @Override public double fps() { return probe(source).frameRate(); }
        @Override public boolean hasAudio() { return probe(source).hasAudio(); }
        @Override public int frameCount() { return names.size(); }
        @Override public int width() { return size.get()[0]; }
        @Override public int height() { return size.get()[1]; }
        @Override public String toString() { return "DHF1K video " + id; }

        @Override
        public String fingerprint() {
            return Dhf1kDataset.fingerprint(source, maps.resolve(names.get(0)), maps.resolve(names.get(names.size() - 1)));
        }

        /** Reads a map and checks its size against the first map's (so a fixation map need not reread its density). */
        private Map2D read(Path file, String what) throws DatasetException {
            size.checked();
            return size.check(file, what, FrameImages.grey(file));
        }

        @Override
        public FrameStream open(int height, int width) throws AvSalException {
            return stream(source, height, width, names.size(), true, maps + " (its maps)");
        }

        @Override
        public Map2D density(int frame) throws DatasetException {
            checkFrame(frame);
            return read(maps.resolve(names.get(frame)), "the density");
        }

        @Override
        public Fixations fixations(int frame) throws DatasetException {
            checkFrame(frame);
            return Fixations.fromMask(read(fixation.resolve(names.get(frame)), "the fixation map"));
        }
    }

    /** A test video without released annotations. */
    private record Unannotated(String id, Path source) implements AnnotatedVideo {
        @Override public double fps() { return probe(source).frameRate(); }
        @Override public boolean hasAudio() { return probe(source).hasAudio(); }
        @Override public int width() { return probe(source).width(); }
        @Override public int height() { return probe(source).height(); }
        @Override public String fingerprint() { return Dhf1kDataset.fingerprint(source); }
        @Override public Map2D density(int frame) throws DatasetException { checkFrame(frame); return null; }

        @Override
        public int frameCount() {
            long n = probe(source).frameCount();
            if (n <= 0 || n > Integer.MAX_VALUE)
                throw new IllegalStateException(source + ": the frame count is unknown (neither the container nor the duration gives it)");
            return (int) n;
        }

        @Override
        public Fixations fixations(int frame) throws DatasetException {
            checkFrame(frame);
            return Fixations.none(width(), height());
        }

        @Override
        public FrameStream open(int height, int width) throws AvSalException {
            return stream(source, height, width, frameCount(), false, "the container");
        }

        @Override public String toString() { return "DHF1K test video " + id + " (no annotations)"; }
    }
}
