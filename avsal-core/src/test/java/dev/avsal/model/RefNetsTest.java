package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Checks the test reference's own numerics against tabulated values. */
class RefNetsTest {
    @Test
    void erfMatchesTables() {
        assertEquals(0.0, RefNets.erf(0), 0);
        assertEquals(0.1124629160182849, RefNets.erf(0.1), 1e-15);
        assertEquals(0.8427007929497149, RefNets.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, RefNets.erf(-2), 1e-15);
        assertEquals(0.9999779095030014, RefNets.erf(3), 1e-15);
        assertEquals(0.9999992569016276, RefNets.erf(3.5), 1e-15);
        assertEquals(1.0, RefNets.erf(7), 1e-15);
    }

    @Test
    void bicubicKernelIsKeysWithMinusThreeQuarters() {
        assertEquals(1, RefNets.cubic(0), 0);
        assertEquals(0, RefNets.cubic(1), 1e-15);
        assertEquals(0, RefNets.cubic(2), 1e-15);
        assertEquals(-0.09375, RefNets.cubic(1.5), 1e-15);
        assertEquals(0.59375, RefNets.cubic(0.5), 1e-15);
        // identity when the size does not change
        double[][] x = {{1}, {5}, {-2}};
        double[][] y = RefNets.resizeAxis(x, 3);
        for (int i = 0; i < 3; i++) assertEquals(x[i][0], y[i][0], 1e-15);
    }
}
