package dev.avsal.io.synth;

import dev.avsal.image.RgbImage;
import dev.avsal.metrics.Fixations;
import dev.avsal.metrics.Map2D;
import dev.avsal.io.Colormap;
import dev.avsal.io.MapScaling;
import dev.avsal.io.RgbVideoWriter;
import dev.avsal.io.SaliencyVideoWriter;
import dev.avsal.io.VideoEncodeException;
import dev.avsal.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates the synthetic audio-visual saliency task of {@link SynthConfig}: in each clip 2–3 discs of distinct colours
 * wander on smooth random paths (anywhere in the frame, so the centre prior is weak); exactly one of them sounds, with
 * the pure tone of its colour whose loudness follows its speed, plus a little white noise; ground-truth fixations and
 * density follow the sounding disc. Every disc looks equally salient, so without the audio a model can only spread its
 * mass over all discs; with it, the model must associate pitch with colour.
 *
 * <p>Clips exist in memory ({@link #clip(int)}) and as files in the AViMoS layout ({@link #write(Path, boolean)}):
 * {@code videos/<id>.mp4} (H.264 + AAC, 16 kHz mono), {@code saliency/<id>.mp4} (grey density video, peak 255 per
 * frame), {@code fixations/<id>/fixations.json} ([row, column] pairs per frame) and {@code splits/{train,val,test}.txt}, plus {@code synth.json}
 * describing each clip (colours, tones, which disc sounds).
 *
 * <p>Deterministic: clip i depends only on the seed and i. Thread-safe (stateless apart from the immutable config).
 */
public final class SynthGenerator {
    private final SynthConfig config;

    public SynthGenerator(SynthConfig config) {
        if (config == null) throw new IllegalArgumentException("synthetic config is null");
        this.config = config;
    }

    public SynthConfig config() { return config; }

    /** The id of clip i ({@code synth_0007}). */
    public static String id(int i) { return String.format(Locale.ROOT, "synth_%04d", i); }

    /**
     * The split of clip i: the last {@code max(1, clips/6)} clips are "test", the {@code max(1, clips/6)} before them
     * "val", the rest "train" (with fewer than 3 clips everything is "train").
     */
    public String split(int i) {
        int n = config.clips(), held = Math.max(1, n / 6);
        if (n < 3) return "train";
        if (i >= n - held) return "test";
        if (i >= n - 2 * held) return "val";
        return "train";
    }

    /** Generates clip i (0-based). */
    public SynthClip clip(int i) {
        if (i < 0 || i >= config.clips()) throw new IndexOutOfBoundsException("clip " + i + " of " + config.clips());
        SplittableRandom rnd = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + i);
        int w = config.width(), h = config.height(), nf = config.frames();
        double r = config.radius(), fps = config.fps();
        int k = config.minObjects() + rnd.nextInt(config.maxObjects() - config.minObjects() + 1);
        int[] colours = pickColours(rnd, k);
        Path2[] paths = new Path2[k];
        for (int o = 0; o < k; o++) paths[o] = placePath(rnd, paths, o, w, h, r);
        int sounding = rnd.nextInt(k);

        byte[] background = background(rnd, w, h);
        List<RgbImage> frames = new ArrayList<>(nf);
        List<Map2D> density = new ArrayList<>(nf);
        List<Fixations> fixations = new ArrayList<>(nf);
        List<double[][]> centres = new ArrayList<>(nf);
        double sigma = config.fixationSigma();
        for (int f = 0; f < nf; f++) {
            double t = f / fps;
            byte[] rgb = background.clone();
            double[][] c = new double[k][];
            for (int o = 0; o < k; o++) {
                c[o] = paths[o].at(t);
                disc(rgb, w, h, c[o][0], c[o][1], r, SynthConfig.COLOURS[colours[o]]);
            }
            frames.add(new RgbImage(w, h, rgb));
            centres.add(c);
            double sx = c[sounding][0], sy = c[sounding][1];
            double[] d = new double[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    d[y * w + x] = Math.exp(-((x - sx) * (x - sx) + (y - sy) * (y - sy)) / (2 * sigma * sigma));
            density.add(new Map2D(w, h, d));
            int n = config.fixationsPerFrame();
            int[] xs = new int[n], ys = new int[n];
            for (int j = 0; j < n; j++) {
                xs[j] = clamp((int) Math.round(sx + sigma * gaussian(rnd)), 0, w - 1);
                ys[j] = clamp((int) Math.round(sy + sigma * gaussian(rnd)), 0, h - 1);
            }
            fixations.add(Fixations.of(w, h, xs, ys));
        }
        float[] audio = audio(rnd, paths[sounding], SynthConfig.tone(colours[sounding]), nf / fps);
        return new SynthClip(id(i), fps, List.copyOf(frames), audio, List.copyOf(density), List.copyOf(fixations),
                colours, sounding, List.copyOf(centres));
    }

    /**
     * The 16 kHz audio window of frame {@code f}: {@code seconds} long, ending at the frame's time (the default
     * alignment of {@code dev.avsal.io.VideoReader}), zeros before the clip starts.
     */
    public static float[] window(SynthClip clip, int f, double seconds) {
        int len = (int) Math.round(seconds * SynthConfig.SAMPLE_RATE);
        long end = Math.round(f / clip.fps() * SynthConfig.SAMPLE_RATE);
        float[] out = new float[len];
        for (int j = 0; j < len; j++) {
            long s = end - len + j;
            if (s >= 0 && s < clip.audio().length) out[j] = clip.audio()[(int) s];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * Writes every clip in the AViMoS layout under {@code root} (created if absent).
     *
     * @param overwrite replace existing files; if false and {@code root} holds a {@code videos} folder, nothing is
     *                  written and an IOException names the folder
     * @return the ids per split
     */
    public Map<String, List<String>> write(Path root, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(root.resolve("videos")))
            throw new IOException(root + ": already holds a dataset (videos/); choose another folder or overwrite");
        Files.createDirectories(root.resolve("videos"));
        Files.createDirectories(root.resolve("saliency"));
        Files.createDirectories(root.resolve("splits"));
        Map<String, List<String>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "val", "test")) splits.put(s, new ArrayList<>());
        List<Object> described = new ArrayList<>();
        for (int i = 0; i < config.clips(); i++) {
            SynthClip c = clip(i);
            writeClip(root, c, overwrite);
            splits.get(split(i)).add(c.id());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("split", split(i));
            List<Object> tones = new ArrayList<>();
            for (int col : c.colours()) tones.add(SynthConfig.tone(col));
            m.put("tones_hz", tones);
            m.put("sounding", (long) c.sounding());
            described.add(m);
        }
        for (Map.Entry<String, List<String>> e : splits.entrySet())
            writeText(root.resolve("splits").resolve(e.getKey() + ".txt"),
                    e.getValue().isEmpty() ? "" : String.join("\n", e.getValue()) + "\n");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("generator", "dev.avsal.io.synth.SynthGenerator");
        meta.put("config", config.toString());
        meta.put("clips", described);
        writeText(root.resolve("synth.json"), Json.write(meta) + "\n");
        return splits;
    }

    /** Writes one clip's source video, density video and fixations. */
    public void writeClip(Path root, SynthClip c, boolean overwrite) throws IOException {
        int w = config.width(), h = config.height();
        try (RgbVideoWriter v = new RgbVideoWriter(root.resolve("videos").resolve(c.id() + ".mp4"), w, h, c.fps(),
                SynthConfig.SAMPLE_RATE, 1, overwrite)) {
            for (RgbImage f : c.frames()) v.writeFrame(f.rgb());
            v.writeAudio(c.audio());
        } catch (VideoEncodeException e) {
            throw new IOException(e.getMessage(), e);
        }
        try (SaliencyVideoWriter s = SaliencyVideoWriter.builder().setOutput(root.resolve("saliency").resolve(c.id() + ".mp4"))
                .setFrameRate(c.fps()).optColormap(Colormap.GRAY).optScaling(MapScaling.MIN_MAX).optOverwrite(overwrite)
                .build()) {
            for (Map2D d : c.density()) {
                float[] m = new float[d.size()];
                for (int j = 0; j < m.length; j++) m[j] = (float) d.data()[j];
                s.write(m, w, h);
            }
        } catch (VideoEncodeException e) {
            throw new IOException(e.getMessage(), e);
        }
        Path fixDir = root.resolve("fixations").resolve(c.id());
        Files.createDirectories(fixDir);
        writeText(fixDir.resolve("fixations.json"), fixationsJson(c) + "\n");
    }

    /**
     * The AViMoS fixations file: a JSON array with one entry per frame, each an array of {@code [row, column]} pairs
     * of 0-based pixel indices (the schema of dev.avsal.io.datasets.AvimosDataset).
     */
    static String fixationsJson(SynthClip c) {
        List<Object> frames = new ArrayList<>(c.frameCount());
        for (int f = 0; f < c.frameCount(); f++) {
            Fixations fx = c.fixations().get(f);
            List<Object> pts = new ArrayList<>(fx.count());
            for (int j = 0; j < fx.count(); j++) pts.add(List.of((long) fx.y(j), (long) fx.x(j)));
            frames.add(pts);
        }
        return Json.write(frames);
    }

    private static void writeText(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------------------------------ drawing

    /** A smooth random path: per axis a centre plus two sinusoids. */
    private record Path2(double cx, double cy, double[] ax, double[] fx, double[] px, double[] ay, double[] fy, double[] py) {
        double[] at(double t) {
            double x = cx, y = cy;
            for (int j = 0; j < ax.length; j++) {
                x += ax[j] * Math.sin(2 * Math.PI * fx[j] * t + px[j]);
                y += ay[j] * Math.sin(2 * Math.PI * fy[j] * t + py[j]);
            }
            return new double[] {x, y};
        }

        double speed(double t) {
            double vx = 0, vy = 0;
            for (int j = 0; j < ax.length; j++) {
                vx += ax[j] * 2 * Math.PI * fx[j] * Math.cos(2 * Math.PI * fx[j] * t + px[j]);
                vy += ay[j] * 2 * Math.PI * fy[j] * Math.cos(2 * Math.PI * fy[j] * t + py[j]);
            }
            return Math.hypot(vx, vy);
        }

        double maxSpeed() {
            double s = 0;
            for (int j = 0; j < ax.length; j++) s += 2 * Math.PI * (Math.abs(ax[j] * fx[j]) + Math.abs(ay[j] * fy[j]));
            return s;
        }
    }

    /** A path whose centre keeps the disc inside the frame and starts apart from the discs placed before. */
    private static Path2 placePath(SplittableRandom rnd, Path2[] placed, int o, int w, double h, double r) {
        double amp = 0.12 * Math.min(w, h);
        Path2 best = null;
        double bestGap = -1;
        for (int attempt = 0; attempt < 50; attempt++) {
            double[] ax = new double[2], fx = new double[2], px = new double[2], ay = new double[2], fy = new double[2],
                    py = new double[2];
            for (int j = 0; j < 2; j++) {
                ax[j] = amp * (0.3 + 0.7 * rnd.nextDouble()) / (j + 1);
                ay[j] = amp * (0.3 + 0.7 * rnd.nextDouble()) / (j + 1);
                fx[j] = (0.15 + 0.35 * rnd.nextDouble()) * (j + 1);
                fy[j] = (0.15 + 0.35 * rnd.nextDouble()) * (j + 1);
                px[j] = 2 * Math.PI * rnd.nextDouble();
                py[j] = 2 * Math.PI * rnd.nextDouble();
            }
            double mx = r + 1 + ax[0] + ax[1], my = r + 1 + ay[0] + ay[1];
            double cx = mx + rnd.nextDouble() * Math.max(0, w - 2 * mx), cy = my + rnd.nextDouble() * Math.max(0, h - 2 * my);
            Path2 p = new Path2(cx, cy, ax, fx, px, ay, fy, py);
            double gap = Double.MAX_VALUE;
            for (int q = 0; q < o; q++) {
                double[] a = p.at(0), b = placed[q].at(0);
                gap = Math.min(gap, Math.hypot(a[0] - b[0], a[1] - b[1]));
            }
            if (gap >= 3 * r) return p;
            if (gap > bestGap) {
                bestGap = gap;
                best = p;
            }
        }
        return best;
    }

    private static int[] pickColours(SplittableRandom rnd, int k) {
        int n = SynthConfig.colours();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = new int[k];
        System.arraycopy(all, 0, out, 0, k);
        return out;
    }

    /** Grey with fixed per-pixel noise (a texture that neither moves nor attracts attention). */
    private static byte[] background(SplittableRandom rnd, int w, int h) {
        byte[] b = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++) {
            int v = 112 + rnd.nextInt(11);
            b[3 * p] = b[3 * p + 1] = b[3 * p + 2] = (byte) v;
        }
        return b;
    }

    /** Draws an anti-aliased disc (coverage from the distance to the edge). */
    private static void disc(byte[] rgb, int w, int h, double cx, double cy, double r, int[] colour) {
        int x0 = Math.max(0, (int) Math.floor(cx - r - 1)), x1 = Math.min(w - 1, (int) Math.ceil(cx + r + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - r - 1)), y1 = Math.min(h - 1, (int) Math.ceil(cy + r + 1));
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                double a = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(x - cx, y - cy)));
                if (a == 0) continue;
                int p = 3 * (y * w + x);
                for (int ch = 0; ch < 3; ch++) {
                    int old = rgb[p + ch] & 0xFF;
                    rgb[p + ch] = (byte) Math.round(old + a * (colour[ch] - old));
                }
            }
    }

    /** The sounding disc's tone, loudness following its speed, plus white noise; 16 kHz mono. */
    private float[] audio(SplittableRandom rnd, Path2 path, double hz, double seconds) {
        int n = (int) Math.round(seconds * SynthConfig.SAMPLE_RATE);
        float[] out = new float[n];
        double max = Math.max(1e-9, path.maxSpeed()), phase = 2 * Math.PI * rnd.nextDouble();
        for (int j = 0; j < n; j++) {
            double t = j / (double) SynthConfig.SAMPLE_RATE;
            double loud = 0.2 + 0.25 * Math.min(1, path.speed(t) / max * 2);
            double noise = config.noise() * (2 * rnd.nextDouble() - 1);
            out[j] = (float) (loud * Math.sin(2 * Math.PI * hz * t + phase) + noise);
        }
        return out;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = Math.max(1e-300, rnd.nextDouble()), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

}
