package dev.avsal.eval;

import dev.avsal.AvSalException;
import dev.avsal.AvSalPredictor;
import dev.avsal.Frame;
import dev.avsal.SaliencyMap;
import dev.avsal.SaliencySession;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.FrameStream;
import dev.avsal.data.SaliencyDataset;
import dev.avsal.image.RgbImage;
import dev.avsal.metrics.CenterPrior;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Protocol;
import dev.avsal.metrics.Scorer;
import dev.avsal.metrics.Scores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Scores a dataset split with a {@link Scorer}: either an {@link AvSalPredictor} run on the videos (frames at the
 * predictor's input size, one {@link SaliencySession} per video, so the ConvGRU state never crosses videos), or
 * saved predictions. Every frame with ground truth is scored against its density and fixations; the prediction
 * is resized to the ground-truth grid by the protocol (MATLAB bicubic, or OpenCV bilinear for AIM 2024).
 *
 * <p>Saved predictions, for a video with id {@code ID} in folder {@code PRED} (first match wins):
 * <ul>
 *   <li>{@code PRED/ID/} or {@code PRED/ID_maps/} with one {@code .png} or {@code .npy} file per frame. Files are
 *       ordered by the last integer in their names (so {@code 0001.png} (1-based), {@code frame_000000.png}
 *       ({@link dev.avsal.io.SaliencyMaps#frameFile}, as {@code avsal predict --png} writes) and AViMoS-style
 *       names all work) and the i-th file is frame i; their number must equal the video's annotated frames.</li>
 *   <li>{@code PRED/ID.npy} or {@code PRED/ID_maps.npy}: a (frames, height, width) stack ({@code avsal predict --npy}).</li>
 * </ul>
 * See {@link MapFiles} for the value conventions: integer maps (PNG, uint8 .npy) are scored as stored, except under
 * {@link Protocol#STAVIS}, which reads them into [0, 1] as MATLAB's {@code im2double} does.
 *
 * <p>Choices of ours (the reference code evaluates one image at a time): the sAUC negatives of a frame are, for
 * every protocol, the fixations of the same video's other frames ({@link Fixations#stavisNegatives}, what STAViS
 * does; MIT and AIM define no video rule); per-video scores are the NaN-dropping mean of its frames and the
 * aggregate the NaN-dropping mean of the videos ({@link Evaluation#nanMean}); a frame without a density scores
 * CC/SIM/KLD as NaN. One still per video (the middle frame) is kept for {@link HtmlReport}.
 *
 * <p>Thread-safety: an Evaluator is immutable; {@link #run} may be called from one thread at a time per predictor
 * (a predictor's session belongs to the calling thread).
 */
public final class Evaluator {
    /** Progress: called after each frame with the video being scored and the frame counts of the whole split. */
    @FunctionalInterface
    public interface Progress {
        void update(String video, int videoIndex, int videoCount, long framesDone, long framesTotal);
    }

    private final SaliencyDataset dataset;
    private final String split;
    private final AvSalPredictor predictor;
    private final Path predictions;
    private final boolean centerPrior;
    private final Scorer scorer;
    private final Progress progress;
    private final boolean stills;

    private Evaluator(Builder b) {
        dataset = b.dataset;
        split = b.split;
        predictor = b.predictor;
        predictions = b.predictions;
        centerPrior = b.centerPrior;
        scorer = b.scorer;
        progress = b.progress;
        stills = b.stills;
    }

    public static Builder builder() { return new Builder(); }

    /**
     * Builder: {@code setDataset} and exactly one of {@code setPredictor} / {@code setPredictions} /
     * {@code setCenterPrior} are required.
     */
    public static final class Builder {
        private SaliencyDataset dataset;
        private String split;
        private AvSalPredictor predictor;
        private Path predictions;
        private boolean centerPrior;
        private Scorer scorer = Scorer.of(Protocol.MIT);
        private Progress progress = (v, i, n, d, t) -> { };
        private boolean stills = true;

        public Builder setDataset(SaliencyDataset d) { dataset = d; return this; }
        /** The predictor to run (not closed by the evaluator). */
        public Builder setPredictor(AvSalPredictor p) { predictor = p; return this; }
        /** A folder of saved predictions (layout in the class comment). */
        public Builder setPredictions(Path dir) { predictions = dir; return this; }
        /**
         * The center-prior baseline instead of a predictor: {@link CenterPrior#predict(int, int)} at each video's
         * ground-truth size, the same map for every frame (what the AIM 2024 baseline submits).
         */
        public Builder setCenterPrior() { centerPrior = true; return this; }
        /** Split to score; default: {@code test} if the dataset has it, else its first split. */
        public Builder optSplit(String s) { split = s; return this; }
        /** Protocol with its defaults (default {@link Protocol#MIT}). */
        public Builder optProtocol(Protocol p) { scorer = Scorer.of(p); return this; }
        /** A configured scorer (seed, jitter, splits, OpenCV flavour). */
        public Builder optScorer(Scorer s) { scorer = s; return this; }
        public Builder optProgress(Progress p) { progress = p; return this; }
        /** Whether to keep one still per video for the report (default true; costs a decode in predictions mode). */
        public Builder optStills(boolean keep) { stills = keep; return this; }

        public Evaluator build() throws EvalException {
            if (dataset == null) throw new IllegalArgumentException("setDataset is required");
            if ((predictor != null ? 1 : 0) + (predictions != null ? 1 : 0) + (centerPrior ? 1 : 0) != 1)
                throw new IllegalArgumentException("exactly one of setPredictor, setPredictions and setCenterPrior is required");
            if (scorer == null || progress == null) throw new IllegalArgumentException("scorer or progress is null");
            if (predictions != null && !Files.isDirectory(predictions))
                throw new EvalException(predictions + ": predictions folder does not exist");
            if (split == null) split = dataset.splits().contains("test") ? "test" : dataset.splits().get(0);
            return new Evaluator(this);
        }
    }

    /** Scores every video of the split, in the dataset's order. */
    public Evaluation run() throws AvSalException {
        List<AnnotatedVideo> videos = dataset.videos(split);
        long total = 0;
        for (AnnotatedVideo v : videos) total += v.frameCount();
        List<Evaluation.FrameScore> frames = new ArrayList<>();
        List<Evaluation.VideoScore> perVideo = new ArrayList<>();
        Map<String, Evaluation.Still> kept = new LinkedHashMap<>();
        long[] done = {0};
        for (int vi = 0; vi < videos.size(); vi++) {
            AnnotatedVideo v = videos.get(vi);
            int n = v.frameCount();
            List<Fixations> fix = new ArrayList<>(n);
            for (int i = 0; i < n; i++) fix.add(v.fixations(i));
            Fixations all = Fixations.union(fix); // the union once; each frame's negatives = all minus its own pixels
            int middle = n / 2, index = vi, count = videos.size();
            long totalFrames = total;
            List<Scores> scores = new ArrayList<>(n);
            MapSource src = predictor != null ? new PredictorSource(v) : centerPrior ? new PriorSource(v) : new FileSource(v);
            try (src) {
                for (int i = 0; i < n; i++) {
                    Map2D pred = src.next(i);
                    Scores s;
                    try {
                        s = scorer.score(pred, v.density(i), fix.get(i), all.minus(fix.get(i)));
                    } catch (IllegalArgumentException e) {
                        throw new EvalException(v.id() + " frame " + i + " (" + src.describe(i) + "): " + e.getMessage(), e);
                    }
                    scores.add(s);
                    frames.add(new Evaluation.FrameScore(v.id(), i, s));
                    if (stills && i == middle) kept.put(v.id(), new Evaluation.Still(i, pred, src.image(i)));
                    progress.update(v.id(), index, count, ++done[0], totalFrames);
                }
            }
            perVideo.add(new Evaluation.VideoScore(v.id(), n, Evaluation.nanMean(scores)));
        }
        Scores agg = Evaluation.nanMean(perVideo.stream().map(Evaluation.VideoScore::mean).toList());
        return new Evaluation(dataset.name(), split, scorer.protocol(), scorer.seed(), frames, perVideo, agg, kept);
    }

    /** Where one video's predicted maps come from. */
    private abstract static class MapSource implements AutoCloseable {
        abstract Map2D next(int frame) throws AvSalException;
        abstract RgbImage image(int frame) throws AvSalException;
        abstract String describe(int frame);
        @Override public abstract void close();
    }

    private final class PredictorSource extends MapSource {
        private final AnnotatedVideo video;
        private final FrameStream stream;
        private final SaliencySession session;
        private RgbImage last;

        PredictorSource(AnnotatedVideo v) throws AvSalException {
            video = v;
            stream = v.open(predictor.inputHeight(), predictor.inputWidth());
            session = predictor.open();
        }

        @Override Map2D next(int frame) throws AvSalException {
            Frame f = stream.next();
            if (f == null) throw new EvalException(video.source() + ": the video ends after " + frame + " frames but "
                    + video.frameCount() + " are annotated");
            last = f.image();
            SaliencyMap m = session.push(f);
            float[] vals = m.values();
            double[] d = new double[vals.length];
            for (int i = 0; i < d.length; i++) d[i] = vals[i];
            return new Map2D(m.width(), m.height(), d);
        }

        @Override RgbImage image(int frame) { return last; }
        @Override String describe(int frame) { return "predicted from " + video.source(); }

        @Override public void close() {
            try {
                session.close();
            } finally {
                stream.close();
            }
        }
    }

    /** The center prior at the ground-truth size, computed once per video. */
    private static final class PriorSource extends MapSource {
        private final AnnotatedVideo video;
        private Map2D prior;

        PriorSource(AnnotatedVideo v) { video = v; }

        @Override Map2D next(int frame) {
            if (prior == null) prior = CenterPrior.predict(video.width(), video.height());
            return prior;
        }

        @Override RgbImage image(int frame) {
            try (FrameStream s = video.open(video.height(), video.width())) { // the report's still only
                Frame f = null;
                for (int i = 0; i <= frame; i++) if ((f = s.next()) == null) return null;
                return f.image();
            } catch (AvSalException | RuntimeException e) {
                return null;
            }
        }

        @Override String describe(int frame) { return "center prior"; }
        @Override public void close() { }
    }

    private static final Pattern LAST_INT = Pattern.compile("(\\d+)(?!.*\\d)");

    private final class FileSource extends MapSource {
        private final AnnotatedVideo video;
        private final List<Path> files;
        private final MapFiles.Stack stack;

        FileSource(AnnotatedVideo v) throws EvalException {
            video = v;
            String id = v.id();
            List<Path> found = null;
            MapFiles.Stack st = null;
            for (String name : new String[] {id, id + "_maps"}) {
                Path dir = predictions.resolve(name);
                if (Files.isDirectory(dir)) { found = list(dir); break; }
                Path npy = predictions.resolve(name + ".npy");
                if (Files.isRegularFile(npy)) { st = MapFiles.readNpyStack(npy); break; }
            }
            if (found == null && st == null)
                throw new EvalException(predictions + ": no predictions for video '" + id + "' (expected " + id + "/, "
                        + id + "_maps/, " + id + ".npy or " + id + "_maps.npy)");
            int n = found != null ? found.size() : st.frames();
            if (n != v.frameCount())
                throw new EvalException((found != null ? predictions.resolve(id) : st.file()) + ": " + n
                        + " predicted frames, but video '" + id + "' has " + v.frameCount() + " annotated frames");
            files = found;
            stack = st;
        }

        private List<Path> list(Path dir) throws EvalException {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> l = s.filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return (n.endsWith(".png") || n.endsWith(".npy")) && LAST_INT.matcher(n).find();
                }).sorted(Comparator.comparingLong(Evaluator::frameNumber).thenComparing(Path::toString)).toList();
                for (int i = 1; i < l.size(); i++)
                    if (frameNumber(l.get(i)) == frameNumber(l.get(i - 1)))
                        throw new EvalException(dir + ": two files for frame number " + frameNumber(l.get(i)) + ": "
                                + l.get(i - 1).getFileName() + ", " + l.get(i).getFileName());
                return l;
            } catch (IOException e) {
                throw new EvalException(dir + ": cannot list: " + e.getMessage(), e);
            }
        }

        @Override Map2D next(int frame) throws EvalException {
            boolean unit = MapFiles.unitRange(scorer.protocol()); // STAViS reads maps with im2double
            return files != null ? MapFiles.read(files.get(frame), unit) : unit ? stack.unitFrame(frame) : stack.frame(frame);
        }

        @Override RgbImage image(int frame) {
            // only for the report's still: decode up to the frame at the ground-truth size; none if that fails
            try (FrameStream s = video.open(video.height(), video.width())) {
                Frame f = null;
                for (int i = 0; i <= frame; i++) if ((f = s.next()) == null) return null;
                return f.image();
            } catch (AvSalException | RuntimeException e) {
                return null;
            }
        }

        @Override String describe(int frame) {
            return files != null ? files.get(frame).toString() : stack.file() + "[" + frame + "]";
        }

        @Override public void close() { }
    }

    static long frameNumber(Path p) {
        Matcher m = LAST_INT.matcher(p.getFileName().toString());
        if (!m.find()) return -1;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
