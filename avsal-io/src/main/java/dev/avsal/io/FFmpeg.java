package dev.avsal.io;

import static org.bytedeco.ffmpeg.global.avutil.*;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the bundled FFmpeg once and routes its log to SLF4J (logger {@code dev.avsal.io.ffmpeg}) instead of stderr.
 * Thread-safe; every native entry point of this package calls {@link #init()} first.
 */
final class FFmpeg {
    static final Logger LOG = LoggerFactory.getLogger("dev.avsal.io.ffmpeg");
    /** AVERROR(EAGAIN) on Linux (EAGAIN = 11); the preset exposes no constant for it. */
    static final int EAGAIN = -11;
    private static volatile boolean ready;
    // Held in a static field: FFmpeg keeps the native function pointer, the JVM must not collect the Java side.
    private static LogCallback callback;
    /** Test hook: sees every routed message. */
    static volatile java.util.function.Consumer<String> tap;

    private FFmpeg() {}

    static void init() {
        if (ready) return;
        synchronized (FFmpeg.class) {
            if (ready) return;
            Loader.load(org.bytedeco.ffmpeg.global.avutil.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(swscale.class);
            Loader.load(swresample.class);
            callback = new LogCallback() {
                @Override public void call(int level, BytePointer msg) { log(level, msg); }
            };
            setLogCallback(callback);
            // Messages below the level SLF4J would print are not even formatted by FFmpeg.
            av_log_set_level(LOG.isTraceEnabled() ? AV_LOG_DEBUG : LOG.isDebugEnabled() ? AV_LOG_INFO : AV_LOG_WARNING);
            ready = true;
        }
    }

    private static void log(int level, BytePointer msg) {
        try {
            String s = msg == null ? "" : msg.getString().strip();
            if (s.isEmpty()) return;
            java.util.function.Consumer<String> t = tap;
            if (t != null) t.accept(s);
            if (level <= AV_LOG_FATAL) LOG.error(s);
            else if (level <= AV_LOG_ERROR) LOG.warn(s); // errors that matter reach the caller as exceptions
            else if (level <= AV_LOG_WARNING) LOG.info(s);
            else if (level <= AV_LOG_INFO) LOG.debug(s);
            else LOG.trace(s);
        } catch (Throwable t) { // never let an exception unwind into native code
        }
    }

    /** FFmpeg's text for an error code, e.g. "Invalid data found when processing input". */
    static String err(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
    }

    /** Name of a codec id, e.g. "h264". */
    static String codecName(int codecId) {
        BytePointer p = avcodec.avcodec_get_name(codecId);
        return p == null || p.isNull() ? "unknown" : p.getString();
    }

    static String str(BytePointer p) { return p == null || p.isNull() ? null : p.getString(); }
}
