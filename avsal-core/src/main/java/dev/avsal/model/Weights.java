package dev.avsal.model;

import dev.avsal.checkpoint.DType;
import dev.avsal.checkpoint.TensorData;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Moves checkpoint tensors into LibTorch: {@link TensorData} to {@link Tensor}, and a named map of them into a
 * {@link Module}'s parameters and buffers with a complete mismatch report.
 *
 * <p>Ownership: {@link #toTensor} returns a tensor that belongs to the caller's innermost open
 * {@link PointerScope} if there is one, else to the caller (close it, or leave it to the garbage collector);
 * temporaries are freed before returning.
 *
 * <p>Thread-safe (stateless). Loading into a module that another thread is running is not.
 */
public final class Weights {
    private Weights() {}

    /** The LibTorch scalar type holding values of this checkpoint dtype. */
    public static ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case F64 -> ScalarType.Double;
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /** The tensor as float32 (any dtype converts, bool to 0/1). */
    public static Tensor toTensor(TensorData data) {
        return toTensor(data, ScalarType.Float);
    }

    /**
     * The tensor converted to {@code target}: the bytes are wrapped with their own scalar type, then converted with
     * LibTorch's rules (so float16 rounds exactly as in PyTorch). The result owns its memory and does not depend on
     * the checkpoint staying open.
     */
    public static Tensor toTensor(TensorData data, ScalarType target) {
        LibTorch.load();
        long[] shape = data.shape();
        Tensor result;
        try (PointerScope scope = new PointerScope()) {
            ScalarType source = scalarType(data.dtype());
            if (data.numel() == 0) {
                result = torch.empty(shape, new TensorOptions(target), new MemoryFormatOptional());
            } else {
                ByteBuffer bytes = data.toByteBuffer();
                long expected = data.numel() * data.dtype().byteSize();
                if (bytes.remaining() != expected) {
                    throw new IllegalStateException(data.name() + ": " + bytes.remaining() + " bytes for "
                            + data.dtype() + " " + Arrays.toString(shape) + ", expected " + expected);
                }
                BytePointer ptr;
                if (bytes.isDirect()) {
                    ptr = new BytePointer(bytes);
                } else { // heap or read-only heap buffer: copy into native memory first
                    ptr = new BytePointer(bytes.remaining());
                    ptr.asBuffer().put(bytes.duplicate());
                }
                Tensor view = torch.from_blob(ptr, shape, new TensorOptions(source));
                // copy=true: the blob's memory belongs to the buffer, never to the result
                result = view.to(target, false, true, new MemoryFormatOptional());
                Reference.reachabilityFence(bytes);
            }
            result.retainReference();
        }
        return Scopes.handOver(result);
    }

    /** Parameters then buffers of a module by dotted name (the handles share the module's storage). */
    static Map<String, Tensor> namedTensors(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (StringTensorDict dict : List.of(module.named_parameters(true), module.named_buffers(true))) {
            for (long i = 0; i < dict.size(); i++) {
                out.put(dict.get(i).key().getString(), new Tensor(dict.get(i).value()));
            }
        }
        return out;
    }

    /**
     * Copies {@code source} into the module's parameters and buffers (matched by dotted name), converting to each
     * target's dtype. Nothing is copied unless every key matches: otherwise one {@link WeightMismatchException}
     * lists every missing, unexpected and mis-shaped key.
     *
     * @param module     the module to fill
     * @param source     tensors by the module's dotted names
     * @param sourceName the weight file or other source, for messages
     * @param modelName  a short description of the model, for messages
     */
    public static void load(Module module, Map<String, ? extends TensorData> source, String sourceName,
                            String modelName) throws WeightMismatchException {
        LibTorch.load();
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> targets = namedTensors(module);
            List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), misshaped = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : targets.entrySet()) {
                TensorData d = source.get(e.getKey());
                if (d == null) {
                    missing.add(e.getKey());
                    continue;
                }
                long[] want = e.getValue().sizes().vec().get();
                String from = d.name() != null && !d.name().equals(e.getKey()) ? " (from " + d.name() + ")" : "";
                if (!Arrays.equals(want, d.shape())) {
                    misshaped.add(e.getKey() + ": model " + Arrays.toString(want) + ", file "
                            + Arrays.toString(d.shape()) + from);
                } else if (!d.dtype().isFloatingPoint()) {
                    misshaped.add(e.getKey() + ": model expects floating point, file has " + d.dtype() + from);
                }
            }
            for (Map.Entry<String, ? extends TensorData> e : source.entrySet()) {
                if (!targets.containsKey(e.getKey())) {
                    TensorData d = e.getValue();
                    unexpected.add(d.name() != null && !d.name().equals(e.getKey())
                            ? e.getKey() + " (from " + d.name() + ")" : e.getKey());
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
                throw new WeightMismatchException(sourceName, modelName, missing, unexpected, misshaped);
            }
            try (NoGradGuard guard = new NoGradGuard()) {
                for (Map.Entry<String, Tensor> e : targets.entrySet()) {
                    try (PointerScope perTensor = new PointerScope()) { // frees each converted copy at once
                        Tensor param = e.getValue();
                        param.copy_(toTensor(source.get(e.getKey()), param.scalar_type()));
                    }
                }
            }
        }
    }

    /**
     * Fills every floating-point parameter and buffer with seeded random values of a sensible scale (for tests and
     * benchmarks): {@code *.bias} zero, 1-d {@code *.weight} (norms) one, other {@code *.weight} normal with std
     * {@code 1/sqrt(fan_in)}, everything else normal with std 0.02; 0-d tensors are left alone.
     */
    static void randomize(Module module, long seed) {
        LibTorch.load();
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            GeneratorOptional gen = new GeneratorOptional(torch.createCPUGenerator(seed));
            for (Map.Entry<String, Tensor> e : namedTensors(module).entrySet()) {
                Tensor t = e.getValue();
                long[] s = t.sizes().vec().get();
                String n = e.getKey();
                if (s.length == 0) continue;
                if (n.endsWith("bias")) {
                    t.zero_();
                } else if (n.endsWith("weight") && s.length == 1) {
                    t.fill_(new Scalar(1.0));
                } else {
                    double std = 0.02;
                    if (n.endsWith("weight")) {
                        long fanIn = 1;
                        for (int i = 1; i < s.length; i++) fanIn *= s[i];
                        std = 1.0 / Math.sqrt(fanIn);
                    }
                    t.copy_(torch.randn(s, gen, new TensorOptions(t.scalar_type())).mul(new Scalar(std)));
                }
            }
        }
    }
}
