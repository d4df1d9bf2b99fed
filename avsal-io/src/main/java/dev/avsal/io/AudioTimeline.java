package dev.avsal.io;

import java.util.Arrays;

/**
 * A sliding buffer of mono samples indexed by absolute sample number (sample 0 = time 0 of the file). Holds only
 * [start, end): callers append decoded audio at the end and drop what no future window needs, so memory stays
 * bounded by the window length plus one decoded chunk however long the video is. Not thread-safe.
 */
final class AudioTimeline {
    private float[] buf = new float[1 << 15];
    private long start; // absolute index of buf[0]
    private int count;  // valid samples in buf
    private boolean positioned;

    /** Absolute index one past the last sample held (or the next to be appended). */
    long end() { return start + count; }

    /**
     * Appends n samples whose first one has absolute index {@code at}. A gap before {@code at} is filled with
     * zeros; samples that would land before {@link #end()} (overlap) are dropped.
     */
    void append(float[] src, int off, int n, long at) {
        if (!positioned) {
            start = at;
            count = 0;
            positioned = true;
        }
        long e = end();
        if (at < e) { // overlap with what is held: keep the older samples
            int skip = (int) Math.min(n, e - at);
            off += skip;
            n -= skip;
            at = e;
        }
        if (n <= 0) return;
        int gap = (int) (at - e);
        ensure(count + gap + n);
        Arrays.fill(buf, count, count + gap, 0f);
        System.arraycopy(src, off, buf, count + gap, n);
        count += gap + n;
    }

    /** Copies samples [first, first + dst.length) into dst; samples not held are zeros. */
    void copy(long first, float[] dst) {
        Arrays.fill(dst, 0f);
        long from = Math.max(first, start), to = Math.min(first + dst.length, end());
        if (to > from) System.arraycopy(buf, (int) (from - start), dst, (int) (from - first), (int) (to - from));
    }

    /** Forgets samples before {@code index}. */
    void discardBefore(long index) {
        if (!positioned || index <= start) return;
        int drop = (int) Math.min(count, index - start);
        System.arraycopy(buf, drop, buf, 0, count - drop);
        count -= drop;
        start += drop;
        if (count == 0) start = index;
    }

    /** Samples currently held (for tests of the memory bound). */
    int held() { return count; }

    private void ensure(int n) {
        if (n > buf.length) buf = Arrays.copyOf(buf, Math.max(n, buf.length * 2));
    }
}
