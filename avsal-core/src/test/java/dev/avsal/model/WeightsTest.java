package dev.avsal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class WeightsTest {

    private static TestTensorData raw(DType dtype, long[] shape, java.util.function.Consumer<ByteBuffer> fill) {
        long n = 1;
        for (long s : shape) n *= s;
        ByteBuffer b = ByteBuffer.allocate((int) (n * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return new TestTensorData("t." + dtype, dtype, shape, b.array());
    }

    private static float[] floats(TensorData d) {
        try (Tensor t = Weights.toTensor(d)) {
            assertEquals(ScalarType.Float, t.scalar_type().intern());
            assertArrayEquals(d.shape(), TestTensors.shape(t));
            return TestTensors.values(t);
        }
    }

    @Test
    void convertsEveryDtypeToFloat32() {
        long[] s = {2, 2};
        assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 65504f}, floats(raw(DType.F16, s, b -> {
            b.putShort((short) 0x3E00).putShort((short) 0xC000).putShort((short) 0x3400).putShort((short) 0x7BFF);
        })));
        assertArrayEquals(new float[] {1.5f, -2f, 3.140625f, 1e-3f * 0 + Float.intBitsToFloat(0x3A830000)},
                floats(raw(DType.BF16, s, b -> {
                    for (float f : new float[] {1.5f, -2f, 3.140625f, Float.intBitsToFloat(0x3A830000)})
                        b.putShort((short) (Float.floatToIntBits(f) >>> 16));
                })));
        assertArrayEquals(new float[] {0.1f, -1e30f, 7f, 0f}, floats(raw(DType.F64, s, b -> {
            b.putDouble(0.1).putDouble(-1e30).putDouble(7).putDouble(0);
        })));
        assertArrayEquals(new float[] {1, -2, 3e9f, 4}, floats(raw(DType.I64, s, b -> {
            b.putLong(1).putLong(-2).putLong(3_000_000_000L).putLong(4);
        })));
        assertArrayEquals(new float[] {-7, 8, 9, 10}, floats(raw(DType.I32, s, b -> {
            b.putInt(-7).putInt(8).putInt(9).putInt(10);
        })));
        assertArrayEquals(new float[] {-32768, 2, 3, 4}, floats(raw(DType.I16, s, b -> {
            b.putShort((short) -32768).putShort((short) 2).putShort((short) 3).putShort((short) 4);
        })));
        assertArrayEquals(new float[] {-128, 127, 0, 1}, floats(raw(DType.I8, s, b -> {
            b.put((byte) -128).put((byte) 127).put((byte) 0).put((byte) 1);
        })));
        assertArrayEquals(new float[] {255, 0, 128, 1}, floats(raw(DType.U8, s, b -> {
            b.put((byte) 255).put((byte) 0).put((byte) 128).put((byte) 1);
        })));
        assertArrayEquals(new float[] {1, 0, 1, 1}, floats(raw(DType.BOOL, s, b -> {
            b.put((byte) 1).put((byte) 0).put((byte) 1).put((byte) 1);
        })));
        assertArrayEquals(new float[] {3.5f}, floats(raw(DType.F32, new long[0], b -> b.putFloat(3.5f))));
        assertArrayEquals(new float[0], floats(raw(DType.F32, new long[] {0, 3}, b -> {})));
    }

    @Test
    void convertsToOtherTargetTypesAndFromDirectBuffers() {
        ByteBuffer direct = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
        direct.putFloat(99f).putFloat(2.5f).putFloat(-1f).flip().position(4); // a view that starts inside
        TensorData d = new TestTensorData("d", DType.F32, new long[] {2}, new byte[8]) {
            @Override public ByteBuffer toByteBuffer() { return direct.asReadOnlyBuffer(); }
        };
        assertArrayEquals(new float[] {2.5f, -1f}, floats(d));
        try (Tensor t = Weights.toTensor(d, ScalarType.Double)) {
            assertEquals(ScalarType.Double, t.scalar_type().intern());
        }
    }

    @Test
    void resultsBelongToTheCallersScope() {
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            t = Weights.toTensor(TestTensorData.f32("x", new long[] {3}, new float[] {1, 2, 3}));
            assertEquals(3, t.numel());
        }
        assertTrue(t.isNull(), "freed by the enclosing scope");
        Tensor own = Weights.toTensor(TestTensorData.f32("x", new long[] {3}, new float[] {1, 2, 3}));
        assertArrayEquals(new float[] {1, 2, 3}, TestTensors.values(own));
        own.close();
        assertTrue(own.isNull());
    }

    @Test
    void reportsEveryMismatchInOneException() throws Exception {
        ClipVisionConfig cfg = new ClipVisionConfig(16, 8, 64, 1, 1, 8);
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(cfg)) {
            Map<String, TensorData> w = new LinkedHashMap<>(TestTensors.randomWeights(enc.module(), 1));
            w.remove("ln_post.bias");                                                        // missing
            w.put("transformer.resblocks.0.ls_1.gamma", TestTensorData.f32("transformer.resblocks.0.ls_1.gamma", new long[] {1}, new float[1]));
            w.put("proj", TestTensorData.f32("visual.proj", new long[] {64, 16}, new float[64 * 16]));        // mis-shaped
            WeightMismatchException e = assertThrows(WeightMismatchException.class,
                    () -> enc.loadWeights(w, "weights/model.safetensors"));
            assertEquals(List.of("ln_post.bias"), e.missing());
            assertEquals(List.of("transformer.resblocks.0.ls_1.gamma"), e.unexpected());
            assertEquals(List.of("proj"), e.misshapedKeys());
            assertEquals("weights/model.safetensors", e.source());
            String m = e.getMessage();
            System.out.println(m);
            assertTrue(m.startsWith("weights/model.safetensors: "), m);
            assertTrue(m.contains("1 missing, 1 unexpected, 1 mis-shaped"), m);
            assertTrue(m.contains("proj: model [64, 8], file [64, 16] (from visual.proj)"), m);
            assertTrue(m.indexOf("missing (1):") < m.indexOf("unexpected (1):")
                    && m.indexOf("unexpected (1):") < m.indexOf("mis-shaped (1):"), m);
        }
    }

    @Test
    void loadsValuesOnlyWhenEverythingFits() throws Exception {
        ClipVisionConfig cfg = new ClipVisionConfig(16, 8, 64, 1, 1, 8);
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(cfg)) {
            Map<String, TestTensorData> w = TestTensors.randomWeights(enc.module(), 2);
            enc.loadWeights(w, "first");
            Map<String, TensorData> bad = new LinkedHashMap<>(TestTensors.randomWeights(enc.module(), 3));
            bad.put("class_embedding", TestTensorData.f32("c", new long[] {63}, new float[63]));
            assertThrows(WeightMismatchException.class, () -> enc.loadWeights(bad, "second"));
            try (PointerScope scope = new PointerScope()) {
                Map<String, Tensor> params = Weights.namedTensors(enc.module());
                for (Map.Entry<String, TestTensorData> e : w.entrySet())
                    assertArrayEquals(e.getValue().toFloatArray(), TestTensors.values(params.get(e.getKey())),
                            e.getKey() + " kept its first values");
                assertTrue(!params.get("conv1.weight").requires_grad(), "frozen");
            }
        }
    }

    @Test
    void nonFloatingSourceIsMisshaped() {
        ClipVisionConfig cfg = new ClipVisionConfig(16, 8, 64, 1, 1, 8);
        try (ClipVisionEncoder enc = ClipVisionEncoder.create(cfg)) {
            Map<String, TensorData> w = new LinkedHashMap<>(TestTensors.randomWeights(enc.module(), 1));
            w.put("class_embedding", raw(DType.I64, new long[] {64}, b -> {}));
            WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> enc.loadWeights(w, "f"));
            assertEquals(List.of("class_embedding"), e.misshapedKeys());
        }
    }
}
