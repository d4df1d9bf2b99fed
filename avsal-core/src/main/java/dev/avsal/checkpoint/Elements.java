package dev.avsal.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decoding and encoding of little-endian element bytes for every {@link DType}. Stateless. */
final class Elements {
    private Elements() {}

    /** IEEE binary16 bits to float (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            // Subnormal (or zero): mant * 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Float to IEEE binary16 bits, round to nearest even (as PyTorch's {@code .half()}). */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) { // inf or NaN; keep NaN quiet and non-zero
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
        }
        if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // rounds to >= 65520: overflow to inf
        if (abs < 0x38800000) { // below the smallest normal half (2^-14): subnormal or zero
            if (abs < 0x33000000) return (short) sign; // < 2^-25 rounds to zero (2^-25 itself is a tie to 0)
            int e = abs >>> 23;
            int m = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - e; // 14..24 bits dropped beyond the 10-bit field
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
            return (short) (sign | half);
        }
        int rounded = abs + 0xfff + ((abs >>> 13) & 1); // round to nearest even at bit 13
        return (short) (sign | ((rounded - 0x38000000) >>> 13));
    }

    static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** Float to bfloat16 bits, round to nearest even; NaN stays NaN. */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static double[] toDoubles(ByteBuffer le, DType t, int n) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[n];
        int p = b.position();
        switch (t) {
            case F64 -> b.asDoubleBuffer().get(out);
            case F32 -> { for (int i = 0; i < n; i++) out[i] = b.getFloat(p + 4 * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(p + 2 * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = bf16ToFloat(b.getShort(p + 2 * i)); }
            default -> {
                long[] l = toLongs(b, t, n);
                for (int i = 0; i < n; i++) out[i] = l[i];
            }
        }
        return out;
    }

    static float[] toFloats(ByteBuffer le, DType t, int n) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        int p = b.position();
        switch (t) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(p + 8 * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(p + 2 * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = bf16ToFloat(b.getShort(p + 2 * i)); }
            default -> {
                long[] l = toLongs(b, t, n);
                for (int i = 0; i < n; i++) out[i] = l[i];
            }
        }
        return out;
    }

    /** Integer and bool values; the caller has checked that {@code t} is not floating point. */
    static long[] toLongs(ByteBuffer le, DType t, int n) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[n];
        int p = b.position();
        switch (t) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(p + 4 * i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(p + 2 * i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(p + i); }
            case U8 -> { for (int i = 0; i < n; i++) out[i] = b.get(p + i) & 0xff; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(p + i) != 0 ? 1 : 0; }
            default -> throw new IllegalStateException(t + " is not an integer type");
        }
        return out;
    }

    /** Number of elements of a shape, or -1 on overflow or a negative dimension. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) return -1;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** Array length for a tensor's values, refusing what a Java array cannot hold. */
    static int arrayLength(String name, long numel, DType t) {
        if (numel > Integer.MAX_VALUE - 8 || numel * t.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + numel + " " + t
                    + " elements, more than a Java array or buffer can hold (2 GiB)");
        }
        return (int) numel;
    }
}
