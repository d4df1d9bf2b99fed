package dev.avsal.io.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.avsal.data.DatasetException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavAudioTest {
    @TempDir Path tmp;

    /**
     * A RIFF/WAVE file of {@code frames} frames, channel c of frame i = signal(i * channels + c); format tag 1 (PCM),
     * 3 (float) or 0xFFFE with a PCM sub-format.
     */
    static byte[] wav(int rate, int channels, int bits, int tag, int frames, IntToDoubleFunction signal) {
        int width = bits / 8, data = frames * channels * width;
        boolean ext = tag == 0xFFFE;
        int fmtSize = ext ? 40 : 16;
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + fmtSize + 8 + 8 + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(fmtSize).putShort((short) tag).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * width).putShort((short) (channels * width)).putShort((short) bits);
        if (ext) b.putShort((short) 22).putShort((short) bits).putInt(0).putShort((short) 1).put(new byte[14]);
        b.put("LIST".getBytes()).putInt(0);                     // an empty chunk to skip
        b.put("data".getBytes()).putInt(data);
        for (int i = 0; i < frames * channels; i++) {
            double v = signal.applyAsDouble(i);
            switch (tag == 3 ? -bits : bits) {
                case 8 -> b.put((byte) (Math.round(v * 127) + 128));
                case 16 -> b.putShort((short) Math.round(v * 32767));
                case 24 -> { int s = (int) Math.round(v * 8388607); b.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16)); }
                case 32 -> b.putInt((int) Math.round(v * 2147483647.0));
                case -32 -> b.putFloat((float) v);
                default -> b.putDouble(v);
            }
        }
        return b.array();
    }

    @Test
    void decodesFormatsAndMixesToMono() throws Exception {
        // left 0.6, right -0.2 in every frame: the mono mean is 0.2
        for (int[] f : new int[][] {{8, 1}, {16, 1}, {24, 1}, {32, 1}, {32, 3}, {64, 3}, {24, 0xFFFE}}) {
            Path p = tmp.resolve("f" + f[0] + "_" + f[1] + ".wav");
            Files.write(p, wav(22050, 2, f[0], f[1], 100, i -> i % 2 == 0 ? 0.6 : -0.2));
            WavAudio.Mono m = WavAudio.read(p);
            assertEquals(22050, m.rate());
            assertEquals(100, m.samples().length);
            double tol = f[0] == 8 ? 1.0 / 127 : 1e-4;
            for (float s : m.samples()) assertEquals(0.2, s, tol, p.toString());
        }
    }

    @Test
    void resamplesSinesAccuratelyAndSuppressesAliases() {
        for (int from : new int[] {44_100, 48_000, 22_050, 8_000, 16_000}) {
            double hz = 440;
            float[] x = new float[from * 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / from));
            float[] y = WavAudio.resample(x, from, 16_000);
            assertEquals(32_000, y.length, "rate " + from);
            double worst = 0;
            for (int n = 200; n < y.length - 200; n++)       // away from the track's ends (the sinc rings there)
                worst = Math.max(worst, Math.abs(y[n] - 0.5 * Math.sin(2 * Math.PI * hz * n / 16_000)));
            assertTrue(worst < 1e-3, "rate " + from + ": worst error " + worst);
        }
        // 12 kHz is above the 8 kHz Nyquist frequency of the output: it must (almost) vanish, not fold to 4 kHz
        float[] x = new float[48_000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(2 * Math.PI * 12_000 * i / 48_000.0);
        float[] y = WavAudio.resample(x, 48_000, 16_000);
        double peak = 0;
        for (int n = 200; n < y.length - 200; n++) peak = Math.max(peak, Math.abs(y[n]));
        assertTrue(peak < 1e-3, "alias peak " + peak);
    }

    @Test
    void badFilesAreTypedAndNamed() throws Exception {
        byte[] good = wav(16_000, 1, 16, 1, 1000, i -> 0.1);
        Path p = tmp.resolve("cut.wav");
        Files.write(p, Arrays.copyOf(good, good.length - 10));
        DatasetException e = assertThrows(DatasetException.class, () -> WavAudio.read(p));
        assertTrue(e.getMessage().contains("cut.wav") && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(p, Arrays.copyOf(good, 30));
        assertTrue(assertThrows(DatasetException.class, () -> WavAudio.read(p)).getMessage().contains("cut.wav"));
        Files.writeString(p, "ID3 this is an mp3");
        assertTrue(assertThrows(DatasetException.class, () -> WavAudio.read(p)).getMessage().contains("not a RIFF/WAVE"));
        byte[] adpcm = good.clone();
        adpcm[20] = 2;                                        // format tag 2: MS ADPCM
        Files.write(p, adpcm);
        assertTrue(assertThrows(DatasetException.class, () -> WavAudio.read(p)).getMessage().contains("unsupported wav encoding"));
    }
}
