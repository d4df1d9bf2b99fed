package dev.avsal.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MATLAB colon semantics, checked against MATLAB's documented and publicly reported outputs. */
class MatlabColonTest {
    @Test void mathWorksAnswersExample() {
        // MATLAB Answers "Floating Point Accuracy and COLON": x = 0:0.1:0.3, y = 0:0.1:0.4,
        // x - y(1:end-1) = [0 0 -2.7756e-17 -5.5511e-17] and x(end) == 0.3.
        double[] x = MatlabColon.colon(0, 0.1, 0.3), y = MatlabColon.colon(0, 0.1, 0.4);
        assertEquals(4, x.length);
        assertEquals(5, y.length);
        assertEquals(0.3, x[3], 0.0);
        assertArrayEquals(new double[] {0, 0, -0x1p-55, -0x1p-54}, new double[] {x[0] - y[0], x[1] - y[1],
                x[2] - y[2], x[3] - y[3]}, 0.0);
    }

    @Test void symmetricAboutTheMidpoint() {
        // "v = -1:0.01:1 consists of 201 floating point numbers centered symmetrically about zero" (MathWorks)
        double[] v = MatlabColon.colon(-1, 0.01, 1);
        assertEquals(201, v.length);
        for (int k = 0; k <= 200; k++) assertEquals(-v[200 - k], v[k], 0.0);
        assertEquals(0.0, v[100], 0.0);
    }

    @Test void thresholdsOfAucBorji() {
        // the second half is end - k*step: 0.6 and 0.7 are the doubles nearest 0.6 and 0.7 (Octave's ranges
        // give 0.6000000000000001 and 0.7000000000000001 there)
        double[] v = MatlabColon.colon(0, 0.1, 1);
        assertEquals(11, v.length);
        assertEquals(0.6, v[6], 0.0);
        assertEquals(0.7, v[7], 0.0);
        assertEquals(1.0, v[10], 0.0);
        assertEquals(0.1 * 3, v[3], 0.0); // first half is a + k*step: 0.30000000000000004
        double[] w = MatlabColon.colon(0, 0.1, 0.95); // end not a multiple: stops at 0.9
        assertEquals(10, w.length);
        assertEquals(0.9, w[9], 1e-16);
        assertEquals(1, MatlabColon.colon(0, 0.1, 0.04).length);
        assertEquals(0, MatlabColon.colon(0, 0.1, -1).length);
    }
}
