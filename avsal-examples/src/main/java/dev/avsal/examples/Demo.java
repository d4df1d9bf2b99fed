package dev.avsal.examples;

import dev.avsal.AudioWindow;
import dev.avsal.AvSalConfig;
import dev.avsal.AvSalException;
import dev.avsal.AvSalModel;
import dev.avsal.AvSalPredictor;
import dev.avsal.Frame;
import dev.avsal.SaliencyMap;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.FrameStream;
import dev.avsal.eval.Evaluation;
import dev.avsal.eval.Evaluator;
import dev.avsal.eval.HtmlReport;
import dev.avsal.io.OverlayVideoWriter;
import dev.avsal.io.datasets.Datasets;
import dev.avsal.io.synth.SynthConfig;
import dev.avsal.io.synth.SynthGenerator;
import dev.avsal.metrics.CenterPrior;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Protocol;
import dev.avsal.model.head.DecoderConfig;
import dev.avsal.model.head.HeadConfig;
import dev.avsal.model.head.OutputNormalization;
import dev.avsal.train.MapScores;
import dev.avsal.train.TrainConfig;
import dev.avsal.train.Trainer;
import dev.avsal.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The self-contained demo ({@code avsal demo}): generates the synthetic audio-visual dataset ({@link SynthGenerator},
 * AViMoS layout), trains {@code avsal-r-tiny} twice from the same initial weights, once with the audio and once with
 * the audio silenced, then scores both with {@link AvSalPredictor} on the held-out test clips next to the centre prior,
 * prints the table, and writes an overlay video of one test clip, the HTML report of the audio-visual model
 * ({@link HtmlReport}) and {@code results.json}.
 *
 * <p>Everything runs on the CPU with random-initialised frozen encoders (the tiny preset has no pretrained weights):
 * the encoders' features are cached once and only the head is trained. avsal choices (documented in the report):
 * the head's output is a softmax over pixels (the model is trained with KLD + CC on distributions), and the same
 * training settings serve both models.
 *
 * <p>Not thread-safe (one demo per output folder).
 */
public final class Demo {
    /** Files and folders the demo writes into its output folder (what {@code --force} replaces). */
    static final List<String> OUTPUTS = List.of("data", "cache", "av", "silenced", "results.json", "overlay.mp4", "report.html");

    /**
     * Demo settings.
     *
     * @param output   output folder (created; must be empty of demo outputs unless {@code force})
     * @param force    replace earlier demo outputs in {@code output}
     * @param clips    synthetic clips (5/6 train... see {@link SynthGenerator#split})
     * @param frames   frames per clip
     * @param epochs   training epochs per model
     * @param clipFrames frames per training window
     * @param seed     seed of data, weights and training
     * @param threads  LibTorch threads (0: default)
     * @param progress progress bars on stderr
     */
    public record Options(Path output, boolean force, int clips, int frames, int epochs, int clipFrames, long seed,
                          int threads, boolean progress) {
        /** The README demo: 96 clips of 16 frames, 16 epochs of 4-frame windows. */
        public static Options standard(Path output) { return new Options(output, false, 96, 16, 16, 4, 1, 0, true); }

        /** A smaller run for tests: 60 clips of 12 frames, 12 epochs. */
        public static Options quick(Path output) { return new Options(output, false, 60, 12, 12, 4, 1, 0, false); }
    }

    /** One row of the table. */
    public record Row(String name, MapScores scores) {}

    /** What the demo measured. */
    public record Result(List<Row> rows, boolean audioWins, double seconds, Map<String, Double> stageSeconds,
                         Path overlay, Path results) {
        public Row row(String name) {
            return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        }
    }

    /**
     * Peak learning rate of both demo models (avsal choice from a sweep on this task: 2e-3 learns too slowly for the
     * time budget, 6e-3 and above sometimes stall or diverge early with 4-frame windows).
     */
    static final double LR = 3e-3;

    public static final String AV = "audio-visual", SILENCED = "silenced audio", CENTER = "center prior";

    private Demo() {}

    /** The tiny preset with a pixel-softmax output (the demo's model). */
    public static AvSalConfig modelConfig() {
        AvSalConfig c = AvSalConfig.TINY;
        HeadConfig h = c.head();
        HeadConfig sh = new HeadConfig(h.taps(), h.patchSize(), h.gridH(), h.gridW(), h.fusion(), h.gru(),
                new DecoderConfig(h.decoder().dim(), OutputNormalization.SPATIAL_SOFTMAX));
        return new AvSalConfig(c.name(), c.clip(), c.audio(), sh, c.inputHeight(), c.inputWidth(), c.weights(), c.licence());
    }

