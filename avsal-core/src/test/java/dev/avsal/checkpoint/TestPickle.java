package dev.avsal.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes protocol-2 pickle opcodes by hand, for torch-like test archives and malformed streams. */
final class TestPickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TestPickle() {
        op(0x80).op(2);
    }

    static TestPickle raw() {
        TestPickle p = new TestPickle();
        p.out.reset();
        return p;
    }

    TestPickle op(int b) {
        out.write(b);
        return this;
    }

    TestPickle bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    TestPickle str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').int32(b.length);
        out.writeBytes(b);
        return this;
    }

    TestPickle int32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    TestPickle num(long v) {
        if (v >= 0 && v < 256) return op('K').op((int) v);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').int32((int) v);
        op(0x8a).op(8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    TestPickle global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    TestPickle mark() { return op('('); }
    TestPickle tuple() { return op('t'); }
    TestPickle reduce() { return op('R'); }

    TestPickle longs(long... v) {
        mark();
        for (long x : v) num(x);
        return tuple();
    }

    /** A torch rebuild call for a view of a storage record. */
    TestPickle tensor(String storageType, String key, long storageNumel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").num(storageNumel).tuple().op('Q');
        num(offset).longs(size).longs(stride).op(0x89);
        global("collections", "OrderedDict").op(')').reduce();
        return tuple().reduce();
    }

    byte[] stop() {
        op('.');
        return out.toByteArray();
    }
}
