package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LibTorchTest {
    @Test
    void loadsOnceAndSetsThreads() {
        LibTorch.load();
        LibTorch.load();
        assertTrue(LibTorch.version().startsWith("2."), LibTorch.version());
        int before = LibTorch.numThreads();
        try {
            LibTorch.setNumThreads(1);
            assertEquals(1, LibTorch.numThreads());
        } finally {
            LibTorch.setNumThreads(before);
        }
        assertThrows(IllegalArgumentException.class, () -> LibTorch.setNumThreads(0));
    }

    @Test
    void recognisesPassivePolicy() {
        assertTrue(LibTorch.ompPolicyIsPassive("PASSIVE"));
        assertTrue(LibTorch.ompPolicyIsPassive("passive "));
        assertFalse(LibTorch.ompPolicyIsPassive(null));
        assertFalse(LibTorch.ompPolicyIsPassive("ACTIVE"));
        // surefire sets it for the test JVM
        assertTrue(LibTorch.ompPolicyIsPassive(System.getenv(LibTorch.OMP_WAIT_POLICY)));
    }
}
