package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** Decoding the same clips again and again must not grow native memory: every FFmpeg allocation is freed. */
class NativeMemoryTest {
    /** Resident memory not explained by the Java heap, in bytes. */
    static long nativeBytes() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return Pointer.physicalBytes() - rt.totalMemory();
    }

    static void decodeAll() throws Exception {
        for (String name : new String[] {SYNC, ROT, ODD, VFR}) {
            try (VideoReader r = VideoReader.builder().setFile(path(name)).optTargetSize(32, 32).optFrameRate(name.equals(VFR) ? 10 : 0).build()) {
                while (r.read() != null) { /* drain */ }
            }
        }
        try (VideoReader r = VideoReader.builder().setFile(path(SYNC)).build()) {
            r.read(); // closed half-way
        }
        try {
            VideoReader.builder().setFile(path(AUDIO_ONLY)).build().close();
            fail("no video");
        } catch (VideoDecodeException expected) { // failed opens must free what they allocated
        }
    }

    @Test void memoryStaysFlat() throws Exception {
        for (int i = 0; i < 10; i++) decodeAll(); // warm up: JIT, malloc arenas, heap sizing
        long jcpp = Pointer.totalBytes();
        long before = nativeBytes();
        int runs = 60;
        for (int i = 0; i < runs; i++) decodeAll();
        long growth = nativeBytes() - before;
        // one leaked decoder context or frame pool per run would add several MB per run here
        assertTrue(growth < 24L << 20, "native memory grew by " + (growth >> 20) + " MB over " + runs + " runs");
        assertEquals(jcpp, Pointer.totalBytes(), "JavaCPP-tracked allocations are all released");
    }
}
