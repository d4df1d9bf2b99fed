package dev.avsal.examples.cli;

import dev.avsal.examples.Demo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code avsal demo}: the self-contained demo of {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate a synthetic audio-visual dataset, train avsal-r-tiny with and without its audio on the "
                + "CPU, and compare both with the centre prior on held-out clips (a few minutes on 2 cores).",
                "Writes the dataset, checkpoints, results.json, report.html and overlay.mp4 into the output folder."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, defaultValue = "avsal-demo-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--force", description = "Replace the outputs of an earlier demo in the output folder.")
    boolean force;

    @Option(names = "--clips", description = "Synthetic clips (default: 96; 1/6 validation, 1/6 test).")
    Integer clips;

    @Option(names = "--epochs", description = "Training epochs per model (default: 16).")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of data, weights and training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "LibTorch threads (default: all cores).")
    int threads;

    @Option(names = "--quick", description = "A smaller run (60 clips of 12 frames, 12 epochs), as the tests use.")
    boolean quick;

    @Option(names = "--no-progress", description = "No progress bars on stderr.")
    boolean noProgress;

    @Option(names = "--json", description = "Print results.json (scores, margins' inputs, timings, output paths) as one"
            + " JSON object on stdout; the progress and the table go to stderr.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Demo.Options d = quick ? Demo.Options.quick(output) : Demo.Options.standard(output);
        Demo.Options o = new Demo.Options(output, force, clips != null ? clips : d.clips(), d.frames(),
                epochs != null ? epochs : d.epochs(), d.clipFrames(), seed, threads, !noProgress);
        PrintStream out = new PrintStream(new WriterOutputStream(json ? spec.commandLine().getErr()
                : spec.commandLine().getOut()), true, "UTF-8");
        Demo.Result r = Demo.run(o, out);
        out.flush();
        if (json) {
            spec.commandLine().getOut().println(java.nio.file.Files.readString(r.results()).strip());
            spec.commandLine().getOut().flush();
        }
        return r.audioWins() ? 0 : AvSalCli.EXIT_INPUT;
    }

    /** Bridges picocli's PrintWriter to the PrintStream the demo writes to. */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final java.io.PrintWriter w;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        WriterOutputStream(java.io.PrintWriter w) { this.w = w; }

        @Override public void write(int b) {
            buf.write(b);
            if (b == '\n') flush();
        }

        @Override public void flush() {
            w.print(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
            w.flush();
            buf.reset();
        }
    }
}
