package dev.avsal.io.synth;

import dev.avsal.AudioWindow;
import dev.avsal.Frame;
import dev.avsal.image.PilResize;
import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.train.TrainVideo;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory synthetic clips as {@link TrainVideo}s (no files, no codec loss): frames as generated, each with the 2 s
 * audio window ending at the frame ({@link SynthGenerator#window}). Immutable and thread-safe.
 */
public final class SynthVideos {
    private SynthVideos() {}

    /** Clip {@code clip} as a training video. */
    public static TrainVideo of(SynthClip clip) {
        return new TrainVideo() {
            @Override public String id() { return clip.id(); }
            @Override public int frameCount() { return clip.frameCount(); }
            @Override public int width() { return clip.frames().get(0).width(); }
            @Override public int height() { return clip.frames().get(0).height(); }
            @Override public Map2D density(int frame) { return clip.density().get(frame); }
            @Override public Fixations fixations(int frame) { return clip.fixations().get(frame); }

            @Override
            public List<Frame> frames(int height, int width) {
                List<Frame> out = new ArrayList<>(clip.frameCount());
                for (int i = 0; i < clip.frameCount(); i++) {
                    RgbImage img = clip.frames().get(i);
                    if (img.width() != width || img.height() != height) img = PilResize.resize(img, width, height);
                    float[] w = SynthGenerator.window(clip, i, 2.0);
                    out.add(Frame.of(img, AudioWindow.keyed(clip.id() + "#" + i, w), Math.round(i * 1e6 / clip.fps())));
                }
                return out;
            }
        };
    }
}
