package dev.avsal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Agreement with the AIM 2024 challenge's bench.py (run by tools/make_metric_fixtures.py with numpy and OpenCV):
 * {@code fixtures/metrics/aim2024_bench.txt} from the lead's run with pip opencv-python 5.0.0 (Intel IPP 2026.0.0)
 * and numpy 2.5.2, and {@code aim2024_bench_debian.txt} from Debian's python3-opencv 4.6.0 (no IPP) and numpy
 * 1.24.2. Each present file is checked with the {@link OpenCvFlavor} its {@code env ipp} line names ("none":
 * {@link OpenCvFlavor#NO_IPP}, else {@link OpenCvFlavor#IPP}); each file must also tell the two flavours apart,
 * so that a wrong choice cannot pass. The class is skipped while neither file exists.
 */
@EnabledIf("anyFixture")
class Aim2024ReferenceTest {
    static final String[] FILES = {"/fixtures/metrics/aim2024_bench.txt", "/fixtures/metrics/aim2024_bench_debian.txt"};
    static final double REL = 1e-9;
    /** cv2.resize is reproduced bit for bit in both flavours (non-fused IPP arithmetic would be off by ~1e-15). */
    static final double RESIZE_ABS = 0;
    /** AUC-Judd is exact up to summation rounding; one moved threshold changes it by about 1e-4. */
    static final double AUCJ_REL = 1e-12;

    static boolean anyFixture() {
        for (String f : FILES) if (Aim2024ReferenceTest.class.getResource(f) != null) return true;
        return false;
    }

    @TestFactory Stream<DynamicTest> benchPy() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String f : FILES) {
            if (Aim2024ReferenceTest.class.getResource(f) == null) continue;
            RefData ref = RefData.load(f);
            OpenCvFlavor flavor = flavor(ref, f);
            String env = String.join("; ", ref.free.getOrDefault("env", List.of()).stream().map(t -> String.join(" ", t)).toList());
            System.out.println(f + ": " + env + " -> " + flavor);
            List<String[]> resizes = ref.free.getOrDefault("resize", List.of());
            for (String[] t : resizes) {
                tests.add(DynamicTest.dynamicTest(f + " resize " + t[0] + "x" + t[1] + "->" + t[2] + "x" + t[3] + " " + flavor,
                        () -> {
                            double e = resizeError(t, flavor);
                            System.out.printf("cv2.resize %sx%s->%sx%s %s: max abs error %.3g%n", t[0], t[1], t[2], t[3], flavor, e);
                            assertTrue(e <= RESIZE_ABS, "cv2.resize differs by " + e);
                        }));
            }
            tests.add(DynamicTest.dynamicTest(f + " tells the flavours apart", () -> {
                OpenCvFlavor other = flavor == OpenCvFlavor.IPP ? OpenCvFlavor.NO_IPP : OpenCvFlavor.IPP;
                double worst = 0;
                for (String[] t : resizes) worst = Math.max(worst, resizeError(t, other));
                System.out.printf("%s: max abs cv2.resize error of the other flavour (%s) %.3g%n", f, other, worst);
                assertTrue(worst > 1e-9, f + ": " + other + " matches too; the file cannot pin the flavour");
            }));
            for (RefData.Case c : ref.cases.values()) tests.add(DynamicTest.dynamicTest(f + " " + c.name, () -> frame(c, flavor)));
        }
        return tests.stream();
    }

    /** The OpenCV build the file was made with, from its {@code env ipp} line (cv2.getBuildInformation's IPP lines). */
    static OpenCvFlavor flavor(RefData ref, String file) {
        for (String[] t : ref.free.getOrDefault("env", List.of())) {
            if (t.length >= 2 && t[0].equals("ipp")) return t[1].equals("none") ? OpenCvFlavor.NO_IPP : OpenCvFlavor.IPP;
        }
        throw new IllegalStateException(file + ": no 'env ipp' line, cannot tell which OpenCV build made it");
    }

    static Map2D gray(String[] t) {
        int rows = Integer.parseInt(t[0]), cols = Integer.parseInt(t[1]);
        byte[] b = Base64.getDecoder().decode(t[2]);
        assertEquals(rows * cols, b.length);
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) d[i] = b[i] & 0xff;
        return Map2D.of(cols, rows, d);
    }

    static void frame(RefData.Case c, OpenCvFlavor flavor) {
        Map2D pred = gray(c.one("pred")), gt = gray(c.one("gt"));
        String[] f = c.one("fix");
        int n = Integer.parseInt(f[0]);
        int[] xs = new int[n], ys = new int[n];
        for (int i = 0; i < n; i++) {
            ys[i] = Integer.parseInt(f[1 + 2 * i]); // bench.py indexes [row, col]
            xs[i] = Integer.parseInt(f[2 + 2 * i]);
        }
        assertTrue(!c.has("error") || c.all("error").stream().allMatch(e -> e[0].equals("KLD")),
                c.name + ": bench.py failed on the frame");
        Scores s = Scorer.of(Protocol.AIM2024).withOpenCvFlavor(flavor)
                .score(pred, gt, Fixations.of(gt.width(), gt.height(), xs, ys), null);
        Map<String, Double> want = c.values();
        Map<String, Double> got = Map.of("SIM", s.sim(), "NSS", s.nss(), "CC", s.cc(), "AUCJ", s.aucJudd(), "KLD", s.kld());
        for (String m : List.of("SIM", "NSS", "CC", "AUCJ", "KLD")) {
            double have = got.get(m);
            if (!want.containsKey(m)) { // bench.py raised (a numpy warning turned error): NaN here
                assertTrue(Double.isNaN(have), c.name + " " + m + ": bench.py raised, expected NaN, got " + have);
                continue;
            }
            double w = want.get(m), err = Math.abs(have - w) / Math.max(Math.abs(w), 1e-3);
            System.out.printf("AIM %-6s %-12s %-4s bench %.17g java %.17g rel %.2g%n", flavor, c.name, m, w, have, err);
            assertTrue(err <= (m.equals("AUCJ") ? AUCJ_REL : REL), c.name + " " + m + ": expected " + w + ", got " + have);
        }
    }

    /** Max abs difference between a file's {@code cv2.resize} output and ours in the given flavour. */
    static double resizeError(String[] t, OpenCvFlavor flavor) {
        int ir = Integer.parseInt(t[0]), ic = Integer.parseInt(t[1]), or = Integer.parseInt(t[2]), oc = Integer.parseInt(t[3]);
        assertEquals(4 + or * oc, t.length, "resize line length");
        double[] a = new double[ir * ic];
        for (int i = 0; i < a.length; i++) a[i] = ((i * 7919) % 1009) / 1009.0 * 3 - 1; // the script's input recipe
        double[] got = Resize.opencvBilinear(Map2D.of(ic, ir, a), oc, or, flavor).data();
        double err = 0;
        for (int i = 0; i < or * oc; i++) err = Math.max(err, Math.abs(got[i] - Double.parseDouble(t[4 + i])));
        return err;
    }
}
