package dev.avsal.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The randomised metrics on their own generator against the MIT code on Octave's generator: over the same
 * number of seeds the means must agree within 4 standard errors and the spreads within a factor 1.4
 * ("stat" lines of fixtures/metrics/mit_octave.txt).
 */
class RandomisedAgreementTest {
    static RefData ref;

    @BeforeAll static void load() throws IOException { ref = RefData.load("/fixtures/metrics/mit_octave.txt"); }

    @TestFactory Stream<DynamicTest> meansAndSpreads() {
        List<String[]> stats = ref.free.get("stat");
        assertTrue(stats != null && stats.size() >= 12, "stat lines missing");
        return stats.stream().map(t -> DynamicTest.dynamicTest(t[0] + " " + t[1], () -> {
            MitReferenceTest.Inputs in = MitReferenceTest.inputs(ref.cases.get(t[0]));
            int n = Integer.parseInt(t[2]);
            double refMean = RefData.num(t[3]), refSd = RefData.num(t[4]);
            double[] v = new double[n];
            for (int seed = 0; seed < n; seed++) {
                v[seed] = switch (t[1]) {
                    case "JUDD1" -> Metrics.aucJudd(in.pred(), in.fix(), true, seed);
                    case "BORJI" -> Metrics.aucBorji(in.pred(), in.fix(), seed);
                    case "SAUC" -> Metrics.aucShuffled(in.pred(), in.fix(), in.neg(), seed);
                    default -> throw new IllegalStateException(t[1]);
                };
            }
            double mean = 0, sd = 0;
            for (double x : v) mean += x / n;
            for (double x : v) sd += (x - mean) * (x - mean) / (n - 1);
            sd = Math.sqrt(sd);
            System.out.printf("%-8s %-5s Octave %.6f ± %.2g   Java %.6f ± %.2g   (diff %.2g)%n", t[0], t[1], refMean,
                    refSd, mean, sd, mean - refMean);
            if (Double.isNaN(refMean)) {
                assertTrue(Double.isNaN(mean), "reference NaN, got " + mean);
                return;
            }
            double tol = 4 * Math.sqrt((refSd * refSd + sd * sd) / n) + 1e-12;
            assertTrue(Math.abs(mean - refMean) <= tol, "mean " + mean + " vs " + refMean + " beyond " + tol);
            if (refSd > 1e-9) {
                double ratio = sd / refSd;
                assertTrue(ratio > 0.7 && ratio < 1.4, "spread " + sd + " vs " + refSd);
            } else {
                assertTrue(sd < 1e-9, "spread " + sd + " where the reference has none");
            }
        }));
    }
}
