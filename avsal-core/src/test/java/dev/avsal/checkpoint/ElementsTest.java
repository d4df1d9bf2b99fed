package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Half and bfloat16 conversions against their IEEE definitions. */
class ElementsTest {
    /** binary16 by definition: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals 2^-14 * m/1024. */
    private static double halfByDefinition(int bits) {
        int s = bits >>> 15, e = (bits >>> 10) & 31, m = bits & 1023;
        double sign = s == 1 ? -1 : 1;
        if (e == 31) return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        if (e == 0) return sign * Math.scalb(m / 1024.0, -14);
        return sign * Math.scalb(1 + m / 1024.0, e - 15);
    }

    @Test
    void everyHalfDecodesAndReEncodesExactly() {
        for (int h = 0; h < 65536; h++) {
            double want = halfByDefinition(h);
            float got = Elements.halfToFloat((short) h);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(got), Integer.toHexString(h));
                assertTrue(Float.isNaN(Elements.halfToFloat(Elements.floatToHalf(got))));
                continue;
            }
            assertEquals(want, got, 0.0, Integer.toHexString(h));
            assertEquals((short) h, Elements.floatToHalf(got), Integer.toHexString(h));
        }
    }

    @Test
    void floatToHalfRoundsToNearestEven() {
        // Between 1 and 1+2^-10 the midpoint rounds to even (1); just above it rounds up.
        assertEquals(0x3c00, Elements.floatToHalf(1 + 0x1p-11f) & 0xffff);
        assertEquals(0x3c01, Elements.floatToHalf(1 + 0x1p-11f + 0x1p-20f) & 0xffff);
        assertEquals(0x3c02, Elements.floatToHalf(1 + 3 * 0x1p-11f) & 0xffff); // midpoint of 0x3c01/0x3c02 -> even
        assertEquals(0x7bff, Elements.floatToHalf(65519.996f) & 0xffff);
        assertEquals(0x7c00, Elements.floatToHalf(65520f) & 0xffff); // the tie above the max goes to infinity
        assertEquals(0x0001, Elements.floatToHalf(0x1p-24f) & 0xffff); // smallest subnormal
        assertEquals(0x0000, Elements.floatToHalf(0x1p-25f) & 0xffff); // tie with zero -> even (zero)
        assertEquals(0x0001, Elements.floatToHalf(0x1.000002p-25f) & 0xffff);
        assertEquals(0x0002, Elements.floatToHalf(3 * 0x1p-25f) & 0xffff); // tie 1/2 -> even 2
        assertEquals(0x0400, Elements.floatToHalf(0x1.ffcp-15f + 0x1p-25f) & 0xffff); // rounds up into the normals
        assertEquals(0x8000, Elements.floatToHalf(-0f) & 0xffff);
        assertEquals(0xfc00, Elements.floatToHalf(Float.NEGATIVE_INFINITY) & 0xffff);
        // Sampled floats: the result is at least as near as both neighbouring halves.
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (!Float.isFinite(f) || Math.abs(f) >= 65504) continue;
            short hb = Elements.floatToHalf(f);
            double err = Math.abs(Elements.halfToFloat(hb) - (double) f);
            for (int d : new int[] {-1, 1}) {
                int nb = (hb & 0x7fff) + d;
                if (nb < 0 || nb > 0x7bff) continue;
                double other = Elements.halfToFloat((short) ((hb & 0x8000) | nb));
                assertTrue(err <= Math.abs(other - (double) f), () -> f + " -> " + Elements.halfToFloat(hb));
            }
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals(0x3f80, Elements.floatToBf16(1.0f) & 0xffff);
        assertEquals(0x3f80, Elements.floatToBf16(1.00390625f) & 0xffff); // tie -> even
        assertEquals(0x3f82, Elements.floatToBf16(1.01171875f) & 0xffff); // tie -> even (up)
        assertEquals(0x3f81, Elements.floatToBf16(Math.nextUp(1.00390625f)) & 0xffff); // just above the tie
        assertTrue(Float.isNaN(Elements.bf16ToFloat(Elements.floatToBf16(Float.NaN))));
        for (int b = 0; b < 65536; b++) {
            float f = Elements.bf16ToFloat((short) b);
            assertEquals(Float.intBitsToFloat(b << 16), f, 0f);
            if (!Float.isNaN(f)) assertEquals((short) b, Elements.floatToBf16(f));
        }
    }
}
