package dev.avsal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastLogTest {
    @Test void agreesWithMathLog() {
        SplittableRandom r = new SplittableRandom(7);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            double x = Math.exp((r.nextDouble() - 0.5) * 1400); // about 1e-304 .. 1e304
            if (i % 4 == 0) x = 0.5 + r.nextDouble() * 1.5;    // dense around the table
            double want = Math.log(x), got = FastLog.log(x);
            double err = Math.abs(got - want) / Math.max(Math.abs(want), Double.MIN_NORMAL);
            worst = Math.max(worst, err);
        }
        assertTrue(worst < 1e-15, "max relative error " + worst);
    }

    @Test void keepsRelativeAccuracyNearOne() {
        for (double d = 1e-15; d < 1e-2; d *= 1.7) {
            for (double x : new double[] {1 + d, 1 - d}) {
                double want = Math.log(x);
                assertEquals(want, FastLog.log(x), Math.abs(want) * 1e-14, "x = 1 +- " + d);
            }
        }
        assertEquals(0.0, FastLog.log(1.0), 0.0);
    }

    /**
     * Both edges of every table step: the one-binade table in both halves (including the step whose right edge
     * carries into c = 1), and the direct table inside, at and just outside its binades [2^-8, 2^8).
     */
    @Test void everyTableEdge() {
        double worst = 0;
        for (long k = 0; k < 1024; k++) {
            for (long low : new long[] {0, 1, 0x155555555L, (1L << 42) - 1}) {
                for (long exp : new long[] {0x3fe, 0x3ff, 0x400, 0x001, 0x7fe, 0x3f6, 0x3f7, 0x406, 0x407}) {
                    double x = Double.longBitsToDouble(exp << 52 | k << 42 | low), want = Math.log(x);
                    double err = Math.abs(FastLog.log(x) - want) / Math.max(Math.abs(want), Double.MIN_NORMAL);
                    if (Math.abs(want) < 1e-3) err = Math.abs(FastLog.log(x) - want) / 1e-3; // near 1: absolute
                    worst = Math.max(worst, err);
                }
            }
        }
        assertTrue(worst < 1e-15, "max relative error " + worst);
    }

    @Test void specialValuesDeferToMathLog() {
        for (double x : new double[] {0, -0.0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 1e-310}) {
            assertEquals(Math.log(x), FastLog.log(x), 0.0, "x = " + x);
        }
    }
}
