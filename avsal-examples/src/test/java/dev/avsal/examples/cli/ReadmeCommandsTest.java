package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code ./avsal ...} / {@code avsal ...} line in a fenced code block of README.md parses against the real
 * command tree (unknown verbs, unknown options and missing required options fail), and the cheap ones run for real:
 * {@code info}, {@code --help}/{@code --version}, and {@code inspect} on a fixture instead of the README's file.
 */
class ReadmeCommandsTest {
    /**
     * Verbs that other branches add (issue 8). A README line using one of them is skipped only while the verb is
     * not registered in {@link AvSalCli}; once it is, the line is checked like any other. After merging those
     * branches the lead can empty this set (one line); nothing else depends on it.
     */
    static final Set<String> VERBS_LANDING_SEPARATELY = Set.of();

    static final Path README = Path.of("../README.md");

    @Test
    void everyCommandInTheReadmeParsesAndTheCheapOnesRun() throws Exception {
        List<String> lines = commandLines(Files.readString(README));
        assertTrue(lines.stream().anyMatch(l -> l.contains("avsal info")), "no avsal commands found in README.md: " + lines);
        List<String> problems = check(lines, VERBS_LANDING_SEPARATELY, true);
        assertTrue(problems.isEmpty(), "README.md commands that do not work:\n  " + String.join("\n  ", problems));
    }

    @Test
    void theCheckCatchesUnknownVerbsOptionsAndMissingArguments() {
        String md = String.join("\n", "text ./avsal frobnicate outside a block is ignored", "```bash",
                "./avsal frobnicate --json", "./avsal info --bogus   # a comment", "avsal inspect",
                "./avsal landing --whatever", "mvn test", "./avsal fetch clip-b16 \\", "    --offline --dir '/tmp/a b'",
                "```", "", "```", "avsal bench --section nonsense", "```");
        List<String> lines = commandLines(md);
        assertEquals(List.of("./avsal frobnicate --json", "./avsal info --bogus", "avsal inspect",
                "./avsal landing --whatever", "./avsal fetch clip-b16 --offline --dir '/tmp/a b'",
                "avsal bench --section nonsense"), lines);
        List<String> problems = check(lines, Set.of("landing"), false);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("frobnicate"), problems.get(0));
        assertTrue(problems.get(1).contains("--bogus"), problems.get(1));
        assertTrue(problems.get(2).contains("FILE"), problems.get(2));
        assertTrue(problems.get(3).contains("nonsense"), problems.get(3));
        assertEquals(1, check(List.of("./avsal landing"), Set.of(), false).size(), "an unlisted unknown verb fails");
        assertEquals(List.of("fetch", "clip-b16", "--offline", "--dir", "/tmp/a b"),
                words("./avsal fetch clip-b16 --offline --dir '/tmp/a b'"));
    }

    /** The avsal command lines of the fenced code blocks, continuation lines joined, comments removed. */
    static List<String> commandLines(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = null;
        for (String raw : markdown.split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                pending = null;
                continue;
            }
            if (!inBlock) continue;
            if (pending != null) {
                pending.append(' ').append(line);
            } else {
                if (line.startsWith("$ ")) line = line.substring(2).strip();
                if (!(line.startsWith("./avsal ") || line.startsWith("avsal ") || line.equals("./avsal")
                        || line.equals("avsal"))) continue;
                pending = new StringBuilder(line);
            }
            if (pending.toString().endsWith("\\")) {
                pending.setLength(pending.length() - 1);
                String trimmed = pending.toString().stripTrailing();
                pending.setLength(0);
                pending.append(trimmed);
                continue;
            }
            out.add(stripComment(pending.toString()).strip());
            pending = null;
        }
        return out;
    }

    private static String stripComment(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    /** The arguments after the program name, split as a POSIX shell would (quotes, backslashes); stops at | ; & >. */
    static List<String> words(String line) {
        List<String> w = new ArrayList<>();
        StringBuilder cur = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                if (cur == null) cur = new StringBuilder();
                quote = c;
            } else if (c == '\\' && i + 1 < line.length()) {
                if (cur == null) cur = new StringBuilder();
                cur.append(line.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (cur != null) w.add(cur.toString());
                cur = null;
            } else if ("|;&<>".indexOf(c) >= 0) {
                break;
            } else {
                if (cur == null) cur = new StringBuilder();
                cur.append(c);
            }
        }
        if (cur != null) w.add(cur.toString());
        return w.subList(1, w.size());
    }

    /** One line per command that fails (parse errors always; run failures when {@code run}). */
    static List<String> check(List<String> lines, Set<String> landingSeparately, boolean run) {
        List<String> problems = new ArrayList<>();
        for (String line : lines) {
            List<String> args = words(line);
            CommandLine cli = new CommandLine(new AvSalCli());
            String verb = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse(null);
            if (verb != null && !cli.getSubcommands().containsKey(verb) && landingSeparately.contains(verb)) continue;
            CommandLine.ParseResult parsed;
            try {
                parsed = cli.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                problems.add(line + "  ->  " + e.getMessage());
                continue;
            }
            if (!run) continue;
            List<String> actual = new ArrayList<>(args);
            boolean cheap = parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()
                    || parsed.subcommand() != null && (parsed.subcommand().isUsageHelpRequested()
                    || parsed.subcommand().isVersionHelpRequested());
            if (parsed.subcommand() != null && parsed.subcommand().commandSpec().name().equals("info")) cheap = true;
            if (parsed.subcommand() != null && parsed.subcommand().commandSpec().name().equals("inspect")) {
                String file = parsed.subcommand().matchedPositional(0).getValue().toString();
                int at = actual.indexOf(file);
                if (at < 0) {
                    problems.add(line + "  ->  cannot find the FILE argument '" + file + "' to replace");
                    continue;
                }
                actual.set(at, CliTest.FIXTURES.resolve("checkpoint/torch_zip.pt").toString());
                cheap = true;
            }
            if (!cheap) continue;
            CliTest.Result r = CliTest.run(actual.toArray(String[]::new));
            if (r.code() != 0) problems.add(line + "  ->  exit " + r.code() + ": " + r.err().strip());
        }
        return problems;
    }
}
