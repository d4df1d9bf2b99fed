package dev.avsal.io;

import dev.avsal.AudioWindow;
import dev.avsal.Frame;
import dev.avsal.image.RgbImage;

/**
 * One frame from a {@link VideoReader}: RGB pixels (never BGR) in display orientation, resized as configured, and
 * the mono audio window that goes with it.
 *
 * <p>Both arrays are freshly allocated for every frame and belong to the caller (nothing is reused or shared
 * between frames), so frames can be queued or handed to another thread. Immutable once returned if the caller does
 * not modify the arrays.
 *
 * @param index           output frame number, 0 for the first frame returned (counted from the start limit)
 * @param ptsMicros       display time in microseconds from the start of the file: the decoded frame's timestamp at
 *                        the source rate, or the output slot time {@code start + index / rate} when a target rate
 *                        is set
 * @param sourcePtsMicros timestamp of the decoded frame shown (equal to {@code ptsMicros} at the source rate)
 * @param width           pixels per row
 * @param height          rows
 * @param rgb             {@code width * height * 3} bytes, rows top to bottom, {@code R G B R G B ...}: channel c
 *                        of (x, y) is {@code rgb[(y * width + x) * 3 + c] & 0xFF}
 * @param audio           the frame's audio window: mono float samples at {@link VideoReader#audioSampleRate()},
 *                        zeros where the audio track has no data (before/after it, or no audio at all); an empty
 *                        array when audio was switched off
 * @param audioStartSample absolute index (at the audio sample rate, from time 0 of the file; may be negative) of the
 *                        window's first sample: frames of one reader with equal values have identical windows (the
 *                        frames of one audio hop, see {@link VideoReader.Builder#optAudioHop}); 0 without audio
 */
public record VideoFrame(long index, long ptsMicros, long sourcePtsMicros, int width, int height, byte[] rgb,
        float[] audio, long audioStartSample) {
    /** Channel c (0 R, 1 G, 2 B) at (x, y), 0..255. */
    public int get(int x, int y, int c) { return rgb[(y * width + x) * 3 + c] & 0xFF; }

    /** Display time in seconds. */
    public double seconds() { return ptsMicros / 1e6; }

    /**
     * This frame as predictor input: the pixels (not copied) and the audio window keyed by
     * {@link #audioStartSample()}, so the frames of one hop share one audio encoding within a predictor call or
     * session. Keys are only unique within one reader: {@link dev.avsal.SaliencySession#reset()} between videos.
     *
     * @throws IllegalStateException if the reader was built with audio switched off
     */
    public Frame toFrame() {
        if (audio.length == 0) throw new IllegalStateException("frame " + index + " has no audio window (audio off)");
        return Frame.of(new RgbImage(width, height, rgb), AudioWindow.keyed(audioStartSample, audio), ptsMicros);
    }
}
