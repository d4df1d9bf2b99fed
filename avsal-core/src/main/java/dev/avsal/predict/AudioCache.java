package dev.avsal.predict;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/**
 * The audio encodings of the most recent windows, so that frames sharing a window reuse one encoding. Windows are
 * matched by their explicit key, or by content (hash, then a full comparison with a private copy of the samples).
 * Cached tensors are retained (JavaCPP reference count) and so survive the callers' PointerScopes; they are
 * released on eviction, {@link #clear()} and {@link #close()}. Callers take a new handle ({@code new Tensor(t)})
 * on a cached tensor before anything else can evict it.
 *
 * <p>Internal API. Not thread-safe: one cache belongs to one session or one call.
 */
public final class AudioCache implements AutoCloseable {
    /** How windows are matched: build with {@link #keyOf(float[], Object)}. */
    public interface Key {}

    private record Keyed(Object key) implements Key {}

    /** Content key; {@code samples} is the caller's array for lookups and a private copy once stored. */
    private static final class Content implements Key {
        final float[] samples;
        final int hash;

        Content(float[] samples, int hash) {
            this.samples = samples;
            this.hash = hash;
        }

        @Override public int hashCode() { return hash; }

        @Override public boolean equals(Object o) {
            return o instanceof Content c && c.hash == hash && Arrays.equals(c.samples, samples);
        }
    }

    private final int capacity;
    private final LinkedHashMap<Key, Tensor> entries;
    private long hits, misses;

    /** A cache of at most {@code capacity} windows (least recently used evicted first). */
    public AudioCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("audio cache capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The key of a window: {@code key} itself when not null, else the samples' content. */
    public static Key keyOf(float[] samples, Object key) {
        return key != null ? new Keyed(key) : new Content(Objects.requireNonNull(samples), Arrays.hashCode(samples));
    }

    /** The cached encoding for the key (owned by the cache), or null; counts a hit or a miss. */
    public Tensor get(Key key) {
        Tensor t = entries.get(key);
        if (t != null) hits++;
        else misses++;
        return t;
    }

    /** Stores an encoding (the cache takes its own retained handle), evicting the least recently used entries. */
    public void put(Key key, Tensor tokens) {
        Key stored = key instanceof Content c ? new Content(c.samples.clone(), c.hash) : key;
        Tensor old = entries.put(stored, new Tensor(tokens).retainReference());
        if (old != null) old.releaseReference();
        Iterator<Map.Entry<Key, Tensor>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            it.next().getValue().releaseReference();
            it.remove();
        }
    }

    public int size() { return entries.size(); }

    /** Lookups that found an entry. */
    public long hits() { return hits; }

    /** Lookups that did not. */
    public long misses() { return misses; }

    /** Releases every entry. */
    public void clear() {
        for (Tensor t : entries.values()) t.releaseReference();
        entries.clear();
    }

    @Override
    public void close() { clear(); }
}
