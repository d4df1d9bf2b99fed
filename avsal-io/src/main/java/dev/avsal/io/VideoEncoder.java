package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Encodes RGB frames (and optionally interleaved float audio) into a video file with FFmpeg: YUV 4:2:0 tagged
 * BT.709 limited range (what browsers assume), H.264 (OpenH264) / VP9 / MPEG-4 with AAC / Opus, MP4 with the index
 * at the front (+faststart) for progressive playback. Writes to a temporary file and renames it on
 * {@link #finish()}; {@link #close()} without finish deletes it. Not thread-safe; frees all native memory on close.
 */
final class VideoEncoder implements AutoCloseable {
    /** Audio track settings: interleaved float input at this rate and channel count. */
    record Audio(int sampleRate, int channels) {}

    private final Path target, tmp;
    private final boolean overwrite;
    private final int width, height;
    private AVFormatContext oc;
    private AVCodecContext vc, ac;
    private AVStream vst, ast;
    private AVFrame vframe, aframe;
    private AVPacket pkt;
    private SwsContext sws;
    private BytePointer rgbIn;
    private final PointerPointer<BytePointer> srcData = new PointerPointer<>(4);
    private final IntPointer srcStride = new IntPointer(4);
    private long lastVideoPts = Long.MIN_VALUE, audioPts;
    private int audioChannels, audioFrameSize;
    private boolean audioPlanar;
    private float[] fifo = new float[0];
    private int fifoFrames;
    private boolean headerWritten, finished, closed;
    private long videoFrames, frameDur;
    final VideoCodec codec;

    VideoEncoder(Path target, boolean overwrite, VideoCodec requested, int width, int height, double fps,
            long bitRate, Audio audio, Consumer<String> warn) throws VideoEncodeException {
        FFmpeg.init();
        this.target = target;
        this.overwrite = overwrite;
        if (width < 2 || height < 2 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("video size must be even and at least 2x2: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        String container = VideoCodec.container(target);
        if (container == null) throw new VideoEncodeException(target, "unknown video file extension (use .mp4, "
                + ".m4v, .mov, .mkv or .webm)");
        VideoCodec c = requested != null ? requested : VideoCodec.forContainer(container);
        if (!c.available() && c == VideoCodec.H264 && VideoCodec.MPEG4.available()) {
            warn.accept("libopenh264 is not in this FFmpeg build; writing MPEG-4 Part 2 (plays in VLC, not browsers)");
            c = VideoCodec.MPEG4;
        }
        if (!c.available()) throw new VideoEncodeException(target, "this FFmpeg build has no " + c.encoder
                + " / " + c.audioEncoder + " encoder");
        if (container.equals("webm") && c != VideoCodec.VP9) throw new VideoEncodeException(target,
                "WebM holds VP9 video only, not " + c);
        if (!container.equals("webm") && !container.equals("matroska") && c == VideoCodec.VP9) {
            throw new VideoEncodeException(target, "VP9 needs a .webm or .mkv file");
        }
        this.codec = c;
        try {
            AtomicFiles.checkTarget(target, overwrite);
        } catch (IOException e) {
            throw new VideoEncodeException(target, e.getMessage(), e);
        }
        tmp = AtomicFiles.temp(target);
        boolean ok = false;
        try {
            open(container, fps, bitRate, audio);
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    private void open(String container, double fps, long bitRate, Audio audio) throws VideoEncodeException {
        oc = new AVFormatContext(null);
        // The URL is kept in the context: +faststart reopens the file by it to move the index to the front.
        try (BytePointer url = new BytePointer("file:" + tmp, StandardCharsets.UTF_8);
             BytePointer name = new BytePointer(container)) {
            check(avformat_alloc_output_context2(oc, null, name, url), "no " + container + " muxer");
        }
        // video
        AVCodec enc = avcodec_find_encoder_by_name(codec.encoder);
        vst = avformat_new_stream(oc, null);
        vc = avcodec_alloc_context3(enc);
        vc.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P);
        // Millisecond timestamps: exact enough for any frame rate, and within MPEG-4 Part 2's 16-bit limit.
        vc.time_base().num(1).den(1000);
        int fpsNum = (int) Math.round(fps * 1000);
        vc.framerate().num(fpsNum).den(1000);
        frameDur = Math.max(1, Math.round(1000 / fps));
        vc.gop_size((int) Math.max(1, Math.round(fps * 2))); // a key frame every 2 s: quick seeking
        vc.max_b_frames(0);
        vc.bit_rate(bitRate > 0 ? bitRate : defaultBitRate(fps));
        vc.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709).colorspace(AVCOL_SPC_BT709)
                .color_range(AVCOL_RANGE_MPEG);
        if ((oc.oformat().flags() & AVFMT_GLOBALHEADER) != 0) vc.flags(vc.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        AVDictionary opts = new AVDictionary(null);
        try {
            if (codec == VideoCodec.VP9) { // realtime settings: libvpx at default settings is very slow
                av_dict_set(opts, "deadline", "realtime", 0);
                av_dict_set(opts, "cpu-used", "8", 0);
                av_dict_set(opts, "row-mt", "1", 0);
            }
            check(avcodec_open2(vc, enc, opts), "cannot open the " + codec.encoder + " encoder");
        } finally {
            av_dict_free(opts);
        }
        check(avcodec_parameters_from_context(vst.codecpar(), vc), "codec parameters");
        vst.time_base().num(1).den(1000);
        // audio
        if (audio != null) {
            AVCodec aenc = avcodec_find_encoder_by_name(codec.audioEncoder);
            ast = avformat_new_stream(oc, null);
            ac = avcodec_alloc_context3(aenc);
            audioPlanar = codec.audioEncoder.equals("aac");
            ac.sample_fmt(audioPlanar ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT);
            ac.sample_rate(audio.sampleRate());
            av_channel_layout_default(ac.ch_layout(), audio.channels());
            ac.bit_rate(audio.channels() == 1 ? 96_000 : 160_000);
            ac.time_base().num(1).den(audio.sampleRate());
            if ((oc.oformat().flags() & AVFMT_GLOBALHEADER) != 0) ac.flags(ac.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            check(avcodec_open2(ac, aenc, (AVDictionary) null), "cannot open the " + codec.audioEncoder + " encoder");
            check(avcodec_parameters_from_context(ast.codecpar(), ac), "audio codec parameters");
            ast.time_base().num(1).den(audio.sampleRate());
            audioChannels = audio.channels();
            boolean variable = (aenc.capabilities() & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) != 0;
            audioFrameSize = ac.frame_size() > 0 && !variable ? ac.frame_size() : 1024;
            aframe = av_frame_alloc();
        }
        // file
        AVIOContext pb = new AVIOContext(null);
        try (BytePointer url = new BytePointer("file:" + tmp, StandardCharsets.UTF_8)) {
            check(avio_open(pb, url, AVIO_FLAG_WRITE), "cannot create " + tmp);
        }
        oc.pb(pb);
        AVDictionary mopts = new AVDictionary(null);
        try {
            if (container.equals("mp4") || container.equals("mov")) av_dict_set(mopts, "movflags", "+faststart", 0);
            check(avformat_write_header(oc, mopts), "cannot write the file header");
        } finally {
            av_dict_free(mopts);
        }
        headerWritten = true;
        pkt = av_packet_alloc();
        vframe = av_frame_alloc();
        vframe.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        check(av_frame_get_buffer(vframe, 0), "frame buffer");
        vframe.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709).colorspace(AVCOL_SPC_BT709)
                .color_range(AVCOL_RANGE_MPEG);
        rgbIn = new BytePointer(av_malloc((long) width * height * 3 + 64)).capacity((long) width * height * 3);
        srcData.put(0, rgbIn);
        srcStride.put(0, width * 3);
        sws = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, null, null, (DoublePointer) null);
        if (sws == null || sws.isNull()) throw new VideoEncodeException(target, "swscale RGB -> YUV unavailable");
        sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_ITU709), 0,
                0, 1 << 16, 1 << 16);
    }

    /** About 0.15 bits per pixel per frame: visually clean for saliency maps and overlays. */
    private long defaultBitRate(double fps) {
        return Math.max(200_000, Math.round(width * (double) height * Math.max(fps, 1) * 0.15));
    }

    /** Encodes one frame, width x height RGB, shown from ptsMicros (output time; must increase). */
    void writeRgb(byte[] rgb, long ptsMicros) throws VideoEncodeException {
        if (rgb.length != width * height * 3) throw new IllegalArgumentException("frame has " + rgb.length
                + " bytes, not " + width + "x" + height + "x3");
        long pts = Math.round(ptsMicros / 1000.0);
        if (pts <= lastVideoPts) pts = lastVideoPts + 1; // never equal: the muxer refuses non-increasing times
        lastVideoPts = pts;
        check(av_frame_make_writable(vframe), "frame not writable");
        rgbIn.position(0).put(rgb);
        sws_scale(sws, srcData, srcStride, 0, height, vframe.data(), vframe.linesize());
        vframe.pts(pts);
        encode(vc, vframe, vst);
        videoFrames++;
    }

    /** Appends interleaved audio samples (frames x channels) following the previous ones without gap. */
    void writeAudio(float[] interleaved, int off, int frames) throws VideoEncodeException {
        if (ac == null || frames <= 0) return;
        int need = (fifoFrames + frames) * audioChannels;
        if (fifo.length < need) fifo = java.util.Arrays.copyOf(fifo, Math.max(need, fifo.length * 2));
        System.arraycopy(interleaved, off * audioChannels, fifo, fifoFrames * audioChannels, frames * audioChannels);
        fifoFrames += frames;
        int done = 0;
        while (fifoFrames - done >= audioFrameSize) {
            sendAudio(done, audioFrameSize);
            done += audioFrameSize;
        }
        System.arraycopy(fifo, done * audioChannels, fifo, 0, (fifoFrames - done) * audioChannels);
        fifoFrames -= done;
    }

    /** Output audio samples written so far (per channel). */
    long audioSamples() { return audioPts + fifoFrames; }

    boolean hasAudio() { return ac != null; }

    private void sendAudio(int from, int n) throws VideoEncodeException {
        av_frame_unref(aframe);
        aframe.format(ac.sample_fmt()).sample_rate(ac.sample_rate()).nb_samples(n);
        check(av_channel_layout_copy(aframe.ch_layout(), ac.ch_layout()), "channel layout");
        check(av_frame_get_buffer(aframe, 0), "audio frame buffer");
        if (audioPlanar) {
            float[] plane = new float[n];
            for (int ch = 0; ch < audioChannels; ch++) {
                for (int i = 0; i < n; i++) plane[i] = fifo[(from + i) * audioChannels + ch];
                new FloatPointer(aframe.data(ch)).put(plane, 0, n);
            }
        } else {
            new FloatPointer(aframe.data(0)).put(fifo, from * audioChannels, n * audioChannels);
        }
        aframe.pts(audioPts);
        audioPts += n;
        encode(ac, aframe, ast);
    }

    private void encode(AVCodecContext c, AVFrame f, AVStream st) throws VideoEncodeException {
        check(avcodec_send_frame(c, f), "the " + (c == vc ? "video" : "audio") + " encoder refused a frame");
        while (true) {
            int r = avcodec_receive_packet(c, pkt);
            if (r == FFmpeg.EAGAIN || r == AVERROR_EOF) return;
            check(r, "encoding failed");
            // MP4 ends the track (edit list) at the last packet's pts + duration: without a duration the last
            // frame would be cut off
            if (pkt.duration() <= 0 && c == vc) pkt.duration(frameDur);
            av_packet_rescale_ts(pkt, c.time_base(), st.time_base());
            pkt.stream_index(st.index());
            r = av_interleaved_write_frame(oc, pkt); // takes ownership of the packet's data
            check(r, "cannot write to " + tmp);
        }
    }

    /** Flushes encoders, completes the file and renames it to the target. */
    void finish() throws VideoEncodeException {
        if (finished) return;
        if (videoFrames == 0) throw new VideoEncodeException(target, "no frames were written");
        if (ac != null) {
            if (fifoFrames > 0) { // last partial frame: encoders without small-frame support get zero padding
                boolean small = (ac.codec().capabilities() & AV_CODEC_CAP_SMALL_LAST_FRAME) != 0;
                int n = fifoFrames;
                if (!small) {
                    writeAudio(new float[(audioFrameSize - n) * audioChannels], 0, audioFrameSize - n);
                } else {
                    sendAudio(0, n);
                    fifoFrames = 0;
                }
            }
            encode(ac, null, ast);
        }
        encode(vc, null, vst);
        check(av_write_trailer(oc), "cannot finish the file");
        avio_closep(oc.pb());
        oc.pb(null);
        try {
            AtomicFiles.commit(tmp, target, overwrite);
        } catch (IOException e) {
            throw new VideoEncodeException(target, "cannot rename the finished file into place: " + e, e);
        }
        finished = true;
    }

    private void check(int r, String what) throws VideoEncodeException {
        if (r < 0) throw new VideoEncodeException(target, what + ": " + FFmpeg.err(r));
    }

    /** Frees everything; without a successful {@link #finish()} the partial file is deleted. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        if (oc != null && oc.pb() != null && !oc.pb().isNull()) avio_closep(oc.pb());
        if (oc != null) avformat_free_context(oc);
        if (vc != null) avcodec_free_context(vc);
        if (ac != null) avcodec_free_context(ac);
        if (vframe != null) av_frame_free(vframe);
        if (aframe != null) av_frame_free(aframe);
        if (pkt != null) av_packet_free(pkt);
        if (sws != null) sws_freeContext(sws);
        if (rgbIn != null) av_free(rgbIn.position(0));
        srcData.close();
        srcStride.close();
        oc = null;
        vc = ac = null;
        vframe = aframe = null;
        pkt = null;
        sws = null;
        rgbIn = null;
        if (!finished && tmp != null) AtomicFiles.discard(tmp);
    }
}
