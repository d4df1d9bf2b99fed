package dev.avsal.io;

import java.nio.file.Path;

/**
 * What a video file holds, as FFmpeg reports it before decoding ({@link VideoReader#probe} or
 * {@link VideoReader#info()}). Immutable.
 *
 * @param file            the file
 * @param container       FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm"
 * @param durationMicros  duration of the video stream (else of the file) in microseconds; -1 if unknown
 * @param frameRate       average frame rate (frames per second; falls back to the stream's base rate), 0 if unknown;
 *                        for variable frame rate videos this is only an average
 * @param frameCount      frame count from the header, or estimated as duration x rate; -1 if unknown
 * @param codedWidth      width of the decoded pictures, before rotation
 * @param codedHeight     height of the decoded pictures, before rotation
 * @param rotation        clockwise rotation in degrees (0, 90, 180, 270) the display matrix asks for
 * @param width           display width (after rotation)
 * @param height          display height (after rotation)
 * @param videoCodec      e.g. "h264"
 * @param pixelFormat     e.g. "yuv420p"
 * @param hasAudio        whether an audio stream was found and selected
 * @param audioCodec      e.g. "aac"; null without audio
 * @param audioSampleRate source sample rate in Hz; 0 without audio
 * @param audioChannels   source channel count; 0 without audio
 * @param audioStreams    number of audio streams in the file
 */
public record VideoInfo(Path file, String container, long durationMicros, double frameRate, long frameCount,
        int codedWidth, int codedHeight, int rotation, int width, int height, String videoCodec, String pixelFormat,
        boolean hasAudio, String audioCodec, int audioSampleRate, int audioChannels, int audioStreams) {
    /** Duration in seconds, NaN if unknown. */
    public double durationSeconds() { return durationMicros < 0 ? Double.NaN : durationMicros / 1e6; }
}
