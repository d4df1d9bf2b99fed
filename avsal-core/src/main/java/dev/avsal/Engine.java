package dev.avsal;

import dev.avsal.audio.ImageBindAudioPreprocessor;
import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.model.ImageBindAudioEncoder;
import dev.avsal.model.head.AvSalHead;
import dev.avsal.model.head.GruState;
import dev.avsal.predict.AudioCache;
import dev.avsal.predict.MapResampler;
import dev.avsal.predict.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The prediction pipeline of one predictor: validation, preprocessing, the encoders with audio reuse, the head, and
 * the maps. Immutable; every method that touches tensors runs inside the caller's PointerScope, InferenceMode and
 * autocast (see {@link AvSalPredictor}), with the model lease held.
 */
final class Engine {
    /** A validated, preprocessed frame ({@code nanos}: time spent preprocessing it). */
    record Prepared(float[] chw, int srcW, int srcH, long ts, AudioWindow audio, AudioCache.Key key, long nanos) {}

    /** The frames of one clip within a batch and the GRU state that carries over to its next chunk. */
    record Group(List<Prepared> frames, GruState state) {}

    final AvSalModel model;
    final int inH, inW, gh, gw, patch;
    final ResizeMode mode;
    final boolean mapsAtSource;
    final org.bytedeco.pytorch.Device torchDevice; // null: CPU
    private final ClipImagePreprocessor pre;
    private final ImageBindAudioPreprocessor mel = new ImageBindAudioPreprocessor();
    private final int[] taps;