    /** Runs the demo, printing progress and the table to {@code out}. */
    public static Result run(Options o, PrintStream out) throws AvSalException, IOException {
        long t0 = System.nanoTime();
        Map<String, Double> stages = new LinkedHashMap<>();
        prepare(o.output(), o.force());
        Path data = o.output().resolve("data");

        long t = System.nanoTime();
        SynthGenerator gen = new SynthGenerator(SynthConfig.builder().setClips(o.clips()).optFrames(o.frames())
                .optSeed(o.seed()).build());
        gen.write(data, false);
        stages.put("generate", secs(t));
        out.printf(Locale.ROOT, "generated %d synthetic clips (%d frames at %.0f fps, %dx%d, 2-3 discs, one sounds) in %s%n",
                o.clips(), o.frames(), gen.config().fps(), gen.config().width(), gen.config().height(), data);

        t = System.nanoTime();
        DemoData d = DemoData.open(data);
        stages.put("read", secs(t));
        out.printf(Locale.ROOT, "dataset %s: %d train, %d val, %d test clips%n", d.source(), d.train().size(),
                d.val().size(), d.test().size());

        AvSalConfig cfg = modelConfig();
        List<Row> rows = new ArrayList<>();
        Path overlay = o.output().resolve("overlay.mp4");
        for (boolean silence : new boolean[] {false, true}) {
            String name = silence ? SILENCED : AV;
            t = System.nanoTime();
            try (AvSalModel m = AvSalModel.random(cfg, o.seed())) {
                TrainConfig tc = TrainConfig.builder().setOutput(o.output().resolve(silence ? "silenced" : "av"))
                        .optCacheDir(o.output().resolve("cache")).optEpochs(o.epochs()).optClipFrames(o.clipFrames()).optLearningRate(LR)
                        .optSeed(o.seed()).optSilenceAudio(silence).optThreads(o.threads()).optProgress(o.progress())
                        .build();
                out.printf(Locale.ROOT, "training %s (%s) ...%n", cfg.name(), name);
                Trainer.Result r = new Trainer(m, tc).fit(d.train(), d.val());
                stages.put("train " + name, secs(t));
                out.printf(Locale.ROOT, "  %d steps in %.1f s, best validation CC %.3f (epoch %d)%n", r.steps(),
                        secs(t), r.bestValidationCc(), r.bestEpoch() + 1);
                t = System.nanoTime();
                rows.add(new Row(name, score(m, d.test(), silence, o.seed(), silence ? null : overlay, d, o.threads())));
                stages.put("test " + name, secs(t));
                if (!silence) {
                    t = System.nanoTime();
                    report(m, data, o);
                    stages.put("report", secs(t));
                }
            }
        }
        MapScores cp = new MapScores(o.seed());
        for (AnnotatedVideo v : d.test()) {
            Map2D prior = CenterPrior.predict(v.width(), v.height());
            for (int i = 0; i < v.frameCount(); i++) cp.add(prior, v.density(i), v.fixations(i));
        }
        rows.add(new Row(CENTER, cp));

        MapScores av = rows.get(0).scores(), si = rows.get(1).scores();
        boolean wins = beats(av, si) && beats(av, cp);
        printTable(out, rows, d.test().size());
        double total = secs(t0);
        stages.put("total", total);
        Path results = o.output().resolve("results.json");
        writeResults(results, o, rows, wins, stages, d);
        out.printf(Locale.ROOT, "%s%n", wins
                ? "The audio-visual model beats both baselines on CC, NSS, SIM and AUC-Judd: the sound tells it which disc matters."
                : "WARNING: the audio-visual model did not beat both baselines on every metric.");
        out.printf(Locale.ROOT, "wrote %s (the audio-visual model's maps over test clip %s, with its sound), %s and %s in %.0f s%n",
                overlay, d.test().get(0).id(), o.output().resolve("report.html"), results, total);
        return new Result(rows, wins, total, stages, overlay, results);
    }

    /**
     * The HTML report of the audio-visual model on the test split, through the same evaluator as {@code avsal
     * evaluate} (MIT protocol: all seven metrics, best and worst clips with overlay stills).
     */
    private static void report(AvSalModel m, Path data, Options o) throws AvSalException, IOException {
        AvSalPredictor.Builder b = AvSalPredictor.builder().setModel(m);
        if (o.threads() > 0) b.optThreads(o.threads());
        try (AvSalPredictor p = b.build()) {
            Evaluation e = Evaluator.builder().setDataset(Datasets.open(data)).setPredictor(p).optSplit("test")
                    .optProtocol(Protocol.MIT).build().run();
            HtmlReport.write(e, o.output().resolve("report.html"), false);
        }
    }

    private static boolean beats(MapScores a, MapScores b) {
        return a.cc() > b.cc() && a.nss() > b.nss() && a.sim() > b.sim() && a.aucJudd() > b.aucJudd();
    }

