package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.examples.cli.CliTest.Result;
import dev.avsal.metrics.CenterPrior;
import dev.avsal.metrics.Map2D;
import dev.avsal.metrics.Metrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code avsal evaluate --center-prior}: the baseline's CC equals Metrics.cc of CenterPrior's map. */
class EvaluateCenterPriorTest {
    @TempDir Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void centerPriorBaseline() throws Exception {
        Path[] d = EvaluateCommandTest.write(tmp);
        Result r = CliTest.run("evaluate", "--dataset", d[0].toString(), "--center-prior", "--jitter", "off",
                "--out", tmp.resolve("out").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map2D prior = CenterPrior.predict(EvaluateCommandTest.W, EvaluateCommandTest.H);
        double sum = 0;
        for (int k = 0; k < EvaluateCommandTest.FRAMES; k++) {
            int[] t = EvaluateCommandTest.truth(1, k);
            double[] g = new double[t.length];
            for (int i = 0; i < g.length; i++) g[i] = t[i];
            sum += Metrics.cc(prior, new Map2D(EvaluateCommandTest.W, EvaluateCommandTest.H, g));
        }
        Map<String, Object> doc = CliJsonSchemaTest.check("evaluate", r);
        List<Map<String, Object>> videos = (List<Map<String, Object>>) doc.get("videos");
        assertEquals(sum / EvaluateCommandTest.FRAMES, ((Number) ((Map<String, Object>) videos.get(0).get("scores")).get("cc")).doubleValue(), 1e-12);
        assertEquals(AvSalCli.EXIT_USAGE, CliTest.run("evaluate", "--dataset", d[0].toString(), "--center-prior",
                "--predictions", tmp.toString()).code(), "one source only");
    }
}
