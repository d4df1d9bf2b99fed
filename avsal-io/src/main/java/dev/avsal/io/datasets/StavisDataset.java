package dev.avsal.io.datasets;

import dev.avsal.AudioWindow;
import dev.avsal.AvSalException;
import dev.avsal.Frame;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.DatasetException;
import dev.avsal.data.FrameStream;
import dev.avsal.data.MatFile;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.image.PilResize;
import dev.avsal.image.RgbImage;
import dev.avsal.io.VideoReader;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One of the six audio-visual sets in the layout of the STAViS code (Tsiami et al., CVPR 2020, atsiami/STAViS),
 * which the field's audio-visual results use:
 * <pre>
 *   ROOT/video_frames/SET/VIDEO/img_NNNNN.jpg          frames, 5-digit numbers from 00001
 *   ROOT/video_audio/SET/VIDEO/VIDEO.wav               the audio track
 *   ROOT/annotations/SET/VIDEO/maps/eyeMap_NNNNN.jpg   ground-truth density per frame
 *   ROOT/annotations/SET/VIDEO/fixMap_NNNNN.mat        fixation map per frame: MAT variable {@code eyeMap}
 *                                                      (also looked for in maps/)
 *   ROOT/fold_lists/SET_list_{train,test}_{1,2,3}_fps.txt   the three folds: lines "VIDEO NFRAMES FPS"
 *   ROOT/fold_lists/DIEM_list_{train,test}_fps.txt     DIEM's one fixed split
 * </pre>
 * SET is one of {@link #SETS} (the folder names of the STAViS code; {@code coutrot1}, {@code coutrot2} and
 * {@code etmd} are accepted as aliases). The splits are named after the lists found: {@code train_1, test_1, ...} or,
 * for DIEM, {@code train, test}. A video's frame count and rate are its list entry's; frame k (0-based) is
 * {@code img_(k+1)}, shown at k / fps, and pairs with {@code eyeMap_(k+1)} and {@code fixMap_(k+1)}, as the STAViS
 * evaluation code pairs them. Fixations are the pixels where {@code eyeMap > 0} in row-major order, x = column,
 * y = row; the fixation map must have the density's size.
 *
 * <p>Audio: the wav is read whole (see {@link WavAudio}: mixed to mono, resampled to 16 kHz), and each frame gets the
 * window {@link VideoReader} gives by default: {@link AudioWindow#SAMPLES_2S} samples ending at the end of the
 * frame's {@value VideoReader#DEFAULT_AUDIO_HOP_SECONDS} s hop slot, zero outside the track, keyed by its first
 * sample (a {@code Long}), so the frames of one slot share one encoding. A video without its wav has silence and
 * {@link #hasAudio()} false (the STAViS training code skips such videos; we keep them so evaluation sees every listed
 * video: our choice). Frames are resized with {@link PilResize} (Pillow's antialiased bicubic) to the asked size.
 *
 * <p>Thread-safety: immutable after {@link #open}; ground truth and frames are read from disk on each call.
 */
public final class StavisDataset implements SaliencyDataset {
    /** The set folder names of the STAViS code. */
    public static final List<String> SETS = List.of("AVAD", "Coutrot_db1", "Coutrot_db2", "DIEM", "ETMD_av", "SumMe");
    private static final int RATE = 16_000;

    private final Path root;
    private final String set;
    private final Map<String, List<AnnotatedVideo>> splits;

    private StavisDataset(Path root, String set, Map<String, List<AnnotatedVideo>> splits) {
        this.root = root;
        this.set = set;
        this.splits = splits;
    }

    /** Whether {@code root} looks like a STAViS data folder. */
    static boolean isLayout(Path root) {
        return Files.isDirectory(root.resolve("video_frames")) && Files.isDirectory(root.resolve("annotations"))
                && Files.isDirectory(root.resolve("fold_lists"));
    }

    /**
     * Opens the set {@code set} (a name of {@link #SETS} or an alias, case-insensitive) of the STAViS data folder
     * {@code root}; with {@code set} null the folder must hold exactly one set. Reads the fold lists and checks that
     * each listed video has its frame and map folders; decodes nothing.
     */
    public static StavisDataset open(Path root, String set) throws DatasetException {
        if (!Files.isDirectory(root)) throw new DatasetException(root + ": not a folder");
        if (!isLayout(root))
            throw new DatasetException(root + ": not a STAViS layout (needs video_frames/, annotations/ and fold_lists/)");
        if (set == null) {
            List<String> present = new ArrayList<>();
            for (String s : SETS) if (Files.isDirectory(root.resolve("annotations").resolve(s))) present.add(s);
            if (present.size() != 1)
                throw new DatasetException(root + ": a STAViS folder with " + (present.isEmpty() ? "no known set"
                        : "the sets " + present) + "; open one with the layout stavis/SET (SET one of " + SETS + ")");
            set = present.get(0);
        }
        String name = canonical(root, set);
        Map<String, Path> lists = new LinkedHashMap<>();
        Path fl = root.resolve("fold_lists");
        for (String kind : List.of("train", "test")) {
            if (name.equals("DIEM")) lists.put(kind, fl.resolve("DIEM_list_" + kind + "_fps.txt"));
            else for (int k = 1; k <= 3; k++) lists.put(kind + "_" + k, fl.resolve(name + "_list_" + kind + "_" + k + "_fps.txt"));
        }
        lists.values().removeIf(p -> !Files.isRegularFile(p));
        if (lists.isEmpty()) throw new DatasetException(fl + ": no fold lists for " + name + " (expected "
                + (name.equals("DIEM") ? "DIEM_list_test_fps.txt" : name + "_list_test_1_fps.txt") + " and the like)");
        Map<String, Video> byName = new LinkedHashMap<>();
        Map<String, List<AnnotatedVideo>> splits = new LinkedHashMap<>();
        // order: train_1, test_1, train_2, ... reads better than all trains first
        List<String> order = new ArrayList<>(lists.keySet());
        order.sort(java.util.Comparator.comparing((String s) -> s.contains("_") ? s.substring(s.indexOf('_')) : "")
                .thenComparing(s -> s.startsWith("test")));
        for (String split : order) {
            List<AnnotatedVideo> vids = new ArrayList<>();
            for (Entry e : readList(lists.get(split))) {
                Video v = byName.get(e.name);
                if (v == null) {
                    v = Video.open(root, name, e);
                    byName.put(e.name, v);
                } else if (v.frames != e.frames || v.fps != e.fps) {
                    throw new DatasetException(lists.get(split) + ": line " + e.line + " gives '" + e.name + "' " + e.frames
                            + " frames at " + e.fps + " fps, another list " + v.frames + " at " + v.fps);
                }
                vids.add(v);
            }
            splits.put(split, List.copyOf(vids));
        }
        return new StavisDataset(root, name, java.util.Collections.unmodifiableMap(splits));
    }

    @Override public String name() { return "stavis/" + set; }
    @Override public Path root() { return root; }
    @Override public List<String> splits() { return List.copyOf(splits.keySet()); }

    /** The set's folder name, one of {@link #SETS}. */
    public String set() { return set; }

    @Override
    public List<AnnotatedVideo> videos(String split) throws DatasetException {
        List<AnnotatedVideo> v = splits.get(split);
        if (v == null) throw unknownSplit(split);
        return v;
    }

    @Override public String toString() { return "StavisDataset[" + root + ", " + set + "]"; }

    private static String canonical(Path root, String set) throws DatasetException {
        String s = set.toLowerCase(Locale.ROOT);
        for (String known : SETS) if (known.toLowerCase(Locale.ROOT).equals(s)) return known;
        return switch (s) {
            case "coutrot1" -> "Coutrot_db1";
            case "coutrot2" -> "Coutrot_db2";
            case "etmd" -> "ETMD_av";
            default -> throw new DatasetException(root + ": unknown STAViS set '" + set + "' (known: " + SETS
                    + "; aliases coutrot1, coutrot2, etmd)");
        };
    }

    private record Entry(String name, int frames, double fps, int line) {}

    private static List<Entry> readList(Path file) throws DatasetException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) continue;
            String[] w = l.split("\\s+");
            String bad = null;
            int frames = 0;
            double fps = 0;
            if (w.length < 3) bad = "expected 'VIDEO NFRAMES FPS'";
            else {
                try {
                    frames = Integer.parseInt(w[1]);
                    fps = Double.parseDouble(w[2]);
                } catch (NumberFormatException e) {
                    bad = "frame count or rate is not a number";
                }
                if (bad == null && (frames < 1 || !(fps > 0 && fps < 1000))) bad = "frame count " + frames + " or rate " + fps + " out of range";
                if (bad == null && (w[0].contains("/") || w[0].contains("\\") || w[0].startsWith(".")))
                    bad = "video name '" + w[0] + "' is not a plain folder name";
            }
            if (bad != null) throw new DatasetException(file + ": line " + (i + 1) + ": " + bad + ": '" + l + "'");
            out.add(new Entry(w[0], frames, fps, i + 1));
        }
        if (out.isEmpty()) throw new DatasetException(file + ": no videos listed");
        return out;
    }

    /** One listed video. */
    private static final class Video implements AnnotatedVideo {
        final String id;
        final int frames;
        final double fps;
        final Path frameDir, wav, annDir, mapDir;
        private final MapSize size;            // that of the first density

        private Video(String id, int frames, double fps, Path frameDir, Path wav, Path annDir) {
            this.id = id;
            this.frames = frames;
            this.fps = fps;
            this.frameDir = frameDir;
            this.wav = wav;
            this.annDir = annDir;
            this.mapDir = annDir.resolve("maps");
            this.size = new MapSize(eyeMap(0));
        }

        static Video open(Path root, String set, Entry e) throws DatasetException {
            Path frameDir = root.resolve("video_frames").resolve(set).resolve(e.name);
            Path annDir = root.resolve("annotations").resolve(set).resolve(e.name);
            for (Path d : new Path[] {frameDir, annDir.resolve("maps")})
                if (!Files.isDirectory(d)) throw new DatasetException(d + ": missing (video '" + e.name + "' of " + set + ")");
            Path wav = root.resolve("video_audio").resolve(set).resolve(e.name).resolve(e.name + ".wav");
            return new Video(e.name, e.frames, e.fps, frameDir, wav, annDir);
        }

        @Override public String id() { return id; }
        @Override public Path source() { return frameDir; }
        @Override public double fps() { return fps; }
        @Override public int frameCount() { return frames; }
        @Override public boolean hasAudio() { return Files.isRegularFile(wav); }
        @Override public int width() { return size.get()[0]; }
        @Override public int height() { return size.get()[1]; }
        @Override public String toString() { return "STAViS video " + id; }

        @Override
        public String fingerprint() {
            return Dhf1kDataset.fingerprint(frame(0), frame(frames - 1), eyeMap(0), eyeMap(frames - 1), wav);
        }

        Path frame(int k) { return frameDir.resolve(String.format("img_%05d.jpg", k + 1)); }
        Path eyeMap(int k) { return mapDir.resolve(String.format("eyeMap_%05d.jpg", k + 1)); }

        Path fixMap(int k) {
            String n = String.format("fixMap_%05d.mat", k + 1);
            Path p = annDir.resolve(n);
            return Files.isRegularFile(p) || !Files.isRegularFile(mapDir.resolve(n)) ? p : mapDir.resolve(n);
        }

        @Override
        public Map2D density(int frame) throws DatasetException {
            checkFrame(frame);
            Map2D m = FrameImages.grey(eyeMap(frame));
            size.check(eyeMap(frame), "the density", m);
            return m;
        }

        @Override
        public Fixations fixations(int frame) throws DatasetException {
            checkFrame(frame);
            Path f = fixMap(frame);
            Map2D mask = MatFile.readMap(f, "eyeMap");
            size.check(f, "eyeMap", mask);
            try {
                return Fixations.fromMask(mask);
            } catch (IllegalArgumentException e) {
                throw new DatasetException(f + ": " + e.getMessage(), e);
            }
        }

        @Override
        public FrameStream open(int height, int width) throws AvSalException {
            if (height <= 0 || width <= 0) throw new IllegalArgumentException("frame size " + width + "x" + height);
            float[] audio = hasAudio() ? track() : new float[0];
            int len = AudioWindow.SAMPLES_2S;
            long hop = Math.round(VideoReader.DEFAULT_AUDIO_HOP_SECONDS * RATE);
            return new FrameStream() {
                int n;
                long lastFirst = Long.MIN_VALUE;
                AudioWindow last;

                @Override public Frame next() throws AvSalException {
                    if (n >= frames) return null;
                    Path p = frame(n);
                    RgbImage img;
                    try {
                        img = RgbImage.read(p);
                    } catch (IOException e) {
                        throw new DatasetException(e.getMessage(), e);   // RgbImage names the file
                    }
                    if (img.width() != width || img.height() != height) img = PilResize.resize(img, width, height);
                    long pts = Math.round(n * 1e6 / fps);
                    long first = firstSample(pts, len, hop);
                    if (first != lastFirst) {                  // one window object per hop slot
                        float[] w = new float[len];
                        long from = Math.max(0, first), to = Math.min(audio.length, first + len);
                        if (to > from) System.arraycopy(audio, (int) from, w, (int) (from - first), (int) (to - from));
                        last = AudioWindow.keyed(first, w);
                        lastFirst = first;
                    }
                    n++;
                    return Frame.of(img, last, pts);
                }

                @Override public void close() { n = frames; }
            };
        }

        private float[] track() throws DatasetException {
            WavAudio.Mono m = WavAudio.read(wav);
            return WavAudio.resample(m.samples(), m.rate(), RATE);
        }
    }

    /**
     * First sample of the window of a frame at {@code ptsMicros}: VideoReader's default placement (2 s ending at the
     * end of the frame's hop slot), computed the same way.
     */
    static long firstSample(long ptsMicros, int length, long hop) {
        long at = Math.round(ptsMicros * (double) RATE / 1e6);
        if (hop > 0) at = (Math.floorDiv(at, hop) + 1) * hop;
        return at - length;
    }
}
