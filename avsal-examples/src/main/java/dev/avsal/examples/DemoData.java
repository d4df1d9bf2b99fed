package dev.avsal.examples;

import dev.avsal.io.synth.SynthGenerator;
import dev.avsal.io.synth.SynthVideos;
import dev.avsal.train.TrainVideo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The demo's dataset split into train/val/test, and where each clip's video file is. */
record DemoData(String source, Path root, List<TrainVideo> train, List<TrainVideo> val, List<TrainVideo> test) {
    Path videoFile(String id) { return root.resolve("videos").resolve(id + ".mp4"); }

    /** The generated dataset (in memory, the same clips the files hold). */
    static DemoData open(Path root, SynthGenerator gen) throws IOException {
        List<TrainVideo> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (int i = 0; i < gen.config().clips(); i++) {
            TrainVideo v = SynthVideos.of(gen.clip(i));
            switch (gen.split(i)) {
                case "train" -> train.add(v);
                case "val" -> val.add(v);
                default -> test.add(v);
            }
        }
        return new DemoData("synthetic (in memory)", root, train, val, test);
    }
}
