package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./avsal} launcher script, run for real by bash from another directory and through a symlink. It runs
 * in a copy of the repository layout whose build output links to this test run's classes and jars, with
 * {@code AVSAL_MVN} pointing at a stand-in that only counts builds (a real Maven build inside a test would be slow
 * and would race with the build running the test).
 */
class LauncherTest {
    record Run(int code, String out, String err) {}

    @Test
    void buildsOnFirstUseAndWhenSourcesChangeRunsFromAnywhereAndSetsPassiveOpenMp(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("repo"));
        Path launcher = Files.copy(Path.of("../avsal"), root.resolve("avsal"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = Files.createDirectories(root.resolve("avsal-examples/target"));
        Files.createSymbolicLink(target.resolve("classes"), Path.of("target/classes").toAbsolutePath());
        Path lib = Files.createDirectories(target.resolve("lib"));
        Path own = Path.of("target/classes").toAbsolutePath().normalize();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && Files.notExists(lib.resolve(p.getFileName())))
                Files.createSymbolicLink(lib.resolve(p.getFileName()), p);
            else if (Files.isDirectory(p) && !p.equals(own) && p.endsWith("target/classes"))
                jar(p, lib.resolve("module" + n++ + ".jar")); // a sibling module's classes (reactor build)
        }
        Path source = Files.createDirectories(root.resolve("avsal-core/src/main/java")).resolve("X.java");
        Files.writeString(source, "class X {}");
        Path builds = tmp.resolve("builds.log");
        Path mvn = tmp.resolve("fake-mvn");
        Files.writeString(mvn, "#!/bin/sh\npwd >> '" + builds + "'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path elsewhere = Files.createDirectories(tmp.resolve("somewhere/else"));
        Path link = Files.createSymbolicLink(tmp.resolve("avsal-link"), launcher);

        Run first = run(elsewhere, mvn, launcher.toString(), "--version");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("avsal "), first.out());
        assertTrue(first.err().contains("building"), first.err());
        assertEquals(List.of(root.toRealPath().toString()), Files.readAllLines(builds), "one build, in the repo root");

        Run second = run(elsewhere, mvn, link.toString(), "--version"); // through a symlink: same root
        assertEquals(0, second.code(), second.err());
        assertEquals(1, Files.readAllLines(builds).size(), "no rebuild without changes");

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        Run third = run(elsewhere, mvn, launcher.toString(), "info", "--json");
        assertEquals(0, third.code(), third.err());
        assertEquals(2, Files.readAllLines(builds).size(), "a changed source rebuilds");
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) dev.avsal.util.Json.parse(third.out());
        assertEquals("PASSIVE", info.get("omp_wait_policy"), "the launcher sets OMP_WAIT_POLICY");

        Files.writeString(mvn, "#!/bin/sh\necho 'BUILD FAILURE' >&2\nexit 1\n");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(120)));
        Run failed = run(elsewhere, mvn, launcher.toString(), "--version");
        assertEquals(3, failed.code(), failed.err());
        assertTrue(failed.err().contains("build failed"), failed.err());
    }

    private static void jar(Path dir, Path jar) throws Exception {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static Run run(Path cwd, Path mvn, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).directory(cwd.toFile());
        pb.environment().remove("OMP_WAIT_POLICY"); // surefire sets it; the launcher must set it by itself
        pb.environment().put("AVSAL_MVN", mvn.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile("launcher", ".out"), err = Files.createTempFile("launcher", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("launcher did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
