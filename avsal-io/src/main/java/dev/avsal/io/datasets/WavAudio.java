package dev.avsal.io.datasets;

import dev.avsal.data.DatasetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small RIFF/WAVE reader for dataset audio tracks: integer PCM (8, 16, 24, 32 bit), IEEE float (32, 64 bit) and
 * WAVE_FORMAT_EXTENSIBLE of either, any channel count, mixed to mono by the plain channel mean (as
 * {@link dev.avsal.io.AudioMix#MEAN}, VideoReader's default), and resampled to the model's rate.
 *
 * <p>Why not FFmpeg: {@link dev.avsal.io.VideoReader} needs a video stream and its audio decoder is internal to
 * dev.avsal.io. The resampler is therefore ours (a Kaiser-windowed sinc, beta 9, 16 zero crossings each side, cut-off
 * at 0.97 of the lower Nyquist frequency, exact polyphase tables up to 4096 phases): close to swresample's defaults in
 * design, not bit-identical to it (our choice).
 *
 * <p>Stateless and thread-safe.
 */
final class WavAudio {
    /** Largest wav accepted (a corrupt size field must not make us allocate gigabytes). */
    static final long MAX_BYTES = 1L << 31;
    private static final int HALF_ZEROS = 16, MAX_PHASES = 4096;
    private static final double BETA = 9, CUTOFF = 0.97;

    private WavAudio() {}

    /** A mono track: samples at {@code rate} Hz. */
    record Mono(int rate, float[] samples) {}

    /** Reads {@code file} as mono at its own rate. */
    static Mono read(Path file) throws DatasetException {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) throw new DatasetException(file + ": no such file");
            if (Files.size(file) > MAX_BYTES) throw new DatasetException(file + ": too large for a wav file here");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157)     // "RIFF" ... "WAVE"
            throw new DatasetException(file + ": not a RIFF/WAVE file");
        int format = -1, channels = 0, rate = 0, bits = 0, block = 0;
        int pos = 12;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66) {                                                          // "fmt "
                if (size < 16 || body + size > bytes.length) throw new DatasetException(file + ": truncated fmt chunk");
                format = Short.toUnsignedInt(b.getShort(body));
                channels = Short.toUnsignedInt(b.getShort(body + 2));
                rate = b.getInt(body + 4);
                block = Short.toUnsignedInt(b.getShort(body + 12));
                bits = Short.toUnsignedInt(b.getShort(body + 14));
                if (format == 0xFFFE) {
                    if (size < 26) throw new DatasetException(file + ": WAVE_FORMAT_EXTENSIBLE without its sub-format");
                    format = Short.toUnsignedInt(b.getShort(body + 24));                      // first 2 bytes of the GUID
                }
            } else if (id == 0x61746164) {                                                   // "data"
                if (format < 0) throw new DatasetException(file + ": data chunk before the fmt chunk");
                if (body + size > bytes.length)
                    throw new DatasetException(file + ": truncated: the data chunk declares " + size + " bytes, the file holds "
                            + (bytes.length - body));
                return new Mono(rate, decode(file, b, body, (int) size, format, channels, rate, bits, block));
            }
            pos = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));                // chunks are padded to even
        }
        throw new DatasetException(file + ": no data chunk" + (format < 0 ? " and no fmt chunk" : ""));
    }

    private static float[] decode(Path file, ByteBuffer b, int at, int size, int format, int channels, int rate, int bits,
                                  int block) throws DatasetException {
        boolean pcm = format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        boolean flt = format == 3 && (bits == 32 || bits == 64);
        if (!pcm && !flt) throw new DatasetException(file + ": unsupported wav encoding (format tag " + format + ", "
                + bits + " bits); PCM 8/16/24/32 and float 32/64 are read");
        if (channels < 1 || channels > 64) throw new DatasetException(file + ": " + channels + " channels");
        if (rate < 1000 || rate > 384_000) throw new DatasetException(file + ": sample rate " + rate + " Hz is not supported");
        int width = bits / 8;
        if (block != width * channels) throw new DatasetException(file + ": block align " + block + " does not match "
                + channels + " channels of " + bits + " bits");
        int frames = size / block;
        float[] out = new float[frames];
        for (int i = 0, p = at; i < frames; i++) {
            double s = 0;
            for (int c = 0; c < channels; c++, p += width) s += sample(b, p, bits, flt);
            out[i] = (float) (s / channels);
        }
        return out;
    }

    private static double sample(ByteBuffer b, int p, int bits, boolean flt) {
        if (flt) return bits == 32 ? b.getFloat(p) : b.getDouble(p);
        return switch (bits) {
            case 8 -> ((b.get(p) & 0xFF) - 128) / 128.0;                                        // 8-bit wav is unsigned
            case 16 -> b.getShort(p) / 32768.0;
            case 24 -> ((b.get(p) & 0xFF) | (b.get(p + 1) & 0xFF) << 8 | b.get(p + 2) << 16) / 8388608.0;
            default -> b.getInt(p) / 2147483648.0;
        };
    }

    /** {@code x} at {@code from} Hz resampled to {@code to} Hz (a copy when the rates are equal). */
    static float[] resample(float[] x, int from, int to) {
        if (from == to) return x.clone();
        int g = gcd(from, to);
        long up = to / g, down = from / g;                      // output n sits at input position n * down / up
        double fc = CUTOFF * Math.min(1.0, (double) to / from); // cut-off in cycles per input sample x 2
        int half = (int) Math.ceil(HALF_ZEROS / fc);            // taps each side, in input samples
        int phases = (int) Math.min(up, MAX_PHASES);
        double[][] table = new double[phases][2 * half];
        double i0b = bessel0(BETA);
        for (int ph = 0; ph < phases; ph++) {
            double frac = (double) ph / phases;                 // output position minus its floor, in input samples
            for (int j = 0; j < 2 * half; j++) {
                double t = j - (half - 1) - frac;               // tap k = floor + j - (half - 1)
                double u = t / (half + 1);
                double w = Math.abs(u) >= 1 ? 0 : bessel0(BETA * Math.sqrt(1 - u * u)) / i0b;
                double a = Math.PI * fc * t;
                table[ph][j] = fc * (t == 0 ? 1 : Math.sin(a) / a) * w;
            }
        }
        int n = (int) (((long) x.length * up + down - 1) / down);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            long num = i * down;
            long base = num / up;
            int ph = (int) (phases == up ? num % up : (num % up) * phases / up);
            double[] k = table[ph];
            long first = base - (half - 1);
            double s = 0;
            int j0 = (int) Math.max(0, -first), j1 = (int) Math.min(2 * half, x.length - first);
            for (int j = j0; j < j1; j++) s += k[j] * x[(int) (first + j)];
            y[i] = (float) s;
        }
        return y;
    }

    private static double bessel0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++) {
            term *= q / ((double) k * k);
            sum += term;
        }
        return sum;
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }
}
