package dev.avsal.nativ;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.model.head.HeadKernels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Load order and overrides ({@code avsal.native.skip}, {@code avsal.native.path}), and the service discovery. */
class AvSalNativeLoaderTest {
    @AfterEach
    void reset() {
        System.clearProperty(AvSalNative.SKIP_PROPERTY);
        System.clearProperty(AvSalNative.PATH_PROPERTY);
        AvSalNative.resetForTests();
    }

    @Test
    void bundledLibrariesLoadAndCpuTensorsStayOnLibTorch() {
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.cpu().isPresent(), AvSalNative.status());
        assertEquals("cpu-reference", AvSalNative.cpu().get().name());
        assertEquals(0, AvSalNative.cpu().get().deviceCount());
        assertTrue(AvSalNative.status().startsWith("from bundled"), AvSalNative.status());
        AvSalNative.cuda().ifPresent(cu -> {
            // Built here when nvcc exists; without a driver it loads (static cudart) and reports no device.
            assertEquals("cuda", cu.name());
            if (!Files.exists(Path.of("/proc/driver/nvidia/version"))) {
                assertEquals(0, cu.deviceCount());
                assertNotNull(cu.deviceError());
                assertTrue(AvSalNative.status().contains("no usable GPU"), AvSalNative.status());
            }
        });
    }

    @Test
    void skipPropertyLoadsNothing() {
        System.setProperty(AvSalNative.SKIP_PROPERTY, "true");
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.cpu().isEmpty());
        assertTrue(AvSalNative.cuda().isEmpty());
        assertTrue(AvSalNative.status().contains("avsal.native.skip=true"), AvSalNative.status());
    }

    @Test
    void pathPropertyAsDirectoryFileOrMissing() {
        Path bundled = AvSalNative.cpu().orElseThrow().file().getParent();
        System.setProperty(AvSalNative.PATH_PROPERTY, bundled.toString());
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.status().contains("-Davsal.native.path=" + bundled), AvSalNative.status());
        assertTrue(AvSalNative.cpu().isPresent());

        Path file = bundled.resolve(AvSalNative.CPU);
        System.setProperty(AvSalNative.PATH_PROPERTY, file.toString());
        AvSalNative.resetForTests();
        assertEquals(file, AvSalNative.cpu().orElseThrow().file());
        assertTrue(AvSalNative.cuda().isEmpty(), "a file override loads that one backend only");

        System.setProperty(AvSalNative.PATH_PROPERTY, bundled.resolve("nope").toString());
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.cpu().isEmpty());
        assertTrue(AvSalNative.status().contains("does not exist"), AvSalNative.status());
    }

    @Test
    void aLibraryWithoutTheAbiIsReportedNotCrashing() throws Exception {
        AvSalNative.cpu(); // the JNI glue is loaded
        Path jni = AvSalNative.cpu().orElseThrow().file().resolveSibling(AvSalNative.JNI);
        System.setProperty(AvSalNative.PATH_PROPERTY, jni.toString()); // loads, but exports no avsal_* symbols
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.cpu().isEmpty());
        assertTrue(AvSalNative.status().contains("does not export the avsal C ABI"), AvSalNative.status());
        Path junk = Files.createTempFile("avsal", ".so");
        Files.writeString(junk, "not an ELF file");
        System.setProperty(AvSalNative.PATH_PROPERTY, junk.toString());
        AvSalNative.resetForTests();
        assertTrue(AvSalNative.status().contains("failed to load"), AvSalNative.status());
        Files.delete(junk);
    }

    @Test
    void serviceProviderIsDiscoveredAndDeclinesCpuTensors() {
        AvSalNative.resetForTests();
        HeadKernels.install(null);
        // install(null) disables discovery; a fresh ServiceLoader shows the registration itself.
        HeadKernels p = java.util.ServiceLoader.load(HeadKernels.class).findFirst().orElseThrow();
        assertInstanceOf(NativeHeadKernels.class, p);
        assertEquals(AvSalNative.status(), p.describe());
        dev.avsal.model.LibTorch.load();
        assertFalse(p.accepts(org.bytedeco.pytorch.global.torch.zeros(2)), "CPU tensors keep LibTorch ops");
    }
}