    /** Scores a model on the test clips through the predictor (the user's inference path); optionally the overlay. */
    private static MapScores score(AvSalModel m, List<AnnotatedVideo> test, boolean silence, long seed, Path overlay,
                                   DemoData d, int threads) throws AvSalException, IOException {
        MapScores s = new MapScores(seed);
        AvSalPredictor.Builder b = AvSalPredictor.builder().setModel(m);
        if (threads > 0) b.optThreads(threads);
        try (AvSalPredictor p = b.build()) {
            for (int k = 0; k < test.size(); k++) {
                AnnotatedVideo v = test.get(k);
                List<Frame> frames = new ArrayList<>(v.frameCount());
                try (FrameStream in = v.open(m.config().inputHeight(), m.config().inputWidth())) {
                    Frame f;
                    while (frames.size() < v.frameCount() && (f = in.next()) != null) frames.add(f);
                }
                if (silence) {
                    List<Frame> quiet = new ArrayList<>(frames.size());
                    for (Frame f : frames) quiet.add(Frame.of(f.image(), AudioWindow.silence(), f.timestampMicros()));
                    frames = quiet;
                }
                List<SaliencyMap> maps = p.predict(frames);
                for (int i = 0; i < v.frameCount(); i++) s.add(map(maps.get(i), v), v.density(i), v.fixations(i));
                if (k == 0 && overlay != null) writeOverlay(d.videoFile(v), overlay, maps);
            }
        }
        return s;
    }

    private static Map2D map(SaliencyMap m, AnnotatedVideo v) {
        float[] f = m.values();
        double[] x = new double[f.length];
        for (int i = 0; i < f.length; i++) x[i] = f[i];
        Map2D r = new Map2D(m.width(), m.height(), x);
        return r.width() == v.width() && r.height() == v.height() ? r : dev.avsal.metrics.Resize.opencvBilinear(r, v.width(), v.height());
    }

    private static void writeOverlay(Path source, Path output, List<SaliencyMap> maps) throws AvSalException {
        try (OverlayVideoWriter w = OverlayVideoWriter.builder().setSource(source).setOutput(output).optSize(448, 448)
                .optScaling(dev.avsal.io.MapScaling.MIN_MAX)
                .build()) {
            for (SaliencyMap m : maps) w.write(m.values(), m.width(), m.height());
        }
    }

    private static void printTable(PrintStream out, List<Row> rows, int clips) {
        out.printf(Locale.ROOT, "%nheld-out test clips: %d (%d frames)%n", clips, rows.get(0).scores().frames());
        out.printf(Locale.ROOT, "%-16s %7s %7s %7s %9s%n", "model", "CC", "NSS", "SIM", "AUC-Judd");
        for (Row r : rows)
            out.printf(Locale.ROOT, "%-16s %7.3f %7.3f %7.3f %9.3f%n", r.name(), r.scores().cc(), r.scores().nss(),
                    r.scores().sim(), r.scores().aucJudd());
        MapScores av = rows.get(0).scores();
        for (Row r : rows.subList(1, rows.size()))
            out.printf(Locale.ROOT, "%-16s %+7.3f %+7.3f %+7.3f %+9.3f%n", "AV - " + r.name().split(" ")[0],
                    av.cc() - r.scores().cc(), av.nss() - r.scores().nss(), av.sim() - r.scores().sim(),
                    av.aucJudd() - r.scores().aucJudd());
        out.println();
    }

    private static void writeResults(Path file, Options o, List<Row> rows, boolean wins, Map<String, Double> stages,
                                     DemoData d) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelConfig().name());
        m.put("dataset", d.source());
        m.put("clips", (long) o.clips());
        m.put("frames_per_clip", (long) o.frames());
        m.put("epochs", (long) o.epochs());
        m.put("seed", o.seed());
        m.put("test_clips", d.test().stream().map(AnnotatedVideo::id).toList());
        Map<String, Object> table = new LinkedHashMap<>();
        for (Row r : rows) table.put(r.name(), r.scores().toMap());
        m.put("scores", table);
        m.put("audio_visual_beats_both", wins);
        m.put("seconds", stages);
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (String f : List.of("overlay.mp4", "report.html", "results.json"))
            outputs.put(f, o.output().resolve(f).toAbsolutePath().toString());
        outputs.put("best_model", o.output().resolve("av").resolve("best.safetensors").toAbsolutePath().toString());
        m.put("outputs", outputs);
        Files.writeString(file, Json.write(m) + "\n", StandardCharsets.UTF_8);
    }

    /** Creates the output folder; refuses earlier demo outputs unless forced (then deletes only those). */
    static void prepare(Path dir, boolean force) throws IOException {
        Files.createDirectories(dir);
        for (String name : OUTPUTS) {
            Path p = dir.resolve(name);
            if (!Files.exists(p)) continue;
            if (!force) throw new IOException(dir + " already holds demo output (" + name + "); use --force to replace "
                    + "it or choose another --output folder");
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
            }
        }
    }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
