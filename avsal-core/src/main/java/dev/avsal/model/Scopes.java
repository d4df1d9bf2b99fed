package dev.avsal.model;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Ownership hand-over for results computed inside our own {@link PointerScope}: the one rule every LibTorch call
 * path of avsal follows (encoders, head, weights). Thread-safe (scopes are per thread).
 */
public final class Scopes {
    private Scopes() {}

    /**
     * Gives a pointer that was retained inside a (now closed) inner scope to the caller: if the calling thread has
     * an open {@link PointerScope}, that scope now owns it and frees it on close; otherwise the caller owns it
     * ({@link Pointer#close()}, or the garbage collector).
     */
    public static <P extends Pointer> P handOver(P p) {
        if (p == null) return null;
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(p); // +1 for the scope ...
            p.releaseReference(); // ... -1 for the retain done inside our scope
        }
        return p;
    }
}
