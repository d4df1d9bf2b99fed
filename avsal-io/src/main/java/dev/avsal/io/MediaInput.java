package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import dev.avsal.io.VideoDecodeException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;

/** Opens a local media file with FFmpeg's demuxers, mapping every failure to a {@link VideoDecodeException}. */
final class MediaInput {
    private MediaInput() {}

    /** Checks the path from Java first: FFmpeg's own messages for these cases are vague ("No such file"...). */
    static void checkFile(Path file) throws VideoDecodeException {
        if (!Files.exists(file)) throw new VideoDecodeException(file, Problem.NOT_FOUND, "no such file");
        if (Files.isDirectory(file)) throw new VideoDecodeException(file, Problem.UNREADABLE, "is a directory");
        if (!Files.isReadable(file)) throw new VideoDecodeException(file, Problem.UNREADABLE, "permission denied");
        try {
            if (Files.size(file) == 0) throw new VideoDecodeException(file, Problem.EMPTY, "the file is empty (0 bytes)");
        } catch (IOException e) {
            throw new VideoDecodeException(file, Problem.UNREADABLE, "cannot read: " + e, -1, -1, e);
        }
    }

    /**
     * Opens and probes the file; the caller owns the returned context ({@code avformat_close_input}). Only the
     * "file" protocol is allowed, so a playlist or concat script inside a file cannot make FFmpeg fetch URLs.
     */
    static AVFormatContext open(Path file) throws VideoDecodeException {
        FFmpeg.init();
        checkFile(file);
        AVFormatContext fmt = new AVFormatContext(null);
        AVDictionary opts = new AVDictionary(null);
        // "file:" keeps FFmpeg from reading a name like "concat:a|b" or "http:x" as a protocol.
        try (BytePointer url = new BytePointer("file:" + file.toAbsolutePath(), StandardCharsets.UTF_8)) {
            av_dict_set(opts, "protocol_whitelist", "file", 0);
            int r = avformat_open_input(fmt, url, null, opts);
            if (r < 0) {
                if (r == AVERROR_EOF) throw new VideoDecodeException(file, Problem.TRUNCATED, "the file ends inside "
                        + "its headers: " + FFmpeg.err(r));
                Problem p = r == AVERROR_INVALIDDATA ? Problem.INVALID_DATA : Problem.UNREADABLE;
                throw new VideoDecodeException(file, p, "FFmpeg cannot open it: " + FFmpeg.err(r));
            }
        } finally {
            av_dict_free(opts);
        }
        int r = avformat_find_stream_info(fmt, (AVDictionary) null);
        if (r < 0) {
            avformat_close_input(fmt);
            throw new VideoDecodeException(file, Problem.INVALID_DATA, "cannot read stream information: "
                    + FFmpeg.err(r));
        }
        return fmt;
    }

    /** Time 0 of the file in microseconds: the container's start time when positive (MPEG-TS), else 0. */
    static long origin(AVFormatContext fmt) {
        long s = fmt.start_time();
        return s == AV_NOPTS_VALUE || s < 0 ? 0 : s;
    }
}
