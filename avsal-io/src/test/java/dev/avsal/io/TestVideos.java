package dev.avsal.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The committed test clips (made by tools/make_test_videos.sh) and what they contain. Pictures: frame number N in
 * binary in the top half (8 bars left to right, bar b white when bit b of N is set), bottom half four blocks left
 * to right red, green, blue, gray 128.
 */
final class TestVideos {
    private TestVideos() {}

    /** mp4 H.264 160x96 25 fps 75 frames; AAC 44.1 kHz stereo, L 440 Hz R 1000 Hz at 0.5, on during [k, k+0.5) s. */
    static final String SYNC = "sync_h264_aac44k_stereo.mp4";
    /** mkv H.264 160x96 no audio, 60 frames at variable rate, see {@link #vfrPtsMicros}. */
    static final String VFR = "vfr_h264_noaudio.mkv";
    /** mp4 H.264 coded 160x96, display rotation 90 clockwise; AAC 48 kHz 5.1 tones 300/500/700/100/900/1100 Hz. */
    static final String ROT = "rot90_h264_aac48k_51.mp4";
    /** webm VP9 161x119 25 fps 50 frames; Opus 48 kHz stereo 440 Hz at 0.5 on both channels, continuous. */
    static final String ODD = "odd_vp9_opus.webm";
    /** mkv H.264 160x96 25 fps 25 frames; AAC 44.1 kHz mono streams #0 440 Hz (not default) and #1 1000 Hz (default), amplitude 1/8. */
    static final String TWO_AUDIO = "two_audio_streams.mkv";
    /** m4a, AAC only. */
    static final String AUDIO_ONLY = "audio_only.m4a";

    static Path path(String name) {
        try {
            return Path.of(TestVideos.class.getResource("/video/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource video/" + name, e);
        }
    }

    /** Timestamp of frame n of the VFR clip: every 40 ms from 0, from frame 25 every 100 ms from 1 s, from frame 40 every 20 ms from 2.5 s. */
    static long vfrPtsMicros(int n) {
        return n < 25 ? n * 40_000L : n < 40 ? 1_000_000L + (n - 25) * 100_000L : 2_500_000L + (n - 40) * 20_000L;
    }

    /** Reads the frame number from the bars of an upright image of width w, height h (bars sampled at mid-height of the top half). */
    static int frameNumber(VideoFrame f) {
        int n = 0;
        for (int b = 0; b < 8; b++) {
            int x = (int) ((b + 0.5) * f.width() / 8), y = f.height() / 4;
            if (luma(f, x, y) > 128) n |= 1 << b;
        }
        return n;
    }

    static int luma(VideoFrame f, int x, int y) { return (f.get(x, y, 0) + f.get(x, y, 1) + f.get(x, y, 2)) / 3; }

    /** Colour of block q (0 red, 1 green, 2 blue, 3 gray) in the bottom half of an upright image. */
    static int[] block(VideoFrame f, int q) {
        int x = (int) ((q + 0.5) * f.width() / 4), y = f.height() * 3 / 4;
        return new int[] {f.get(x, y, 0), f.get(x, y, 1), f.get(x, y, 2)};
    }

    static final int[][] BLOCK_RGB = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {128, 128, 128}};

    /** Amplitude of the sinusoid of frequency f in x[from, to) (Goertzel-style correlation; exact for whole periods). */
    static double amplitude(float[] x, int from, int to, double f, int rate) {
        double c = 0, s = 0;
        for (int i = from; i < to; i++) {
            double ph = 2 * Math.PI * f * i / rate;
            c += x[i] * Math.cos(ph);
            s += x[i] * Math.sin(ph);
        }
        return 2 * Math.hypot(c, s) / (to - from);
    }

    static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i] * (double) x[i];
        return Math.sqrt(s / Math.max(1, to - from));
    }

    /**
     * Sample indices in x where the envelope of a gated tone switches (on or off): the envelope is the RMS over 5 ms
     * blocks and a switch is where it crosses half the on-level. Returned as sample positions, accurate to a block.
     */
    static java.util.List<Integer> switches(float[] x, int rate, double onRms) {
        int block = rate / 400; // 2.5 ms hop, 5 ms window
        java.util.List<Integer> out = new java.util.ArrayList<>();
        Boolean on = null;
        for (int i = 0; i + 2 * block <= x.length; i += block) {
            boolean now = rms(x, i, i + 2 * block) > onRms / 2;
            if (on != null && now != on) out.add(i + block);
            on = now;
        }
        return out;
    }
}
