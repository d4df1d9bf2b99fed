package dev.avsal.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A minimal zip writer for tests, with full control over the layout: stored entries, optional local-header
 * padding (as torch aligns its records), and zip64 records with the 64-bit values in extra fields.
 */
final class TestZip {
    private record Item(String name, byte[] data, int padding) {}

    private final List<Item> items = new ArrayList<>();

    TestZip add(String name, byte[] data) {
        return add(name, data, 0);
    }

    TestZip add(String name, byte[] data, int localExtraPadding) {
        items.add(new Item(name, data, localExtraPadding));
        return this;
    }

    TestZip add(String name, String text) {
        return add(name, text.getBytes(StandardCharsets.UTF_8));
    }

    byte[] build(boolean zip64) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Item it : items) {
            offsets.add((long) out.size());
            byte[] name = it.name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + name.length + it.padding);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0x21).putInt(crc(it.data)).putInt(it.data.length).putInt(it.data.length)
                    .putShort((short) name.length).putShort((short) it.padding).put(name);
            if (it.padding >= 4) h.putShort((short) 0x4653).putShort((short) (it.padding - 4)); // "FB" padding record
            out.writeBytes(h.array());
            out.writeBytes(it.data);
        }
        long cdStart = out.size();
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            byte[] name = it.name.getBytes(StandardCharsets.UTF_8);
            int extra = zip64 ? 4 + 24 : 0;
            ByteBuffer c = le(46 + name.length + extra);
            int size32 = zip64 ? -1 : it.data.length;
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x21).putInt(crc(it.data)).putInt(size32).putInt(size32)
                    .putShort((short) name.length).putShort((short) extra).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(zip64 ? -1 : (int) (long) offsets.get(i)).put(name);
            if (zip64) {
                c.putShort((short) 1).putShort((short) 24).putLong(it.data.length).putLong(it.data.length)
                        .putLong(offsets.get(i));
            }
            out.writeBytes(c.array());
        }
        long cdSize = out.size() - cdStart;
        if (zip64) {
            long rec = out.size();
            ByteBuffer z = le(56);
            z.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(items.size()).putLong(items.size()).putLong(cdSize).putLong(cdStart);
            out.writeBytes(z.array());
            ByteBuffer loc = le(20);
            loc.putInt(0x07064b50).putInt(0).putLong(rec).putInt(1);
            out.writeBytes(loc.array());
        }
        ByteBuffer e = le(22);
        e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) (zip64 ? 0xffff : items.size())).putShort((short) (zip64 ? 0xffff : items.size()))
                .putInt(zip64 ? -1 : (int) cdSize).putInt(zip64 ? -1 : (int) cdStart).putShort((short) 0);
        out.writeBytes(e.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }
}
