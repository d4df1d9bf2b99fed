package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVCodec;

/**
 * Video encodings the bundled FFmpeg (org.bytedeco:ffmpeg 8.0.1-1.5.13, LGPL build) can write. It has no libx264;
 * checked with {@code avcodec_find_encoder_by_name}, it has libopenh264, mpeg4, libvpx (VP8/VP9), libaom-av1,
 * libsvtav1, and the aac and libopus audio encoders.
 */
public enum VideoCodec {
    /**
     * H.264 Constrained Baseline by Cisco's OpenH264 in MP4 with AAC audio (default for .mp4, .m4v, .mov, .mkv):
     * plays in every browser and in VLC.
     */
    H264("libopenh264", "aac"),
    /** VP9 by libvpx in WebM with Opus audio (default for .webm): plays in Chrome, Firefox, Edge and VLC. */
    VP9("libvpx-vp9", "libopus"),
    /** MPEG-4 Part 2 in MP4 with AAC audio: VLC plays it, browsers do not; fallback when OpenH264 is missing. */
    MPEG4("mpeg4", "aac");

    final String encoder, audioEncoder;

    VideoCodec(String encoder, String audioEncoder) {
        this.encoder = encoder;
        this.audioEncoder = audioEncoder;
    }

    /** Whether this FFmpeg build has the encoders. */
    public boolean available() {
        FFmpeg.init();
        return has(encoder) && has(audioEncoder);
    }

    /** The codecs this FFmpeg build can write. */
    public static Set<VideoCodec> availableCodecs() {
        Set<VideoCodec> s = EnumSet.noneOf(VideoCodec.class);
        for (VideoCodec c : values()) if (c.available()) s.add(c);
        return s;
    }

    static boolean has(String name) {
        AVCodec c = avcodec_find_encoder_by_name(name);
        return c != null && !c.isNull();
    }

    /** Container (FFmpeg muxer name) for a file name: mp4, mov, matroska or webm; null if not a known extension. */
    static String container(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".mp4") || n.endsWith(".m4v")) return "mp4";
        if (n.endsWith(".mov")) return "mov";
        if (n.endsWith(".mkv")) return "matroska";
        if (n.endsWith(".webm")) return "webm";
        return null;
    }

    /** The default codec for a container. */
    static VideoCodec forContainer(String container) { return "webm".equals(container) ? VP9 : H264; }
}
