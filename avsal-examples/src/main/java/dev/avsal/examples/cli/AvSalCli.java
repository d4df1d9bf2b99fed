package dev.avsal.examples.cli;

import dev.avsal.AvSalException;
import dev.avsal.Diagnostics;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code avsal} command line. Exit codes: 0 success, 1 the input could not be processed (the message says why),
 * 2 bad usage, 3 an internal error.
 */
@Command(name = "avsal", mixinStandardHelpOptions = true, versionProvider = AvSalCli.Version.class,
        description = "Audio-visual video saliency (AVSal-R) on LibTorch.",
        subcommands = {InfoCommand.class, InspectCommand.class, BenchCommand.class, DemoCommand.class, TrainCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the input could not be processed", "2:bad usage", "3:internal error"})
public final class AvSalCli implements Runnable {
    static final int EXIT_INPUT = 1;
    static final int EXIT_INTERNAL = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. Used by tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new AvSalCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.matchedOption("--verbose") != null;
            boolean expected = e instanceof AvSalException || e instanceof IllegalArgumentException
                    || e instanceof java.io.IOException;
            err.println("avsal: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (!expected) err.println("avsal: internal error; please report it with the output of 'avsal info'");
            if (verbose) e.printStackTrace(err);
            else err.println("(run with --verbose for details)");
            err.flush();
            return expected ? EXIT_INPUT : EXIT_INTERNAL;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"avsal " + Diagnostics.version()};
        }
    }
}
