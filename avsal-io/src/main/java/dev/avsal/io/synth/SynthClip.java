package dev.avsal.io.synth;

import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import java.util.List;

/**
 * One generated clip in memory.
 *
 * @param id        file-safe id ({@code synth_0007})
 * @param fps       frame rate
 * @param frames    the RGB frames
 * @param audio     the mono 16 kHz waveform, starting with frame 0, {@code frames / fps} seconds long
 * @param density   ground-truth density per frame (a Gaussian around the sounding disc, peak 1)
 * @param fixations ground-truth fixations per frame
 * @param colours   colour index (into {@link SynthConfig#tone(int)}) of each disc
 * @param sounding  index into {@code colours} of the disc that sounds
 * @param centres   per frame, per disc, {x, y} in pixels
 */
public record SynthClip(String id, double fps, List<RgbImage> frames, float[] audio, List<Map2D> density,
                        List<Fixations> fixations, int[] colours, int sounding, List<double[][]> centres) {
    /** Number of frames. */
    public int frameCount() { return frames.size(); }
}
