/**
 * Video and audio decoding and the saliency outputs, on the FFmpeg that org.bytedeco:ffmpeg 8.0.1-1.5.13 bundles
 * (LGPL build, linux-x86_64).
 *
 * <h2>Reading</h2>
 * {@link dev.avsal.io.VideoReader} streams {@link dev.avsal.io.VideoFrame}s: RGB pixels in display orientation,
 * resized by swscale inside the decode path, at the source rate or resampled to a target rate by timestamps, each
 * with its mono 16 kHz audio window ({@link dev.avsal.io.AudioAlignment}); {@link dev.avsal.io.VideoReader#probe}
 * describes a file ({@link dev.avsal.io.VideoInfo}). Failures are {@link dev.avsal.io.VideoDecodeException}s with
 * a {@link dev.avsal.io.VideoDecodeException.Problem}.
 *
 * <h2>Writing</h2>
 * {@link dev.avsal.io.SaliencyMaps} (8/16-bit PNG, .npy), {@link dev.avsal.io.Npy} (also a streamed
 * (frames, h, w) stack), {@link dev.avsal.io.SaliencyVideoWriter} (grayscale or colormapped map video),
 * {@link dev.avsal.io.OverlayVideoWriter} (heatmap over the source frames with the source audio) and
 * {@link dev.avsal.io.VideoSummary} (per-video JSON). {@link dev.avsal.io.VideoSaliency} runs a predictor over a
 * video file and writes any of these, streaming. Every writer writes under a temporary name and renames the
 * complete file, and never replaces an existing file unless asked.
 *
 * <h2>Why the raw FFmpeg API, not javacv</h2>
 * The readers and writers call org.bytedeco.ffmpeg directly (avformat/avcodec/swscale/swresample) rather than
 * javacv's FFmpegFrameGrabber/Recorder: we need exact stream timestamps (variable frame rate, resampling by time,
 * A/V alignment to the sample), control over flushing and read errors (to tell a truncated file from a clean end
 * and keep the frames decoded so far), the display matrix, the stream's colour matrix and range for swscale, the
 * swscale filter of our choice, and one allocation discipline we can test for leaks. javacv would add a jar and its
 * pitfalls (BGR default, reused frames, no auto-rotation, frame numbers derived from rates) for little saved code.
 * No javacv dependency; no native types in the public API.
 *
 * <h2>Encoders of the bundled build</h2>
 * Checked with {@code avcodec_find_encoder_by_name}: no libx264 (LGPL build), but libopenh264, mpeg4, libvpx
 * (VP8, VP9), libaom-av1, libsvtav1, and the aac and libopus audio encoders. Videos are written as H.264
 * Constrained Baseline (OpenH264) + AAC in MP4 with the index in front (plays in browsers and VLC), or VP9 + Opus
 * in WebM; MPEG-4 Part 2 is the fallback if OpenH264 is missing ({@link dev.avsal.io.VideoCodec}). The h264,
 * hevc, vp8, vp9, av1, mpeg4, aac, opus, vorbis, mp3 and flac decoders are built in.
 *
 * <h2>Logging and threads</h2>
 * FFmpeg's log goes to SLF4J logger {@code dev.avsal.io.ffmpeg} (FFmpeg errors at WARN, warnings at INFO), never
 * to stderr. Readers and writers are not thread-safe: use one per thread; different instances run concurrently.
 */
package dev.avsal.io;
