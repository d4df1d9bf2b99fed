package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import dev.avsal.io.VideoDecodeException.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the frames of a video file as RGB images with their audio windows, on the bundled FFmpeg.
 *
 * <pre>{@code
 * try (VideoReader r = VideoReader.builder().setFile(path).optTargetSize(384, 224).optFrameRate(10)
 *         .optAudioWindow(AudioAlignment.ENDING_AT_FRAME, 2.0).build()) {
 *     for (VideoFrame f; (f = r.read()) != null; ) { ... f.rgb(), f.audio() ... }
 * }
 * }</pre>
 *
 * <ul>
 * <li><b>Pixels</b>: RGB (never BGR), display orientation (the container's rotation is applied), resized inside the
 *     decode path by swscale with an antialiased filter ({@link ResizeFilter}, default bicubic) straight from the
 *     decoder's YUV, using the stream's colour matrix and range (BT.601 when unspecified, like FFmpeg).</li>
 * <li><b>Timing</b>: at the source rate every decoded frame is returned with its own timestamp, so variable frame
 *     rate videos keep their timing. With a target rate r, output frame k has time {@code start + k / r} and shows
 *     the last decoded frame whose timestamp is at most half an output period later (what FFmpeg's fps filter
 *     does: frames are repeated or dropped by timestamp, never by counting). Times are microseconds from time 0 of
 *     the file (the container start time when positive, as for MPEG-TS; else 0).</li>
 * <li><b>Audio</b>: the selected stream (FFmpeg's default choice unless {@code optAudioStream}) is decoded once,
 *     resampled by swresample to mono float at 16 kHz (configurable) and kept in a sliding buffer; each frame gets
 *     its window ({@link AudioAlignment}, default the 2 s ending at the frame), zero-padded before the start and after
 *     the end. By default a new window starts every second ({@link Builder#optAudioHop}) and the frames in between
 *     share it (same samples and same {@link VideoFrame#audioStartSample()}, the key that lets the predictor
 *     encode it once, see {@link VideoFrame#toFrame()}). A video without audio yields silent windows, {@code info().hasAudio() == false} and a warning.</li>
 * <li><b>Memory</b> is bounded: packets are read as needed, one or two decoded frames and one audio window (plus a
 *     decoded chunk) are held, never the whole video.</li>
 * <li><b>Errors</b> end in a {@link VideoDecodeException} naming the file and the {@link Problem}; frames returned
 *     before it stay valid (a truncated file yields what it holds, then the exception says where it stopped).</li>
 * </ul>
 *
 * <p><b>Threads</b>: a reader is not thread-safe; use one reader per thread (FFmpeg may still decode with several
 * threads inside, see {@link Builder#optDecoderThreads}). Different readers may run concurrently. Always close it
 * (try-with-resources): that frees every native allocation.
 */
public final class VideoReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoReader.class);
    /** Default limit on decoded frame size: 40 megapixels (8K UHD is 33.2). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /**
     * Default audio hop: a new window every second. Our choice: ImageBind hears 2 s, so consecutive windows overlap
     * by half and each frame's moment lies inside its window (lookahead at most 1 s with the default alignment),
     * while the audio encoder runs once per second of video instead of once per frame (ImageBind-huge costs about
     * as much per window as CLIP ViT-B/16 per frame on a CPU, so per-frame windows at 10 fps would nearly double
     * the model's time).
     */
    public static final double DEFAULT_AUDIO_HOP_SECONDS = 1.0;
    /** Longest accepted frame side in pixels. */
    public static final int MAX_SIDE = 32_768;

    private final Builder cfg;
    private final Path file;
    private final List<String> warnings = new ArrayList<>();
    private VideoInfo info;
    private AVFormatContext fmt;
    private AVCodecContext dec;
    private AVPacket pkt;
    private AVFrame frame, cur, nxt;
    private SwsContext sws;
    private BytePointer rgbBuf;
    private final PointerPointer<BytePointer> dstData = new PointerPointer<>(4);
    private final IntPointer dstStride = new IntPointer(4);
    private AudioDecoder audio;
    private final AudioTimeline timeline = new AudioTimeline();
    private int vstream, astream = -1;
    private long tbNum, tbDen, origin;
    private int outW, outH, scaleW, scaleH, rotation;
    private long frameDurMicros;   // nominal source frame duration, for frames that carry none
    private long declaredVideoMicros; // for truncation checks; -1 if unknown
    private final long startMicros, endMicros; // requested range; endMicros = Long.MAX_VALUE when open
    private final double outRate;  // 0 = source rate
    private final int windowLen;
    private final long hopLen;     // audio hop in samples; 0 = a window per frame
    // decoding state
    private boolean inputEof, decoderEof, closed;
    private int readError;         // first av_read_frame error other than EOF
    private long lastPts = -1, lastDecodedPts = Long.MIN_VALUE, decodedCount, returned, corrupt;
    // target-rate state: cur is shown for slot k until nxt takes over
    private long curPts = Long.MIN_VALUE, curDur, nxtPts = Long.MIN_VALUE, nxtDur;
    private boolean haveCur, haveNxt;
    private byte[] curRgb;
    private long slot, readNanos;

    private VideoReader(Builder b) throws VideoDecodeException {
        this.cfg = b;
        this.file = b.file;
        this.startMicros = b.startMicros;
        this.endMicros = b.durationMicros < 0 ? Long.MAX_VALUE : b.startMicros + b.durationMicros;
        this.outRate = b.frameRate;
        this.windowLen = (int) Math.round(b.windowSeconds * b.sampleRate);
        this.hopLen = Math.round(b.hopSeconds * b.sampleRate);
        boolean ok = false;
        try {
            open();
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /** A builder; {@link Builder#setFile} is required. */
    public static Builder builder() { return new Builder(); }

    /** Opens the file only to describe it (no frames are decoded). */
    public static VideoInfo probe(Path file) throws VideoDecodeException {
        try (VideoReader r = builder().setFile(file).optAudio(false).probeOnly().build()) {
            return r.info();
        }
    }

    private void open() throws VideoDecodeException {
        fmt = MediaInput.open(file);
        origin = MediaInput.origin(fmt);
        int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
        // Cover art is a video stream of one picture: not a video.
        if (v >= 0 && (fmt.streams(v).disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0) v = AVERROR_STREAM_NOT_FOUND;
        if (v < 0) throw new VideoDecodeException(file, Problem.NO_VIDEO_STREAM, "no video stream (streams: "
                + streamList() + ")");
        vstream = v;
        AVStream st = fmt.streams(v);
        AVCodecParameters par = st.codecpar();
        tbNum = st.time_base().num();
        tbDen = st.time_base().den();
        int w = par.width(), h = par.height();
        if (w <= 0 || h <= 0) throw new VideoDecodeException(file, Problem.INVALID_DATA, "the video stream has no "
                + "valid frame size (" + w + "x" + h + ")");
        if ((long) w * h > cfg.maxPixels || w > MAX_SIDE || h > MAX_SIDE) throw new VideoDecodeException(file,
                Problem.TOO_LARGE, "frame size " + w + "x" + h + " = " + (long) w * h + " pixels exceeds the limit of "
                + cfg.maxPixels + " (optMaxPixels) or a side exceeds " + MAX_SIDE);
        int fileRotation = rotationOf(par);
        rotation = cfg.applyRotation ? fileRotation : 0;
        double fps = rate(st.avg_frame_rate());
        if (fps <= 0 || fps > 1000) fps = rate(st.r_frame_rate());
        if (fps > 1000) fps = 0;
        frameDurMicros = fps > 0 ? Math.round(1e6 / fps) : 40_000;
        long dur = st.duration() != AV_NOPTS_VALUE && st.duration() > 0
                ? av_rescale(st.duration(), tbNum * 1_000_000L, tbDen)
                : fmt.duration() != AV_NOPTS_VALUE ? fmt.duration() : -1;
        long count = st.nb_frames() > 0 ? st.nb_frames() : dur > 0 && fps > 0 ? Math.round(dur * fps / 1e6) : -1;
        int dispW = fileRotation % 180 == 0 ? w : h, dispH = fileRotation % 180 == 0 ? h : w;

        // audio: FFmpeg's default stream, or the n-th audio stream if asked
        int audioStreams = 0, a = -1;
        for (int i = 0; i < fmt.nb_streams(); i++) {
            if (fmt.streams(i).codecpar().codec_type() == AVMEDIA_TYPE_AUDIO) {
                if (audioStreams == cfg.audioStream) a = i;
                audioStreams++;
            }
        }
        if (cfg.audioStream < 0) a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, v, (PointerPointer<?>) null, 0);
        else if (a < 0) throw new IllegalArgumentException("audio stream " + cfg.audioStream + " requested but "
                + file + " has " + audioStreams + " audio stream(s)");
        AVCodecParameters ap = a >= 0 ? fmt.streams(a).codecpar() : null;
        astream = a >= 0 ? a : -1;
        declaredVideoMicros = declaredVideoDuration(st, audioStreams);
        String pixFmt = FFmpeg.str(av_get_pix_fmt_name(par.format()));
        info = new VideoInfo(file, FFmpeg.str(fmt.iformat().name()), dur, fps, count, w, h, fileRotation, dispW, dispH,
                FFmpeg.codecName(par.codec_id()), pixFmt == null ? "unknown" : pixFmt, ap != null,
                ap == null ? null : FFmpeg.codecName(ap.codec_id()), ap == null ? 0 : ap.sample_rate(),
                ap == null ? 0 : ap.ch_layout().nb_channels(), audioStreams);
        if (cfg.probeOnly) return;

        outW = cfg.targetW > 0 ? cfg.targetW : rotation % 180 == 0 ? w : h;
        outH = cfg.targetH > 0 ? cfg.targetH : rotation % 180 == 0 ? h : w;
        scaleW = rotation % 180 == 0 ? outW : outH;
        scaleH = rotation % 180 == 0 ? outH : outW;
        rgbBuf = new BytePointer(av_malloc((long) scaleW * scaleH * 3 + 64));
        if (rgbBuf.isNull()) throw new OutOfMemoryError("no native memory for a " + scaleW + "x" + scaleH + " frame");
        rgbBuf.capacity((long) scaleW * scaleH * 3);
        dstData.put(0, rgbBuf);
        dstStride.put(0, scaleW * 3);

        AVCodec codec = avcodec_find_decoder(par.codec_id());
        if (codec == null || codec.isNull()) throw new VideoDecodeException(file, Problem.UNSUPPORTED_CODEC,
                "no decoder for the video codec " + FFmpeg.codecName(par.codec_id()) + " in this FFmpeg build");
        dec = avcodec_alloc_context3(codec);
        int r = avcodec_parameters_to_context(dec, par);
        if (r >= 0) {
            dec.thread_count(cfg.decoderThreads);
            dec.pkt_timebase(st.time_base());
            r = avcodec_open2(dec, codec, (AVDictionary) null);
        }
        if (r < 0) throw new VideoDecodeException(file, Problem.UNSUPPORTED_CODEC, "cannot open the decoder for "
                + FFmpeg.codecName(par.codec_id()) + ": " + FFmpeg.err(r));
        for (int i = 0; i < fmt.nb_streams(); i++) fmt.streams(i).discard(i == v ? AVDISCARD_DEFAULT : AVDISCARD_ALL);
        pkt = av_packet_alloc();
        frame = av_frame_alloc();
        cur = av_frame_alloc();
        nxt = av_frame_alloc();
        if (startMicros > 0) {
            long ts = av_rescale(startMicros + origin, tbDen, tbNum * 1_000_000L);
            if (av_seek_frame(fmt, v, ts, AVSEEK_FLAG_BACKWARD) < 0) {
                warn("cannot seek to " + startMicros / 1e6 + " s; decoding from the start instead");
            }
        }

        if (cfg.audio && ap != null) {
            audio = new AudioDecoder(file, a, cfg.sampleRate, 1, cfg.mix, this::warn);
            long first = cfg.window.firstSample(startMicros, cfg.sampleRate, windowLen, hopLen);
            if (first > 0) audio.seek(Math.max(0, first * 1_000_000L / cfg.sampleRate - 500_000));
        } else if (cfg.audio) {
            warn("no audio stream: audio windows are silence");
        }
    }

    private static double rate(AVRational q) { return q.num() > 0 && q.den() > 0 ? q.num() / (double) q.den() : 0; }

    /** Clockwise display rotation in degrees from the stream's display matrix (0 if none). */
    private int rotationOf(AVCodecParameters par) {
        AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                AV_PKT_DATA_DISPLAYMATRIX);
        if (sd == null || sd.isNull() || sd.size() < 36) return 0;
        IntPointer m = new IntPointer(sd.data());
        double ccw = av_display_rotation_get(m);
        if (Double.isNaN(ccw)) return 0;
        if ((long) m.get(0) * m.get(4) - (long) m.get(1) * m.get(3) < 0) {
            warn("the display matrix also mirrors the picture; the mirroring is not applied");
        }
        long cw = Math.round(-ccw / 90.0) * 90;
        if (Math.abs(-ccw - cw) > 1) warn("display rotation " + (-ccw) + " degrees is not a multiple of 90; using " + cw);
        return (int) (((cw % 360) + 360) % 360);
    }

    private String streamList() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.nb_streams(); i++) {
            AVCodecParameters p = fmt.streams(i).codecpar();
            BytePointer t = av_get_media_type_string(p.codec_type());
            sb.append(i == 0 ? "" : ", ").append(t == null || t.isNull() ? "unknown" : t.getString()).append(' ')
                    .append(FFmpeg.codecName(p.codec_id()));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private void warn(String msg) {
        warnings.add(msg);
        LOG.warn("{}: {}", file, msg);
    }

    /** What the file holds. */
    public VideoInfo info() { return info; }

    /** Frames per second of the output: the target rate, or the source's average rate (0 if unknown). */
    public double frameRate() { return outRate > 0 ? outRate : info.frameRate(); }

    /** Width of returned frames. */
    public int width() { return outW; }

    /** Height of returned frames. */
    public int height() { return outH; }

    /** Sample rate of the audio windows in Hz. */
    public int audioSampleRate() { return cfg.sampleRate; }

    /** Samples in each audio window (0 with audio switched off). */
    public int audioWindowSamples() { return cfg.audio ? windowLen : 0; }

    /** Warnings so far (no audio, skipped corrupt data, unusual metadata), also logged at WARN. */
    public List<String> warnings() { return Collections.unmodifiableList(warnings); }

    /** Index of the selected audio stream in the file, -1 if none (for writers that copy the audio). */
    int audioStreamIndex() { return astream; }

    /** Target frame rate, 0 at the source rate. */
    double targetFrameRate() { return outRate; }

    int maxCorruptFrames() { return cfg.maxCorruptFrames; }

    boolean appliesRotation() { return cfg.applyRotation; }

    /** Start limit in microseconds. */
    long startMicros() { return startMicros; }

    /** Duration limit in microseconds, -1 if none. */
    long durationMicros() { return cfg.durationMicros; }

    /** Audio samples currently buffered (for tests of the memory bound). */
    int audioSamplesHeld() { return timeline.held(); }

    /** Frames returned so far. */
    public long framesRead() { return returned; }

    /**
     * The next frame, or null after the last one (or after the duration limit).
     *
     * @throws VideoDecodeException when the file turns out truncated or corrupt; frames returned before stay valid
     */
    public VideoFrame read() throws VideoDecodeException {
        if (closed) throw new IllegalStateException(file + ": reader is closed");
        long t0 = System.nanoTime();
        try {
            return outRate > 0 ? readResampled() : readNative();
        } finally {
            readNanos += System.nanoTime() - t0;
        }
    }

    /** Seconds spent in {@link #read()} so far (demuxing, decoding, resizing, audio). */
    public double decodeSeconds() { return readNanos / 1e9; }

    /** The audio window placement. */
    public AudioAlignment audioAlignment() { return cfg.window; }

    /** The audio window length in seconds. */
    public double audioWindowSeconds() { return cfg.windowSeconds; }

    /** The audio hop in seconds: consecutive frames within one hop share a window; 0 = a window per frame. */
    public double audioHopSeconds() { return cfg.hopSeconds; }

    private VideoFrame readNative() throws VideoDecodeException {
        while (true) {
            long pts = decodeNext(frame);
            if (pts == Long.MIN_VALUE) { finish(); return null; }
            try {
                if (pts < startMicros) continue;
                if (pts >= endMicros) { finish(); return null; }
                return emit(convert(frame), pts, pts);
            } finally {
                av_frame_unref(frame);
            }
        }
    }

    private VideoFrame readResampled() throws VideoDecodeException {
        long half = Math.round(5e5 / outRate);
        while (true) {
            long t = startMicros + Math.round(slot * 1e6 / outRate);
            if (t >= endMicros) { finish(); return null; }
            if (!haveCur) {
                curPts = decodeNext(cur);
                if (curPts == Long.MIN_VALUE) { finish(); return null; }
                curDur = lastDur(cur);
                haveCur = true;
                curRgb = null;
            }
            if (!haveNxt && !decoderEof) {
                nxtPts = decodeNext(nxt);
                if (nxtPts != Long.MIN_VALUE) { haveNxt = true; nxtDur = lastDur(nxt); }
            }
            // cur covers slots up to the next frame's time minus half a period; the last frame its own duration
            boolean covers = haveNxt ? t + half < nxtPts : t < curPts + curDur;
            if (covers) {
                if (curRgb == null) curRgb = convert(cur);
                slot++;
                return emit(curRgb.clone(), t, curPts);
            }
            if (!haveNxt) { finish(); return null; }
            av_frame_unref(cur);
            av_frame_move_ref(cur, nxt);
            curPts = nxtPts;
            curDur = nxtDur;
            curRgb = null;
            haveNxt = false;
        }
    }

    private long lastDur(AVFrame f) {
        long d = f.duration() > 0 ? av_rescale(f.duration(), tbNum * 1_000_000L, tbDen) : 0;
        return d > 0 ? d : frameDurMicros;
    }

    private VideoFrame emit(byte[] rgb, long pts, long sourcePts) throws VideoDecodeException {
        float[] win;
        long first = 0;
        if (!cfg.audio) {
            win = new float[0];
        } else {
            first = cfg.window.firstSample(pts, cfg.sampleRate, windowLen, hopLen);
            if (audio != null) {
                while (!audio.eof() && timeline.end() < first + windowLen) audio.decodeMore(this::onAudio);
            }
            win = new float[windowLen];
            timeline.copy(first, win);
            timeline.discardBefore(first);
        }
        lastPts = sourcePts;
        return new VideoFrame(returned++, pts, sourcePts, outW, outH, rgb, win, first);
    }

    private void onAudio(float[] samples, int n, long at) { timeline.append(samples, 0, n, at); }

    /**
     * Decodes the next frame into f; returns its time in microseconds (relative to time 0 of the file), or
     * Long.MIN_VALUE at the end of the stream.
     */
    private long decodeNext(AVFrame f) throws VideoDecodeException {
        while (!decoderEof) {
            int r = avcodec_receive_frame(dec, f);
            if (r == 0) {
                if (f.decode_error_flags() != 0 || (f.flags() & 1 /* AV_FRAME_FLAG_CORRUPT */) != 0) {
                    corruptData("frame " + decodedCount + " was damaged (decoder concealed errors)");
                }
                long ts = f.best_effort_timestamp();
                long pts = ts == AV_NOPTS_VALUE
                        ? (lastDecodedPts == Long.MIN_VALUE ? 0 : lastDecodedPts + frameDurMicros)
                        : av_rescale(ts, tbNum * 1_000_000L, tbDen) - origin;
                lastDecodedPts = pts;
                decodedCount++;
                return pts;
            }
            if (r == AVERROR_EOF) { decoderEof = true; break; }
            if (r != FFmpeg.EAGAIN) {
                if (inputEof) { decoderEof = true; break; }
                corruptData("the decoder failed: " + FFmpeg.err(r));
                continue;
            }
            if (inputEof) { decoderEof = true; break; }
            r = av_read_frame(fmt, pkt);
            if (r < 0) {
                if (r != AVERROR_EOF) readError = r;
                inputEof = true;
                avcodec_send_packet(dec, null); // flush: the frames still inside the decoder come out first
                continue;
            }
            try {
                if (pkt.stream_index() != vstream) continue;
                r = avcodec_send_packet(dec, pkt);
                if (r < 0 && r != FFmpeg.EAGAIN) corruptData("a packet was rejected: " + FFmpeg.err(r));
            } finally {
                av_packet_unref(pkt);
            }
        }
        return Long.MIN_VALUE;
    }

    private void corruptData(String what) throws VideoDecodeException {
        corrupt++;
        if (corrupt > cfg.maxCorruptFrames) {
            throw new VideoDecodeException(file, Problem.CORRUPT, what + (cfg.maxCorruptFrames > 0
                    ? "; more than " + cfg.maxCorruptFrames + " damaged frames/packets (optMaxCorruptFrames)" : ""),
                    Math.max(lastPts, 0), returned, null);
        }
        warn(what + " near " + String.format("%.3f s", Math.max(lastDecodedPts, 0) / 1e6) + "; continuing");
    }

    /**
     * End of stream: a read error, or a video stream clearly shorter than its declared duration (demuxers such as
     * mp4's report a cut file as a plain end of file), means the file was cut.
     */
    private void finish() throws VideoDecodeException {
        if (readError != 0) {
            int e = readError;
            readError = 0;
            throw new VideoDecodeException(file, Problem.TRUNCATED, "the data end early (" + FFmpeg.err(e) + ")",
                    Math.max(lastPts, 0), returned, null);
        }
        if (decoderEof && declaredVideoMicros > 0 && endMicros == Long.MAX_VALUE && lastDecodedPts != Long.MIN_VALUE) {
            long end = lastDecodedPts + frameDurMicros;
            long margin = Math.max(Math.max(3 * frameDurMicros, 250_000), declaredVideoMicros / 100);
            long declared = declaredVideoMicros;
            if (end < declared - margin) {
                declaredVideoMicros = -1; // report once
                throw new VideoDecodeException(file, Problem.TRUNCATED, String.format("the video stream ends at "
                        + "%.3f s but the file says it lasts %.3f s", end / 1e6, declared / 1e6),
                        Math.max(lastPts, 0), returned, null);
            }
        }
    }

    /**
     * Duration of the video stream as the file declares it: the stream's own duration, else a DURATION tag (what
     * FFmpeg writes into Matroska), else the container's when there is no audio stream that could be longer.
     */
    private long declaredVideoDuration(AVStream st, int audioStreams) {
        if (st.duration() != AV_NOPTS_VALUE && st.duration() > 0) return av_rescale(st.duration(), tbNum * 1_000_000L, tbDen);
        AVDictionaryEntry tag = av_dict_get(st.metadata(), "DURATION", null, 0);
        if (tag != null && !tag.isNull()) {
            String[] hms = tag.value().getString().trim().split(":");
            try {
                if (hms.length == 3) return Math.round((Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60
                        + Double.parseDouble(hms[2])) * 1e6);
            } catch (NumberFormatException ignored) { // fall through
            }
        }
        return audioStreams == 0 && fmt.duration() != AV_NOPTS_VALUE ? fmt.duration() : -1;
    }

    /** Scales (and converts to RGB) the decoded frame, then rotates it to display orientation. */
    private byte[] convert(AVFrame f) throws VideoDecodeException {
        int w = f.width(), h = f.height();
        if ((long) w * h > cfg.maxPixels || w <= 0 || h <= 0) throw new VideoDecodeException(file, Problem.TOO_LARGE,
                "decoded frame size " + w + "x" + h + " exceeds the limit of " + cfg.maxPixels + " pixels",
                Math.max(lastPts, 0), returned, null);
        SwsContext s = sws_getCachedContext(sws, w, h, f.format(), scaleW, scaleH, AV_PIX_FMT_RGB24,
                cfg.filter.swsFlag | SWS_ACCURATE_RND, null, null, (DoublePointer) null);
        if (s == null || s.isNull()) throw new VideoDecodeException(file, Problem.DECODER_ERROR, "swscale cannot "
                + "convert " + FFmpeg.str(av_get_pix_fmt_name(f.format())) + " " + w + "x" + h + " to RGB",
                Math.max(lastPts, 0), returned, null);
        if (!s.equals(sws) || f.colorspace() != lastSpace || f.color_range() != lastRange) {
            // Decoders tag the matrix (BT.601/709/2020) and range; swscale assumes BT.601 limited unless told.
            sws_setColorspaceDetails(s, sws_getCoefficients(f.colorspace()), f.color_range() == AVCOL_RANGE_JPEG ? 1 : 0,
                    sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
            lastSpace = f.colorspace();
            lastRange = f.color_range();
        }
        sws = s;
        int rows = sws_scale(sws, f.data(), f.linesize(), 0, h, dstData, dstStride);
        if (rows <= 0) throw new VideoDecodeException(file, Problem.DECODER_ERROR, "swscale failed: "
                + FFmpeg.err(rows), Math.max(lastPts, 0), returned, null);
        byte[] scaled = new byte[scaleW * scaleH * 3];
        rgbBuf.position(0).get(scaled);
        return rotation == 0 ? scaled : Rotation.rotate(scaled, scaleW, scaleH, rotation);
    }

    private int lastSpace = -1, lastRange = -1;

    /** Frees every native resource; idempotent. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        if (audio != null) audio.close();
        if (frame != null) av_frame_free(frame);
        if (cur != null) av_frame_free(cur);
        if (nxt != null) av_frame_free(nxt);
        if (pkt != null) av_packet_free(pkt);
        if (dec != null) avcodec_free_context(dec);
        if (fmt != null) avformat_close_input(fmt);
        if (sws != null) sws_freeContext(sws);
        if (rgbBuf != null) av_free(rgbBuf.position(0));
        dstData.close();
        dstStride.close();
        audio = null;
        frame = cur = nxt = null;
        pkt = null;
        dec = null;
        fmt = null;
        sws = null;
        rgbBuf = null;
    }

    /**
     * Settings of a {@link VideoReader}. Only {@link #setFile} is required. Not thread-safe; a builder may build
     * several readers.
     */
    public static final class Builder {
        private Path file;
        private int targetW, targetH;
        private ResizeFilter filter = ResizeFilter.BICUBIC;
        private double frameRate;
        private long startMicros, durationMicros = -1;
        private AudioAlignment window = AudioAlignment.ENDING_AT_FRAME;
        private double windowSeconds = 2.0;
        private double hopSeconds = DEFAULT_AUDIO_HOP_SECONDS;
        private int sampleRate = 16_000;
        private AudioMix mix = AudioMix.MEAN;
        private boolean audio = true, applyRotation = true, probeOnly;
        private int audioStream = -1;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private int decoderThreads;
        private int maxCorruptFrames;

        private Builder() {}

        /** The video file (required). */
        public Builder setFile(Path file) { this.file = Objects.requireNonNull(file, "file"); return this; }

        /** Output frame size (display orientation); by default the display size of the video. Aspect is not kept. */
        public Builder optTargetSize(int width, int height) {
            if (width < 1 || height < 1 || (long) width * height > 1L << 28) {
                throw new IllegalArgumentException("target size " + width + "x" + height + " is not valid");
            }
            targetW = width;
            targetH = height;
            return this;
        }

        /** Resize filter (default {@link ResizeFilter#BICUBIC}). */
        public Builder optResizeFilter(ResizeFilter f) { filter = Objects.requireNonNull(f); return this; }

        /** Output frame rate; 0 (default) keeps every decoded frame with its own timestamp. */
        public Builder optFrameRate(double fps) {
            if (!(fps >= 0 && fps <= 1000)) throw new IllegalArgumentException("frame rate " + fps + " not in [0, 1000]");
            frameRate = fps;
            return this;
        }

        /** Start time from time 0 of the file (default 0). */
        public Builder optStart(Duration start) {
            if (start.isNegative()) throw new IllegalArgumentException("negative start " + start);
            startMicros = start.toNanos() / 1000;
            return this;
        }

        /** Longest stretch to read from the start time (default: to the end). */
        public Builder optDuration(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("negative duration " + d);
            durationMicros = d.toNanos() / 1000;
            return this;
        }

        /** Placement and length of each frame's audio window (default: the 2 s ending at the frame). */
        public Builder optAudioWindow(AudioAlignment align, double seconds) {
            if (!(seconds > 0 && seconds <= 60)) throw new IllegalArgumentException("window " + seconds + " s not in (0, 60]");
            window = Objects.requireNonNull(align);
            windowSeconds = seconds;
            return this;
        }

        /**
         * How often a new audio window starts (default {@value VideoReader#DEFAULT_AUDIO_HOP_SECONDS} s): frames are
         * grouped into hop slots of this length from time 0 of the file and all frames of a slot get the same
         * window (same samples, same {@link VideoFrame#audioStartSample()} key), placed relative to the slot as
         * {@link AudioAlignment} describes; the predictor then encodes it once. {@link Duration#ZERO} gives every
         * frame its own window placed relative to the frame itself.
         */
        public Builder optAudioHop(Duration hop) {
            double s = hop.toNanos() / 1e9;
            if (!(s >= 0 && s <= 60)) throw new IllegalArgumentException("audio hop " + hop + " not in [0, 60] s");
            hopSeconds = s;
            return this;
        }

        /** Sample rate of the audio windows (default 16000 Hz, ImageBind's). */
        public Builder optAudioSampleRate(int hz) {
            if (hz < 1000 || hz > 192_000) throw new IllegalArgumentException("sample rate " + hz + " not in [1000, 192000]");
            sampleRate = hz;
            return this;
        }

        /** How channels become mono (default {@link AudioMix#MEAN}). */
        public Builder optAudioMix(AudioMix m) { mix = Objects.requireNonNull(m); return this; }

        /** Whether to decode audio at all (default true); without it frames carry empty audio arrays. */
        public Builder optAudio(boolean on) { audio = on; return this; }

        /** Use the n-th audio stream (0-based, in file order) instead of FFmpeg's default choice. */
        public Builder optAudioStream(int n) {
            if (n < 0) throw new IllegalArgumentException("audio stream " + n);
            audioStream = n;
            return this;
        }

        /** Refuse videos whose frames have more pixels (default {@link VideoReader#DEFAULT_MAX_PIXELS}). */
        public Builder optMaxPixels(long n) {
            if (n < 1) throw new IllegalArgumentException("max pixels " + n);
            maxPixels = n;
            return this;
        }

        /**
         * Apply the container's display rotation (default true). When off, frames keep the coded orientation
         * while {@link VideoInfo} still reports the display size and rotation.
         */
        public Builder optApplyRotation(boolean on) { applyRotation = on; return this; }

        /** Decoder threads; 0 (default) lets FFmpeg choose from the core count. */
        public Builder optDecoderThreads(int n) {
            if (n < 0 || n > 64) throw new IllegalArgumentException("threads " + n);
            decoderThreads = n;
            return this;
        }

        /**
         * Damaged frames or rejected packets to tolerate (with a warning each) before failing with
         * {@link Problem#CORRUPT}; default 0: the first one fails.
         */
        public Builder optMaxCorruptFrames(int n) {
            if (n < 0) throw new IllegalArgumentException("max corrupt frames " + n);
            maxCorruptFrames = n;
            return this;
        }

        Builder probeOnly() { probeOnly = true; return this; }

        /** Opens the file; the caller must close the reader. */
        public VideoReader build() throws VideoDecodeException {
            if (file == null) throw new IllegalStateException("setFile is required");
            return new VideoReader(this);
        }
    }
}
