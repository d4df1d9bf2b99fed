package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.examples.cli.CliTest.Result;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Conventions every verb follows: help, documented exit codes, usage errors as one line plus a hint. */
class CliConventionsTest {
    @Test
    void theHelpDocumentsEveryExitCode() {
        Result r = CliTest.run("--help");
        assertEquals(0, r.code());
        for (String code : new String[] {"0", "1", "2", "3", "4"})
            assertTrue(r.out().matches("(?s).*\\n\\s+" + code + "\\s+\\S.*"), "exit code " + code + " in:\n" + r.out());
    }

    @Test
    void everyVerbHasHelpAndEveryReportingVerbHasJson() {
        for (Map.Entry<String, CommandLine> e : new CommandLine(new AvSalCli()).getSubcommands().entrySet()) {
            Result r = CliTest.run(e.getKey(), "--help");
            assertEquals(0, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.out().contains("Usage: avsal " + e.getKey()), r.out());
        }
        for (String verb : new String[] {"info", "inspect", "bench", "convert", "fetch"})
            assertTrue(new CommandLine(new AvSalCli()).getSubcommands().get(verb).getCommandSpec().findOption("--json")
                    != null, verb + " has no --json");
    }

    @Test
    void usageErrorsAreOneLineAndAHint() {
        Result unknownOption = CliTest.run("inspect", "x.pt", "--bogus");
        assertEquals(2, unknownOption.code());
        assertEquals(2, unknownOption.err().strip().lines().count(), unknownOption.err());
        assertTrue(unknownOption.err().contains("--bogus") && unknownOption.err().contains("avsal inspect --help"),
                unknownOption.err());
        assertEquals("", unknownOption.out());

        Result typo = CliTest.run("fecth");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("fetch"), "suggests the verb: " + typo.err());

        Result badValue = CliTest.run("bench", "--section", "nonsense");
        assertEquals(2, badValue.code());
        assertTrue(badValue.err().contains("nonsense"), badValue.err());
    }
}
