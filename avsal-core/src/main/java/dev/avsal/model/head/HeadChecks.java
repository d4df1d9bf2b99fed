package dev.avsal.model.head;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Input validation shared by the head modules: every failure is an IllegalArgumentException naming the input. */
final class HeadChecks {
    private HeadChecks() {}

    static void positive(String what, long value) {
        if (value <= 0) throw new IllegalArgumentException(what + " must be > 0, got " + value);
    }

    static long[] shape(Tensor t) { return t.sizes().vec().get(); }

    /**
     * Checks that {@code t} is a defined float tensor of the given shape; a negative expected size means "any".
     * Also checks that all values are finite: a NaN or infinity would otherwise spread silently through attention
     * and the GRU state into every later frame (one reduction over the input, cheap next to the forward pass).
     */
    static void tensor(String what, Tensor t, long... expected) {
        if (t == null || t.isNull() || !t.defined()) throw new IllegalArgumentException(what + ": tensor is null or undefined");
        long[] s = shape(t);
        boolean ok = s.length == expected.length;
        for (int i = 0; ok && i < s.length; i++) ok = expected[i] < 0 || expected[i] == s[i];
        if (!ok) throw new IllegalArgumentException(what + ": expected shape " + describe(expected) + ", got " + Arrays.toString(s));
        if (!t.is_floating_point()) throw new IllegalArgumentException(what + ": expected a floating-point tensor, got " + t.scalar_type());
        if (t.numel() > 0 && !torch.isfinite(t).all().item_bool())
            throw new IllegalArgumentException(what + ": contains NaN or infinite values");
    }

    static String describe(long[] expected) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < expected.length; i++) b.append(i > 0 ? ", " : "").append(expected[i] < 0 ? "*" : Long.toString(expected[i]));
        return b.append(']').toString();
    }
}
