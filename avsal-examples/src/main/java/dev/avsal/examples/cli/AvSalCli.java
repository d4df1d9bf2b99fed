package dev.avsal.examples.cli;

import dev.avsal.AvSalException;
import dev.avsal.Diagnostics;
import dev.avsal.examples.fetch.FetchException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code avsal} command line. Exit codes: 0 success, 1 the input could not be processed (the message says why),
 * 2 bad usage, 3 an internal error, 4 a download failed (network error or checksum mismatch). Errors print one
 * line and a hint on stderr; stack traces only with {@code --verbose}. Reporting verbs take {@code --json} and then
 * print exactly one JSON object on stdout (docs/cli.md).
 */
@Command(name = "avsal", mixinStandardHelpOptions = true, versionProvider = AvSalCli.Version.class,
        description = "Audio-visual video saliency (AVSal-R) on LibTorch.",
        subcommands = {InfoCommand.class, InspectCommand.class, BenchCommand.class, ConvertCommand.class,
                FetchCommand.class, PredictCommand.class, DemoCommand.class, TrainCommand.class,
                EvaluateCommand.class, ScoreCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the input could not be processed", "2:bad usage", "3:internal error",
                "4:download failed (network error or checksum mismatch)"})
public final class AvSalCli implements Runnable {
    static final int EXIT_INPUT = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERNAL = 3;
    static final int EXIT_DOWNLOAD = 4;

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
        cli.setParameterExceptionHandler((e, args2) -> { // usage errors: one line and a hint, not the whole help
            err.println("avsal: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = false; // an inherited option is matched on whichever (sub)command it follows
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
                verbose |= p.matchedOption("--verbose") != null;
            boolean expected = e instanceof AvSalException || e instanceof IllegalArgumentException
                    || e instanceof java.io.IOException;
            err.println("avsal: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (!expected) err.println("avsal: internal error; please report it with the output of 'avsal info'");
            if (verbose) e.printStackTrace(err);
            else err.println("(run with --verbose for details)");
            err.flush();
            if (e instanceof FetchException.NetworkException || e instanceof FetchException.ChecksumMismatchException)
                return EXIT_DOWNLOAD;
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
