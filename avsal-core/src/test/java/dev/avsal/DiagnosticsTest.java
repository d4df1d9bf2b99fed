package dev.avsal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU bfloat16 line of {@code avsal info}: whole flag names from /proc/cpuinfo, nothing else. */
class DiagnosticsTest {
    @Test
    void bf16FlagsAreWholeWords() {
        assertTrue(Diagnostics.cpuBf16(" fpu vme avx512f avx512_bf16 avx512_vnni").startsWith("yes (avx512_bf16)"));
        assertTrue(Diagnostics.cpuBf16("fpu amx_tile amx_bf16").startsWith("yes (amx_bf16)"));
        assertTrue(Diagnostics.cpuBf16("fpu avx512f avx512_vnni avx512_bf16x").startsWith("no:"));
        assertTrue(Diagnostics.cpuBf16("").startsWith("no:"));
        assertTrue(Diagnostics.cpuBf16(null).startsWith("unknown"));
    }

    @Test
    void reportSaysWhatThisCpuHas() {
        Object v = Diagnostics.report().get("cpu_bf16");
        assertTrue(v instanceof String s && (s.startsWith("yes") || s.startsWith("no") || s.startsWith("unknown")), "" + v);
    }
}
