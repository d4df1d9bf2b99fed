package dev.avsal.train;

import dev.avsal.AvSalException;
import dev.avsal.data.AnnotatedVideo;
import dev.avsal.AvSalModel;
import dev.avsal.Frame;
import dev.avsal.audio.ImageBindAudioPreprocessor;
import dev.avsal.image.ClipImagePreprocessor;
import dev.avsal.image.RgbImage;
import dev.avsal.model.ClipVisionEncoder;
import dev.avsal.predict.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Frozen-encoder features on disk: for every frame of a video, the CLIP taps the head reads (CLS dropped) and the
 * audio tokens of the frame's window, computed once and stored as float16, memory-mapped on later use.
 *
 * <p>Layout: {@code DIR/<key>/<video id>[-<fingerprint>].f16} ({@link AnnotatedVideo#fingerprint()}), where {@code key} hashes everything the features depend on (model
 * config, a fingerprint of the encoder weights, input size, taps, whether audio is silenced, whether flipped frames
 * are stored). One file per video: visual taps {@code [F, taps, L, C]}, then (with flips) the same for the
 * horizontally mirrored frames, then audio tokens {@code [F, La, Ca]}, all little-endian float16. A file appears
 * atomically (temporary name, then rename), so a killed run never leaves a half entry; the next run recomputes only
 * the missing videos.
 *
 * <p>avsal choices: float16 (halves the disk and page-cache footprint; the features feed a trained head, whose
 * gradients do not need float32 inputs), flipped frames encoded separately (a ViT is not mirror-equivariant, so a
 * flipped frame's features cannot be derived from the unflipped ones), the encoders run in float32 whatever the
 * training precision (the cache does not depend on it, so runs in every precision share it), on the device where
 * the encoders are (the trainer places them on its training device).
 *
 * <p>Not thread-safe. Holds the mappings until {@link #close()}.
 */
public final class FeatureCache implements AutoCloseable {
    private static final int ENCODE_BATCH = 32;

    private final AvSalModel model;
    private final Path dir;
    private final EncoderInput in;
    private final int taps, width, audioTokens, audioWidth;
    private final boolean silence, flips;
    private final String key;
    private final Map<String, Entry> open = new HashMap<>();
    private long encodedFrames;

    /** Features of one video, backed by the mapped file. */
    public final class Entry {
        final MappedByteBuffer buf;
        final int frames;
        final BytePointer base;

        Entry(MappedByteBuffer buf, int frames) {
            this.buf = buf;
            this.frames = frames;
            this.base = new BytePointer(buf);
        }

        public int frames() { return frames; }

        private long visualBytes() { return (long) frames * taps * in.patches() * width * 2; }

        /** Taps of frames {@code [from, from+count)}, float32 on the CPU, each {@code [count, L, C]}. */
        public List<Tensor> taps(int from, int count, boolean flipped) {
            return taps(from, count, flipped, null);
        }

        /** As {@link #taps(int, int, boolean)}, on {@code device} (null: the CPU); float16 crosses to the device. */
        List<Tensor> taps(int from, int count, boolean flipped, org.bytedeco.pytorch.Device device) {
            long per = (long) taps * in.patches() * width;
            long off = (flipped ? visualBytes() : 0) + from * per * 2;
            Tensor all = half(off, new long[] {count, taps, in.patches(), width}, device);
            List<Tensor> out = new ArrayList<>(taps);
            for (int i = 0; i < taps; i++) out.add(all.select(1, i).contiguous());
            return out;
        }

        /** Audio tokens of frames {@code [from, from+count)}, float32 on the CPU {@code [count, La, Ca]}. */
        public Tensor audio(int from, int count) {
            return audio(from, count, null);
        }

        /** As {@link #audio(int, int)}, on {@code device} (null: the CPU). */
        Tensor audio(int from, int count, org.bytedeco.pytorch.Device device) {
            long per = (long) audioTokens * audioWidth;
            long off = (flips ? 2 : 1) * visualBytes() + from * per * 2;
            return half(off, new long[] {count, audioTokens, audioWidth}, device);
        }

        private Tensor half(long byteOffset, long[] shape, org.bytedeco.pytorch.Device device) {
            BytePointer p = new BytePointer(base).position(byteOffset);
            Tensor h = torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Half));
            // on a GPU: copy the float16 bytes (half the transfer), widen there
            return device == null || !device.is_cuda() ? h.to(torch.ScalarType.Float)
                    : Devices.to(h, device).to(torch.ScalarType.Float);
        }
    }

    /**
     * @param model        the model whose encoders make the features (frozen: they are never updated here)
     * @param dir          cache root (created if absent)
     * @param silenceAudio encode silence instead of each frame's audio (the audio-ablation baseline)
     * @param flips        also store features of horizontally mirrored frames (flip augmentation)
     */
    public FeatureCache(AvSalModel model, Path dir, boolean silenceAudio, boolean flips) throws AvSalException {
        this.model = model;
        this.dir = dir;
        this.silence = silenceAudio;
        this.flips = flips;
        var c = model.config();
        in = EncoderInput.of(c);
        taps = in.taps().length;
        width = c.clip().width();
        audioTokens = c.audio().tokens();
        audioWidth = c.audio().width();
        key = key(model, silenceAudio, flips);
        try {
            Files.createDirectories(dir.resolve(key));
        } catch (IOException e) {
            throw new TrainException(dir + ": cannot create the feature cache: " + e.getMessage(), e);
        }
    }

    /** The hash naming this configuration's folder. */
    public String key() { return key; }

    /** Folder of this configuration's entries. */
    public Path folder() { return dir.resolve(key); }

    /** Frames run through the encoders by this cache object so far (0 when everything came from disk). */
    public long encodedFrames() { return encodedFrames; }

    /** Whether flipped features are stored. */
    public boolean flips() { return flips; }

    /** The features of a video, computing and storing them first if absent. */
    public Entry get(AnnotatedVideo v) throws AvSalException {
        Entry e = open.get(v.id());
        if (e != null) return e;
        String fp = v.fingerprint();
        Path file = folder().resolve(v.id() + (fp == null || fp.isEmpty() ? "" : "-" + fp) + ".f16");
        if (!Files.exists(file)) compute(v, file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long perFrame = ((flips ? 2L : 1L) * taps * in.patches() * width + (long) audioTokens * audioWidth) * 2;
            long size = ch.size();
            if (size % perFrame != 0 || size / perFrame != v.frameCount())
                throw new TrainException(file + ": feature file has " + size + " bytes, expected " + v.frameCount()
                        + " frames x " + perFrame + " (stale or foreign cache entry; delete it)");
            e = new Entry(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), v.frameCount());
        } catch (IOException ex) {
            throw new TrainException(file + ": cannot read the feature cache: " + ex.getMessage(), ex);
        }
        open.put(v.id(), e);
        return e;
    }

    private void compute(AnnotatedVideo v, Path file) throws AvSalException {
        List<Frame> frames = EncoderFeatures.readFrames(v, in);
        int inH = in.height(), inW = in.width();
        ClipImagePreprocessor pre = ClipImagePreprocessor.exactSize(inH, inW);
        ImageBindAudioPreprocessor mel = new ImageBindAudioPreprocessor(model.config().audio().targetLength());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int pass = 0; pass < (flips ? 2 : 1); pass++)
                for (int s = 0; s < frames.size(); s += ENCODE_BATCH) {
                    int n = Math.min(ENCODE_BATCH, frames.size() - s);
                    float[] chw = new float[n * 3 * inH * inW];
                    for (int i = 0; i < n; i++) {
                        RgbImage img = frames.get(s + i).image();
                        pre.preprocess(pass == 1 ? mirror(img) : img, chw, i * 3 * inH * inW);
                    }
                    try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                        Tensor images = Devices.toDeviceOf(Tensors.fromFloats(chw, n, 3, inH, inW), model.clipEncoder().module());
                        ClipVisionEncoder.Output out = model.clipEncoder().forward(images, in.taps());
                        List<Tensor> t = new ArrayList<>();
                        for (Tensor h : out.hiddenStates()) t.add(h.narrow(1, 1, in.patches()));
                        write(ch, torch.stack(new org.bytedeco.pytorch.TensorArrayRef(new org.bytedeco.pytorch.TensorVector(t.toArray(new Tensor[0]))), 1));
                    }
                }
            for (int s = 0; s < frames.size(); s += ENCODE_BATCH) {
                int n = Math.min(ENCODE_BATCH, frames.size() - s);
                int len = mel.outputLength();
                float[] m = new float[n * len];
                for (int i = 0; i < n; i++)
                    System.arraycopy(mel.melspec(EncoderFeatures.samples(frames.get(s + i), silence)), 0, m, i * len, len);
                try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                    Tensor mt = Devices.toDeviceOf(Tensors.fromFloats(m, n, 1, ImageBindAudioPreprocessor.NUM_MEL_BINS,
                            mel.targetLength()), model.audioEncoder().module());
                    write(ch, model.audioEncoder().forward(mt).tokens());
                }
            }
            ch.force(true);
        } catch (IOException e) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
            throw new TrainException(file + ": cannot write the feature cache: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TrainException(file + ": cannot store the feature cache entry: " + e.getMessage(), e);
        }
        encodedFrames += frames.size();
    }

    static RgbImage mirror(RgbImage img) {
        int w = img.width(), h = img.height();
        byte[] src = img.rgb(), dst = new byte[src.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                System.arraycopy(src, 3 * (y * w + x), dst, 3 * (y * w + w - 1 - x), 3);
        return new RgbImage(w, h, dst);
    }

    private static void write(FileChannel ch, Tensor t) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor h = t.to(torch.ScalarType.Half).cpu().contiguous();
            long n = h.numel();
            ShortPointer sp = new ShortPointer(h.data_ptr()).capacity(n);
            ByteBuffer b = sp.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) ch.write(b);
        }
    }

    /** Hash of everything the features depend on. */
    static String key(AvSalModel model, boolean silence, boolean flips) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("avsal-features/1|" + model.config().toJson() + "|silence=" + silence + "|flips=" + flips
                    + "|fp16|window=frame audio as given").getBytes(StandardCharsets.UTF_8));
            fingerprint(md, Tensors.namedTensors(model.clipEncoder().module(), true));
            fingerprint(md, Tensors.namedTensors(model.audioEncoder().module(), true));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names, shapes and up to 4096 evenly spaced values of every tensor (the weights, cheaply). */
    private static void fingerprint(MessageDigest md, Map<String, Tensor> tensors) {
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue().detach().to(torch.ScalarType.Float).cpu().contiguous().view(-1);
                md.update((e.getKey() + java.util.Arrays.toString(e.getValue().sizes().vec().get())).getBytes(StandardCharsets.UTF_8));
                long n = t.numel(), step = Math.max(1, n / 4096);
                FloatPointer p = t.data_ptr_float();
                ByteBuffer b = ByteBuffer.allocate(8);
                for (long i = 0; i < n; i += step) {
                    b.clear();
                    b.putFloat(p.get(i));
                    md.update(b.array(), 0, 4);
                }
            }
        }
    }

    @Override
    public void close() {
        open.clear(); // mappings are released with the buffers
    }
}
