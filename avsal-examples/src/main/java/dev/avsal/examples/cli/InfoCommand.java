package dev.avsal.examples.cli;

import dev.avsal.Diagnostics;
import dev.avsal.util.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code avsal info}: versions, native libraries, CUDA availability and, when absent, the reason. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, the native libraries found, and whether CUDA can be used (and if not, why).")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> report = Diagnostics.report();
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(report));
        } else {
            int width = report.keySet().stream().mapToInt(String::length).max().orElse(10);
            report.forEach((k, v) -> {
                if (v instanceof List<?> list) {
                    out.printf("%-" + width + "s  %d:%n", k, list.size());
                    list.forEach(item -> out.printf("%-" + width + "s    %s%n", "", item));
                } else {
                    out.printf("%-" + width + "s  %s%n", k, v);
                }
            });
        }
        out.flush();
        return 0;
    }
}