    Engine(AvSalModel model, int inH, int inW, ResizeMode mode, boolean mapsAtSource, Device device) {
        this.model = model;
        this.inH = inH;
        this.inW = inW;
        this.mode = mode;
        this.mapsAtSource = mapsAtSource;
        this.patch = model.config().clip().patchSize();
        this.gh = inH / patch;
        this.gw = inW / patch;
        this.pre = mode == ResizeMode.CENTER_CROP ? ClipImagePreprocessor.centerCrop(inH)
                : ClipImagePreprocessor.exactSize(inH, inW);
        this.taps = model.config().head().taps().stream().mapToInt(Integer::intValue).toArray();
        this.torchDevice = device == Device.CUDA ? new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA).retainReference() : null;
    }

    // --------------------------------------------------------------------------------------- validation

    /** Source size of a frame ({@code {w, h}}; the input size for preprocessed frames). */
    int[] sourceSize(Frame f) {
        return f.image() != null ? new int[] {f.image().width(), f.image().height()} : new int[] {inW, inH};
    }

    /**
     * Checks one frame: present, audio present and within bounds and finite, a preprocessed frame of the input size
     * and finite, the same source size as {@code size} (if not null), a timestamp not before {@code prevTs}.
     */
    void check(Frame f, String where, int[] size, long prevTs) throws InvalidInputException {
        if (f == null) throw new InvalidInputException(where + ": frame is null");
        if (f.preprocessed() != null) {
            float[] v = f.preprocessed();
            if (v.length != 3 * inW * inH)
                throw new InvalidInputException(where + ": preprocessed frame has " + v.length + " values, the input size "
                        + inH + "x" + inW + " (HxW) needs 3x" + inH + "x" + inW + " = " + 3 * inW * inH);
            for (int i = 0; i < v.length; i++)
                if (!Float.isFinite(v[i]))
                    throw new InvalidInputException(where + ": preprocessed frame has a NaN or infinite value at index "
                            + i + " (channel " + i / (inW * inH) + ")");
        }
        int[] s = sourceSize(f);
        if (size != null && (s[0] != size[0] || s[1] != size[1]))
            throw new InvalidInputException(where + ": frame is " + s[0] + "x" + s[1] + " but the video's frames are "
                    + size[0] + "x" + size[1] + " (all frames of a clip or session must have one size; call reset() or "
                    + "open a new session for another video)");
        if (f.timestampMicros() < prevTs)
            throw new InvalidInputException(where + ": timestamp " + f.timestampMicros() + " us is before the previous "
                    + "frame's " + prevTs + " us (frames must come in presentation order)");
        AudioWindow a = f.audio();
        if (a == null) throw new InvalidInputException(where + ": audio window is null (use AudioWindow.silence() for none)");
        float[] x = a.samples();
        if (x.length < AudioWindow.MIN_SAMPLES || x.length > AudioWindow.MAX_SAMPLES)
            throw new InvalidInputException(where + ": audio window has " + x.length + " samples; expected 16 kHz mono, "
                    + AudioWindow.MIN_SAMPLES + ".." + AudioWindow.MAX_SAMPLES + " samples (2 s = " + AudioWindow.SAMPLES_2S + ")");
        for (int i = 0; i < x.length; i++)
            if (!Float.isFinite(x[i]))
                throw new InvalidInputException(where + ": audio window has a NaN or infinite sample at index " + i);
    }

    /** Checks a whole clip (non-empty, one size, ordered timestamps); names the clip in messages. */
    void checkClip(List<Frame> clip, String name) throws InvalidInputException {
        if (clip == null || clip.isEmpty()) throw new InvalidInputException(name + ": no frames");
        int[] size = null;
        long prev = Long.MIN_VALUE;
        for (int i = 0; i < clip.size(); i++) {
            Frame f = clip.get(i);
            check(f, name + ", frame " + i, size, prev);
            if (size == null) size = sourceSize(f);
            prev = f.timestampMicros();
        }
    }

    // --------------------------------------------------------------------------------------- pipeline

    /** Preprocesses a checked frame (pure Java). */
    Prepared prepare(Frame f) {
        long t0 = System.nanoTime();
        AudioWindow a = f.audio();
        AudioCache.Key key = AudioCache.keyOf(a.samples(), a.key());
        if (f.preprocessed() != null)
            return new Prepared(f.preprocessed(), 0, 0, f.timestampMicros(), a, key, System.nanoTime() - t0);
        RgbImage img = f.image();
        float[] chw = pre.preprocess(img);
        return new Prepared(chw, img.width(), img.height(), f.timestampMicros(), a, key, System.nanoTime() - t0);
    }

    /**
     * Runs frames of several clips through the model: one CLIP batch and one audio batch for all of them, then the
     * head per clip, carrying each clip's GRU state. Returns the maps per group, in order.
     */
    List<List<SaliencyMap>> run(List<Group> groups, AudioCache cache, StageTimings.Counter... counters) {
        List<Prepared> all = new ArrayList<>();
        for (Group g : groups) all.addAll(g.frames());
        int n = all.size();
        long prepared = 0;
        for (Prepared p : all) prepared += p.nanos();
        long t0 = System.nanoTime();
        Tensor images = images(all);
        long t1 = System.nanoTime();
        List<Tensor> visual = visual(images, n);
        long t2 = System.nanoTime();
        int[] encoded = {0};
        Tensor audio = audio(all, cache, encoded);
        long t3 = System.nanoTime();
        List<float[]> probs = new ArrayList<>(groups.size());
        AvSalHead head = model.head();
        int offset = 0;
        for (Group g : groups) {
            int k = g.frames().size();
            List<Tensor> tg = new ArrayList<>(visual.size());
            for (Tensor t : visual) tg.add(t.narrow(0, offset, k));
            Tensor logits = head.forward(tg, gh, gw, audio.narrow(0, offset, k), 1, k, g.state());
            probs.add(Tensors.toFloats(head.normalize(logits)));
            offset += k;
        }
        long t4 = System.nanoTime();
        List<List<SaliencyMap>> out = new ArrayList<>(groups.size());
        for (int gi = 0; gi < groups.size(); gi++) {
            List<Prepared> frames = groups.get(gi).frames();
            float[] p = probs.get(gi);
            int plane = inH * inW;
            List<SaliencyMap> maps = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                float[] v = new float[plane];
                System.arraycopy(p, i * plane, v, 0, plane);
                maps.add(toSource(v, frames.get(i)));
            }
            out.add(maps);
        }
        long t5 = System.nanoTime();
        for (StageTimings.Counter c : counters) {
            c.frames.add(n);
            c.windows.add(encoded[0]);
            c.preprocess.add(prepared + t1 - t0);
            c.clip.add(t2 - t1);
            c.audio.add(t3 - t2);
            c.head.add(t4 - t3);
            c.post.add(t5 - t4);
        }
        return out;
    }

    /** The frames as one {@code [n, 3, H, W]} float tensor on the device. */
    private Tensor images(List<Prepared> frames) {
        int len = 3 * inH * inW;
        Tensor t = torch.empty(frames.size(), 3, inH, inW);
        FloatPointer p = t.data_ptr_float();
        for (int i = 0; i < frames.size(); i++) p.position((long) i * len).put(frames.get(i).chw(), 0, len);
        return torchDevice == null ? t : t.to(torchDevice, torch.ScalarType.Float);
    }

    /** The head's taps: CLIP hidden states after the tapped blocks, CLS dropped, float32, {@code [n, gh*gw, width]}. */
    private List<Tensor> visual(Tensor images, int n) {
        ClipVisionEncoder.Output out = model.clipEncoder().forward(images, taps);
        List<Tensor> result = new ArrayList<>(taps.length);
        for (Tensor h : out.hiddenStates()) result.add(Tensors.float32(h.narrow(1, 1, (long) gh * gw)));
        return result;
    }

    /**
     * Audio tokens {@code [n, Lk, width]} for the frames: cached windows are reused, the others are deduplicated,
     * turned into fbank features and encoded in one batch, then cached. {@code encoded[0]} receives the number of
     * windows encoded.
     */
    private Tensor audio(List<Prepared> frames, AudioCache cache, int[] encoded) {
        Tensor[] perFrame = new Tensor[frames.size()];
        Map<AudioCache.Key, Integer> pending = new HashMap<>();
        List<Prepared> toEncode = new ArrayList<>();
        int[] pendingIndex = new int[frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            Prepared f = frames.get(i);
            Tensor hit = cache.get(f.key());
            if (hit != null) {
                perFrame[i] = new Tensor(hit); // our own handle: later puts may evict the cache's
                pendingIndex[i] = -1;
            } else {
                Integer u = pending.get(f.key());
                if (u == null) {
                    u = toEncode.size();
                    pending.put(f.key(), u);
                    toEncode.add(f);
                }
                pendingIndex[i] = u;
            }
        }
        if (!toEncode.isEmpty()) {
            int len = mel.outputLength();
            Tensor melspec = torch.empty(toEncode.size(), 1, ImageBindAudioPreprocessor.NUM_MEL_BINS, mel.targetLength());
            FloatPointer p = melspec.data_ptr_float();
            for (int u = 0; u < toEncode.size(); u++)
                p.position((long) u * len).put(mel.melspec(toEncode.get(u).audio().samples()), 0, len);
            if (torchDevice != null) melspec = melspec.to(torchDevice, torch.ScalarType.Float);
            Tensor tokens = Tensors.float32(model.audioEncoder().forward(melspec).tokens());
            Tensor[] byWindow = new Tensor[toEncode.size()];
            for (int u = 0; u < toEncode.size(); u++) {
                byWindow[u] = tokens.select(0, u);
                cache.put(toEncode.get(u).key(), byWindow[u]);
            }
            for (int i = 0; i < perFrame.length; i++) if (pendingIndex[i] >= 0) perFrame[i] = byWindow[pendingIndex[i]];
            encoded[0] = toEncode.size();
        }
        return torch.stack(new TensorArrayRef(new TensorVector(perFrame)), 0);
    }

    /** A map at the input size, brought back to its frame's size unless maps stay at the input size. */
    private SaliencyMap toSource(float[] v, Prepared f) {
        if (!mapsAtSource || f.srcW() == 0 || (f.srcW() == inW && f.srcH() == inH && mode == ResizeMode.EXACT))
            return SaliencyMap.wrap(inW, inH, f.ts(), v);
        int sw = f.srcW(), sh = f.srcH();
        if (mode == ResizeMode.EXACT)
            return SaliencyMap.wrap(sw, sh, f.ts(), MapResampler.resize(v, inW, inH, sw, sh));
        // CENTER_CROP: the crop's place in the resized frame, by ClipImagePreprocessor's (torchvision's) rules
        int n = inH, rw, rh;
        if (sw <= sh) {
            rw = n;
            rh = (int) ((double) ((long) n * sh) / sw);
        } else {
            rh = n;
            rw = (int) ((double) ((long) n * sw) / sh);
        }
        int top = (int) Math.rint((rh - n) / 2.0), left = (int) Math.rint((rw - n) / 2.0);
        return SaliencyMap.wrap(sw, sh, f.ts(), MapResampler.resample(v, n, n, sw, sh, (float) rw / sw, left,
                (float) rh / sh, top));
    }

    void close() {
        if (torchDevice != null) torchDevice.releaseReference();
    }
}
