package dev.avsal.io.synth;

import dev.avsal.AudioWindow;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.data.InMemoryDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory synthetic clips as dataset videos (no files, no codec loss): frames as generated, each with the 2 s audio
 * window ending at the frame ({@link SynthGenerator#window}), the alignment the video reader uses by default.
 */
public final class SynthVideos {
    private SynthVideos() {}

    /** Clip {@code clip} as an {@link AnnotatedVideo} ({@link InMemoryDataset#video}). */
    public static AnnotatedVideo of(SynthClip clip) {
        List<AudioWindow> audio = new ArrayList<>(clip.frameCount());
        for (int i = 0; i < clip.frameCount(); i++)
            audio.add(AudioWindow.keyed(clip.id() + "#" + i, SynthGenerator.window(clip, i, 2.0)));
        return InMemoryDataset.video(clip.id(), clip.fps(), clip.frames(), audio, clip.density(), clip.fixations());
    }
}
