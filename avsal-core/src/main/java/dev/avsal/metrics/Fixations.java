package dev.avsal.metrics;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * Fixation points on a width×height pixel grid: 0-based integer coordinates ({@code x} = column, {@code y} = row),
 * in the order given, duplicates kept.
 *
 * <p>Protocols read them differently: the MIT code works on a binary fixation map, so several fixations on one
 * pixel count once ({@link #uniquePixels()}); the AIM 2024 bench samples at every coordinate, so they count every
 * time. Immutable and thread-safe.
 */
public final class Fixations {
    private final int width, height;
    private final int[] xs, ys;
    private volatile int[] unique; // lazily computed, sorted row-major pixel indices

    private Fixations(int width, int height, int[] xs, int[] ys) {
        this.width = width;
        this.height = height;
        this.xs = xs;
        this.ys = ys;
    }

    /**
     * Fixations at ({@code xs[i]}, {@code ys[i]}); the arrays are copied.
     *
     * @throws IllegalArgumentException on a non-positive grid, arrays of different length, or a point off the grid
     */
    public static Fixations of(int width, int height, int[] xs, int[] ys) {
        checkGrid(width, height);
        if (xs == null || ys == null) throw new IllegalArgumentException("fixation coordinates are null");
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("fixations: " + xs.length + " x values but " + ys.length + " y values");
        }
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] < 0 || xs[i] >= width || ys[i] < 0 || ys[i] >= height) {
                throw new IllegalArgumentException("fixation " + i + " at (" + xs[i] + "," + ys[i] + ") is outside the "
                        + width + "x" + height + " grid");
            }
        }
        return new Fixations(width, height, xs.clone(), ys.clone());
    }

    /** No fixations on a width×height grid. */
    public static Fixations none(int width, int height) {
        checkGrid(width, height);
        return new Fixations(width, height, new int[0], new int[0]);
    }

    /**
     * One fixation per pixel whose value is {@code > 0}, in row-major order (the MIT code's {@code F > 0}).
     *
     * @throws IllegalArgumentException if the map holds a negative or non-finite value
     */
    public static Fixations fromMask(Map2D mask) {
        double[] d = mask.data();
        int n = 0;
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] >= 0) || d[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("fixation mask value " + d[i] + " at (" + i % mask.width() + ","
                        + i / mask.width() + ") is not a finite non-negative number");
            }
            if (d[i] > 0) n++;
        }
        int[] idx = new int[n];
        for (int i = 0, k = 0; i < d.length; i++) if (d[i] > 0) idx[k++] = i;
        return fromPixels(mask.width(), mask.height(), idx);
    }

    /** Union of several fixation sets on one grid: every fixated pixel once, row-major order. */
    public static Fixations union(Collection<Fixations> sets) {
        if (sets.isEmpty()) throw new IllegalArgumentException("union of no fixation sets: grid size unknown");
        Fixations first = sets.iterator().next();
        BitSet bits = new BitSet(first.width * first.height);
        for (Fixations f : sets) {
            first.checkSameGrid(f, "union");
            for (int p : f.uniquePixels()) bits.set(p);
        }
        return fromPixels(first.width, first.height, bits.stream().toArray());
    }

    /**
     * The STAViS shuffled-AUC negatives for frame {@code frame} of a video: the union of the fixations of all its
     * frames (the current one included, as {@code createShuffmap1.m} builds it) minus the current frame's pixels.
     */
    public static Fixations stavisNegatives(List<Fixations> videoFrames, int frame) {
        if (frame < 0 || frame >= videoFrames.size()) {
            throw new IllegalArgumentException("frame " + frame + " outside 0.." + (videoFrames.size() - 1));
        }
        return union(videoFrames).minus(videoFrames.get(frame));
    }

    /** The pixels fixated here but not in {@code other}, each once, row-major order. */
    public Fixations minus(Fixations other) {
        checkSameGrid(other, "minus");
        BitSet bits = new BitSet(width * height);
        for (int p : uniquePixels()) bits.set(p);
        for (int p : other.uniquePixels()) bits.clear(p);
        return fromPixels(width, height, bits.stream().toArray());
    }

    private static Fixations fromPixels(int width, int height, int[] rowMajor) {
        int[] x = new int[rowMajor.length], y = new int[rowMajor.length];
        for (int i = 0; i < rowMajor.length; i++) {
            x[i] = rowMajor[i] % width;
            y[i] = rowMajor[i] / width;
        }
        return new Fixations(width, height, x, y);
    }

    public int width() { return width; }
    public int height() { return height; }
    /** Number of fixations, duplicates included. */
    public int count() { return xs.length; }
    public boolean isEmpty() { return xs.length == 0; }
    public int x(int i) { return xs[i]; }
    public int y(int i) { return ys[i]; }

    /** Row-major pixel index of every fixation, in order, duplicates included (a fresh array). */
    public int[] pixelIndices() {
        int[] p = new int[xs.length];
        for (int i = 0; i < p.length; i++) p[i] = ys[i] * width + xs[i];
        return p;
    }

    /** The fixated pixels, each once, as sorted row-major indices (a fresh array): the MIT binary-map view. */
    public int[] uniquePixels() {
        int[] u = unique;
        if (u == null) {
            int[] p = pixelIndices();
            Arrays.sort(p);
            int n = 0;
            for (int i = 0; i < p.length; i++) if (i == 0 || p[i] != p[i - 1]) p[n++] = p[i];
            unique = u = Arrays.copyOf(p, n);
        }
        return u.clone();
    }

    /** The binary fixation map (1 at fixated pixels, else 0). */
    public Map2D toMask() {
        double[] d = new double[width * height];
        for (int i = 0; i < xs.length; i++) d[ys[i] * width + xs[i]] = 1;
        return new Map2D(width, height, d);
    }

    void checkSameGrid(Fixations o, String what) {
        if (o.width != width || o.height != height) {
            throw new IllegalArgumentException(what + ": fixation grids differ, " + width + "x" + height + " vs "
                    + o.width + "x" + o.height);
        }
    }

    private static void checkGrid(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("fixation grid size must be positive, got " + width + "x" + height);
        }
        Math.multiplyExact(width, height);
    }

    @Override public String toString() { return "Fixations[" + count() + " on " + width + "x" + height + "]"; }
}
