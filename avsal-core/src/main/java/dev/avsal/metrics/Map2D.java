package dev.avsal.metrics;

import java.util.Arrays;

/**
 * A real-valued 2-D map (saliency prediction, ground-truth density, binary fixation mask) stored row-major:
 * the value at column {@code x}, row {@code y} is {@code data[y * width + x]}.
 *
 * <p>The record does not copy {@code data}: treat the array as read-only once wrapped (every metric in this
 * package only reads it). Instances are thread-safe as long as nobody writes the array. {@link #equals} and
 * {@link #hashCode} compare the values, not the array identity.
 */
public record Map2D(int width, int height, double[] data) {

    /** @throws IllegalArgumentException if a size is not positive or {@code data} does not hold width×height values */
    public Map2D {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("map size must be positive, got " + width + "x" + height);
        }
        if (data == null) throw new IllegalArgumentException("map data is null");
        if (data.length != (long) width * height) {
            throw new IllegalArgumentException("map data holds " + data.length + " values, "
                    + width + "x" + height + " needs " + (long) width * height);
        }
    }

    /** Wraps {@code data} (row-major, not copied). */
    public static Map2D of(int width, int height, double... data) { return new Map2D(width, height, data); }

    /** A map whose every value is {@code value}. */
    public static Map2D filled(int width, int height, double value) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("map size must be positive, got " + width + "x" + height);
        }
        double[] d = new double[Math.multiplyExact(width, height)];
        Arrays.fill(d, value);
        return new Map2D(width, height, d);
    }

    /** The value at column {@code x}, row {@code y} (0-based). */
    public double get(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("(" + x + "," + y + ") outside " + width + "x" + height);
        }
        return data[y * width + x];
    }

    /** Number of values, width×height. */
    public int size() { return data.length; }

    /** A deep copy (new array). */
    public Map2D copy() { return new Map2D(width, height, data.clone()); }

    /** Whether both maps have the same width and height. */
    public boolean sameSize(Map2D o) { return width == o.width && height == o.height; }

    @Override public boolean equals(Object o) {
        return o instanceof Map2D m && m.width == width && m.height == height && Arrays.equals(m.data, data);
    }

    @Override public int hashCode() { return 31 * (31 * width + height) + Arrays.hashCode(data); }

    @Override public String toString() { return "Map2D[" + width + "x" + height + "]"; }
}
