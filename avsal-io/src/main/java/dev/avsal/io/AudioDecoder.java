package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swresample.*;

import dev.avsal.io.VideoDecodeException.Problem;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes one audio stream of a file with its own demuxer (so audio can run ahead of or behind the video without
 * buffering the other stream's packets) and resamples it with swresample to interleaved float at a fixed rate and
 * channel count. Each chunk is handed to a {@link Sink} with the absolute index of its first sample (index 0 = time
 * 0 of the file), derived from the stream's timestamps, so gaps and seeks keep audio and video in sync.
 *
 * <p>Not thread-safe. All native memory is freed by {@link #close()}.
 */
final class AudioDecoder implements AutoCloseable {
    /** Receives decoded samples: {@code frames} frames of {@code channels} interleaved floats starting at index. */
    interface Sink { void accept(float[] interleaved, int frames, long firstIndex); }

    private final Path file;
    private final int stream;
    private final int outRate, outChannels;
    private final AudioMix mix;
    private final long origin;
    private final Consumer<String> warn;
    private AVFormatContext fmt;
    private AVCodecContext ctx;
    private AVPacket pkt;
    private AVFrame frame;
    private SwrContext swr;
    private int swrFormat = -1, swrRate = -1, swrChannels = -1;
    private FloatPointer out;
    private int outCap;
    private final PointerPointer<FloatPointer> outPP = new PointerPointer<>(1);
    private float[] chunk = new float[0];
    private final long tbNum, tbDen;
    private boolean flushing, eof, resync = true;
    private long nextIndex;
    private int badPackets;

    AudioDecoder(Path file, int stream, int outRate, int outChannels, AudioMix mix, Consumer<String> warn)
            throws VideoDecodeException {
        this.file = file;
        this.stream = stream;
        this.outRate = outRate;
        this.outChannels = outChannels;
        this.mix = mix;
        this.warn = warn;
        boolean ok = false;
        try {
            fmt = MediaInput.open(file);
            origin = MediaInput.origin(fmt);
            for (int i = 0; i < fmt.nb_streams(); i++) fmt.streams(i).discard(i == stream ? AVDISCARD_DEFAULT : AVDISCARD_ALL);
            AVStream st = fmt.streams(stream);
            tbNum = st.time_base().num();
            tbDen = st.time_base().den();
            int codecId = st.codecpar().codec_id();
            AVCodec dec = avcodec_find_decoder(codecId);
            if (dec == null || dec.isNull()) {
                throw new VideoDecodeException(file, Problem.UNSUPPORTED_CODEC, "no decoder for the audio codec "
                        + FFmpeg.codecName(codecId) + " in this FFmpeg build (switch audio off to decode the video)");
            }
            ctx = avcodec_alloc_context3(dec);
            int r = avcodec_parameters_to_context(ctx, st.codecpar());
            // With the packet time base the decoder shifts timestamps past skipped priming samples (Opus, AAC).
            ctx.pkt_timebase(st.time_base());
            if (r >= 0) r = avcodec_open2(ctx, dec, (AVDictionary) null);
            if (r < 0) {
                throw new VideoDecodeException(file, Problem.UNSUPPORTED_CODEC, "cannot open the audio decoder "
                        + FFmpeg.codecName(codecId) + ": " + FFmpeg.err(r));
            }
            pkt = av_packet_alloc();
            frame = av_frame_alloc();
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /** Jumps to a time (microseconds from time 0 of the file); decoding resumes at or before it. */
    void seek(long micros) {
        long ts = av_rescale(micros + origin, tbDen, tbNum * 1_000_000L);
        if (av_seek_frame(fmt, stream, ts, AVSEEK_FLAG_BACKWARD) < 0) {
            warn.accept("cannot seek the audio; decoding it from the start");
            av_seek_frame(fmt, -1, 0, AVSEEK_FLAG_BACKWARD);
        }
        avcodec_flush_buffers(ctx);
        freeSwr();
        flushing = eof = false;
        resync = true;
    }

    boolean eof() { return eof; }

    /** Decodes until at least one chunk was delivered or the stream ended; returns false at the end. */
    boolean decodeMore(Sink sink) {
        while (!eof) {
            int r = avcodec_receive_frame(ctx, frame);
            if (r == 0) {
                try {
                    deliver(frame, sink);
                } finally {
                    av_frame_unref(frame);
                }
                return true;
            }
            if (r == AVERROR_EOF || (r != FFmpeg.EAGAIN && flushing)) {
                drain(sink);
                eof = true;
                return false;
            }
            if (r != FFmpeg.EAGAIN) { // a frame the decoder could not produce: skip it, keep going
                bad("audio decoder error " + FFmpeg.err(r));
                continue;
            }
            r = av_read_frame(fmt, pkt);
            if (r < 0) {
                if (r != AVERROR_EOF) warn.accept("audio stream stops early at " + seconds(nextIndex)
                        + ": " + FFmpeg.err(r));
                avcodec_send_packet(ctx, null);
                flushing = true;
                continue;
            }
            try {
                if (pkt.stream_index() != stream) continue;
                r = avcodec_send_packet(ctx, pkt);
                if (r < 0 && r != FFmpeg.EAGAIN) bad("audio packet rejected at " + seconds(nextIndex) + ": "
                        + FFmpeg.err(r));
            } finally {
                av_packet_unref(pkt);
            }
        }
        return false;
    }

    private void bad(String what) {
        if (++badPackets <= 3) warn.accept(what + (badPackets == 3 ? " (further audio errors not reported)" : ""));
    }

    private String seconds(long index) { return String.format("%.3f s", index / (double) outRate); }

    private void deliver(AVFrame f, Sink sink) {
        int channels = f.ch_layout().nb_channels();
        if (swr == null || f.format() != swrFormat || f.sample_rate() != swrRate || channels != swrChannels) {
            if (swr != null) drain(sink);
            openSwr(f);
        }
        long pts = f.best_effort_timestamp();
        if (pts != AV_NOPTS_VALUE) {
            long micros = av_rescale(pts, tbNum * 1_000_000L, tbDen) - origin;
            long at = Math.round(micros * (double) outRate / 1e6);
            long expected = nextIndex + swr_get_delay(swr, outRate);
            // Follow the timestamps at the start and across real gaps (> 40 ms); small jitter is ignored so the
            // resampled stream stays continuous.
            if (resync) nextIndex = at - swr_get_delay(swr, outRate);
            else if (at - expected > outRate / 25) nextIndex += at - expected;
            resync = false;
        }
        int need = swr_get_out_samples(swr, f.nb_samples());
        ensureOut(need);
        int n = swr_convert(swr, outPP, outCap, f.extended_data(), f.nb_samples());
        emit(n, sink);
    }

    private void drain(AudioDecoder.Sink sink) {
        if (swr == null) return;
        ensureOut(4096);
        int n;
        while ((n = swr_convert(swr, outPP, outCap, (PointerPointer<?>) null, 0)) > 0) emit(n, sink);
    }

    private void emit(int n, Sink sink) {
        if (n <= 0) return;
        int len = n * outChannels;
        if (chunk.length < len) chunk = new float[len];
        out.position(0).get(chunk, 0, len);
        sink.accept(chunk, n, nextIndex);
        nextIndex += n;
    }

    private void ensureOut(int samples) {
        if (samples <= outCap) return;
        if (out != null) out.close();
        outCap = Math.max(samples, 4096);
        out = new FloatPointer((long) outCap * outChannels);
        outPP.put(0, out);
    }

    private void openSwr(AVFrame f) {
        freeSwr();
        AVChannelLayout in = new AVChannelLayout(), outL = new AVChannelLayout();
        try {
            int channels = f.ch_layout().nb_channels();
            if (f.ch_layout().order() == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(in, channels);
            else av_channel_layout_copy(in, f.ch_layout());
            av_channel_layout_default(outL, outChannels);
            SwrContext s = new SwrContext(null);
            int r = swr_alloc_set_opts2(s, outL, AV_SAMPLE_FMT_FLT, outRate, in, f.format(), f.sample_rate(), 0, null);
            if (r < 0 || s.isNull()) throw new IllegalStateException("swr_alloc_set_opts2: " + FFmpeg.err(r));
            swr = s;
            if (outChannels == 1 && mix != AudioMix.FFMPEG_DOWNMIX && channels > 1) {
                double[] m = new double[channels];
                if (mix == AudioMix.MEAN) java.util.Arrays.fill(m, 1.0 / channels);
                else m[0] = 1;
                r = swr_set_matrix(swr, m, channels);
                if (r < 0) throw new IllegalStateException("swr_set_matrix: " + FFmpeg.err(r));
            }
            r = swr_init(swr);
            if (r < 0) throw new IllegalStateException("swr_init: " + FFmpeg.err(r));
            swrFormat = f.format();
            swrRate = f.sample_rate();
            swrChannels = channels;
        } finally {
            av_channel_layout_uninit(in);
            av_channel_layout_uninit(outL);
            in.close();
            outL.close();
        }
    }

    private void freeSwr() {
        if (swr != null) swr_free(swr);
        swr = null;
        swrFormat = swrRate = swrChannels = -1;
    }

    @Override public void close() {
        freeSwr();
        if (frame != null) av_frame_free(frame);
        if (pkt != null) av_packet_free(pkt);
        if (ctx != null) avcodec_free_context(ctx);
        if (fmt != null) avformat_close_input(fmt);
        frame = null;
        pkt = null;
        ctx = null;
        fmt = null;
        if (out != null) out.close();
        out = null;
        outPP.close();
    }
}
