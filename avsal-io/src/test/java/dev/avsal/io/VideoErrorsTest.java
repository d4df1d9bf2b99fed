package dev.avsal.io;

import static dev.avsal.io.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.io.VideoDecodeException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoErrorsTest {
    @TempDir Path tmp;

    /** Decodes everything; returns the frames and the exception that ended decoding (null if none). */
    record Outcome(List<VideoFrame> frames, VideoDecodeException error) {}

    static Outcome decode(VideoReader.Builder b) {
        List<VideoFrame> frames = new ArrayList<>();
        try (VideoReader r = b.build()) {
            for (VideoFrame f; (f = r.read()) != null; ) frames.add(f);
            return new Outcome(frames, null);
        } catch (VideoDecodeException e) {
            return new Outcome(frames, e);
        }
    }

    static VideoDecodeException fails(Path file, Problem p) {
        Outcome o = decode(VideoReader.builder().setFile(file));
        assertNotNull(o.error(), file + " should fail with " + p);
        assertEquals(p, o.error().problem(), o.error().getMessage());
        assertEquals(file, o.error().file());
        assertTrue(o.error().getMessage().contains(file.toString()), o.error().getMessage());
        return o.error();
    }

    Path copy(String name, byte[] data) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    @Test void missingDirectoryEmptyAndGarbage() throws Exception {
        fails(tmp.resolve("nope.mp4"), Problem.NOT_FOUND);
        fails(tmp, Problem.UNREADABLE);
        fails(copy("empty.mp4", new byte[0]), Problem.EMPTY);
        byte[] noise = new byte[20_000];
        new Random(1).nextBytes(noise);
        fails(copy("noise.mp4", noise), Problem.INVALID_DATA);
        fails(copy("text.mkv", "not a video at all\n".repeat(100).getBytes(StandardCharsets.UTF_8)), Problem.INVALID_DATA);
        // names FFmpeg would otherwise read as protocols are plain files
        Path weird = copy("concat:a.mp4", Files.readAllBytes(path(SYNC)));
        assertEquals(75, decode(VideoReader.builder().setFile(weird)).frames().size());
    }

    @Test void unreadableFile() throws Exception {
        Path p = copy("locked.mp4", Files.readAllBytes(path(SYNC)));
        p.toFile().setReadable(false, false);
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(p), "running as root: permissions not enforced");
        fails(p, Problem.UNREADABLE);
    }

    @Test void noVideoStream() {
        VideoDecodeException e = fails(path(AUDIO_ONLY), Problem.NO_VIDEO_STREAM);
        assertTrue(e.getMessage().contains("audio aac"), e.getMessage());
    }

    @Test void absurdDimensions() {
        Outcome o = decode(VideoReader.builder().setFile(path(SYNC)).optMaxPixels(160 * 96 - 1));
        assertEquals(Problem.TOO_LARGE, o.error().problem());
        assertTrue(o.error().getMessage().contains("160x96"), o.error().getMessage());
        assertEquals(75, decode(VideoReader.builder().setFile(path(SYNC)).optMaxPixels(160 * 96)).frames().size());
    }

    @Test void unsupportedCodec() throws Exception {
        byte[] mkv = Files.readAllBytes(path(VFR));
        int at = indexOf(mkv, "V_MPEG4/ISO/AVC".getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0);
        System.arraycopy("V_MPEG4/ISO/XYZ".getBytes(StandardCharsets.US_ASCII), 0, mkv, at, 15);
        fails(copy("unknown_codec.mkv", mkv), Problem.UNSUPPORTED_CODEC);
    }

    @Test void truncatedMp4KeepsWhatDecoded() throws Exception {
        byte[] all = Files.readAllBytes(path(SYNC));
        Outcome o = decode(VideoReader.builder().setFile(copy("cut.mp4", Arrays.copyOf(all, all.length * 6 / 10))));
        assertNotNull(o.error(), "a cut file must not pass silently");
        assertEquals(Problem.TRUNCATED, o.error().problem(), o.error().getMessage());
        int n = o.frames().size();
        assertTrue(n > 10 && n < 75, n + " frames");
        for (VideoFrame f : o.frames()) { // B-frames whose references were cut are missing: match by timestamp
            assertEquals(f.ptsMicros() / 40_000, frameNumber(f), "kept frames are intact");
        }
        assertEquals(n, o.error().framesDecoded());
        assertEquals(o.frames().get(n - 1).ptsMicros(), o.error().positionMicros());
        assertTrue(o.error().getMessage().contains("stopped at"), o.error().getMessage());
    }

    @Test void truncatedMkvKeepsWhatDecoded() throws Exception {
        byte[] all = Files.readAllBytes(path(VFR));
        Outcome o = decode(VideoReader.builder().setFile(copy("cut.mkv", Arrays.copyOf(all, all.length / 2))));
        assertNotNull(o.error(), "a cut file must not pass silently");
        assertEquals(Problem.TRUNCATED, o.error().problem(), o.error().getMessage());
        int n = o.frames().size();
        assertTrue(n > 5 && n < 60, n + " frames");
        assertEquals(n, o.error().framesDecoded());
        assertTrue(o.error().getMessage().contains("ends at"), o.error().getMessage());
    }

    @Test void headerOnlyOrCutInTheHeader() throws Exception {
        byte[] all = Files.readAllBytes(path(SYNC));
        VideoDecodeException e = fails(copy("head.mp4", Arrays.copyOf(all, 600)), Problem.TRUNCATED);
        assertTrue(e.framesDecoded() < 0);
    }

    @Test void corruptPackets() throws Exception {
        byte[] bad = corrupted();
        Path p = copy("corrupt.mp4", bad);
        Outcome strict = decode(VideoReader.builder().setFile(p));
        assertNotNull(strict.error());
        assertEquals(Problem.CORRUPT, strict.error().problem(), strict.error().getMessage());
        Outcome lenient;
        try (VideoReader r = VideoReader.builder().setFile(p).optMaxCorruptFrames(1000).build()) {
            List<VideoFrame> frames = new ArrayList<>();
            for (VideoFrame f; (f = r.read()) != null; ) frames.add(f);
            assertTrue(frames.size() >= 60, frames.size() + " frames");
            assertFalse(r.warnings().isEmpty());
        }
    }

    /** The SYNC clip with 1 KB of noise in the middle of its media data. */
    static byte[] corrupted() throws Exception {
        byte[] all = Files.readAllBytes(path(SYNC));
        byte[] noise = new byte[1024];
        new Random(7).nextBytes(noise);
        System.arraycopy(noise, 0, all, all.length / 2, noise.length);
        return all;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
