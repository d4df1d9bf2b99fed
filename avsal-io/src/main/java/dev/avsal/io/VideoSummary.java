package dev.avsal.io;

import dev.avsal.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The per-video JSON summary written next to the outputs: what the input was, how it was read (frames, rate,
 * size, audio window), which files were produced, how long each stage took and every warning. Built up during a
 * run and written once with {@link #write}. Not thread-safe.
 *
 * <pre>{
 *   "input": {"file": ..., "duration_s": ..., "fps": ..., "width": ..., "height": ..., "rotation": ...,
 *             "video_codec": ..., "has_audio": ..., "audio_codec": ..., ...},
 *   "frames": 300, "fps": 10.0, "frame_width": 384, "frame_height": 224, "start_s": 0.0,
 *   "audio_window": {"alignment": "ENDING_AT_FRAME", "seconds": 2.0, "hop_s": 1.0, "sample_rate": 16000, "silent": false},
 *   "outputs": {"overlay": "/out/clip_overlay.mp4", ...},
 *   "timings_s": {"decode": 1.9, ...},
 *   "warnings": [...], "created": "2026-...Z"
 * }</pre>
 */
public final class VideoSummary {
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> outputs = new LinkedHashMap<>();
    private final Map<String, Object> timings = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private VideoSummary() {}

    /** A summary describing what a reader read (call after reading; counts and timings are taken now). */
    public static VideoSummary of(VideoReader r) {
        VideoSummary s = new VideoSummary();
        VideoInfo i = r.info();
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("file", i.file().toString());
        in.put("container", i.container());
        in.put("duration_s", i.durationMicros() < 0 ? null : i.durationMicros() / 1e6);
        in.put("fps", i.frameRate());
        in.put("frame_count", i.frameCount());
        in.put("width", i.width());
        in.put("height", i.height());
        in.put("coded_width", i.codedWidth());
        in.put("coded_height", i.codedHeight());
        in.put("rotation", i.rotation());
        in.put("video_codec", i.videoCodec());
        in.put("pixel_format", i.pixelFormat());
        in.put("has_audio", i.hasAudio());
        in.put("audio_codec", i.audioCodec());
        in.put("audio_sample_rate", i.audioSampleRate());
        in.put("audio_channels", i.audioChannels());
        in.put("audio_streams", i.audioStreams());
        s.root.put("input", in);
        s.root.put("frames", r.framesRead());
        s.root.put("fps", r.frameRate());
        s.root.put("frame_width", r.width());
        s.root.put("frame_height", r.height());
        s.root.put("start_s", r.startMicros() / 1e6);
        s.root.put("duration_limit_s", r.durationMicros() < 0 ? null : r.durationMicros() / 1e6);
        Map<String, Object> aw = new LinkedHashMap<>();
        aw.put("alignment", r.audioAlignment().name());
        aw.put("seconds", r.audioWindowSeconds());
        aw.put("hop_s", r.audioHopSeconds());
        aw.put("sample_rate", r.audioSampleRate());
        aw.put("silent", !i.hasAudio());
        s.root.put("audio_window", aw);
        s.timings.put("decode", r.decodeSeconds());
        s.warnings.addAll(r.warnings());
        return s;
    }

    /** Records a produced file under a kind such as "overlay", "saliency_video", "maps_png", "maps_npy". */
    public VideoSummary output(String kind, Path file) {
        outputs.put(Objects.requireNonNull(kind), file.toString());
        return this;
    }

    /** Records how long a stage took (seconds). */
    public VideoSummary timing(String stage, double seconds) {
        timings.put(Objects.requireNonNull(stage), seconds);
        return this;
    }

    /** Adds warnings (e.g. a writer's). */
    public VideoSummary warnings(List<String> more) {
        for (String w : more) if (!warnings.contains(w)) warnings.add(w);
        return this;
    }

    /** Any other value JSON can hold (String, Number, Boolean, List, Map, null). */
    public VideoSummary put(String key, Object value) {
        root.put(Objects.requireNonNull(key), value);
        return this;
    }

    /** The summary as ordered maps and lists. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(root);
        m.put("outputs", new LinkedHashMap<>(outputs));
        m.put("timings_s", new LinkedHashMap<>(timings));
        m.put("warnings", new ArrayList<>(warnings));
        m.putIfAbsent("created", Instant.now().toString());
        return m;
    }

    /** JSON text. */
    public String toJson() { return Json.write(toMap()); }

    /** Writes the JSON (UTF-8) under a temporary name and renames it; keeps an existing file unless overwrite. */
    public void write(Path file, boolean overwrite) throws IOException {
        AtomicFiles.checkTarget(file, overwrite);
        Path tmp = AtomicFiles.temp(file);
        try {
            Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            AtomicFiles.commit(tmp, file, overwrite);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.discard(tmp);
            throw e;
        }
    }
}
