package dev.avsal.model.head;

import dev.avsal.checkpoint.Checkpoint;
import dev.avsal.checkpoint.CheckpointException;
import dev.avsal.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Strict copy of checkpoint tensors into a module's parameters (all keys must match both ways, shapes exactly).
 * Kept local to the head until the shared weight loader of dev.avsal.model is available.
 */
final class HeadWeights {
    private HeadWeights() {}

    static void load(Module module, Checkpoint ckpt) throws CheckpointException {
        if (ckpt == null) throw new IllegalArgumentException("head weights: checkpoint is null");
        StringTensorDict params = module.named_parameters();
        Set<String> expected = new LinkedHashSet<>();
        for (long i = 0; i < params.size(); i++) expected.add(params.get(i).key().getString());
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), problems = new ArrayList<>();
        for (String k : expected) if (!ckpt.contains(k)) missing.add(k);
        for (String k : ckpt.tensorNames()) if (!expected.contains(k)) unexpected.add(k);
        for (long i = 0; i < params.size(); i++) {
            String k = params.get(i).key().getString();
            if (!ckpt.contains(k)) continue;
            TensorData td = ckpt.tensor(k);
            long[] want = params.get(i).value().sizes().vec().get();
            if (!Arrays.equals(td.shape(), want))
                problems.add(k + " has shape " + Arrays.toString(td.shape()) + ", the head needs " + Arrays.toString(want));
            else if (!td.dtype().isFloatingPoint())
                problems.add(k + " has dtype " + td.dtype() + ", expected a floating-point tensor");
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !problems.isEmpty())
            throw new CheckpointException(ckpt.file(), "head weights do not fit the head config:"
                    + (missing.isEmpty() ? "" : " missing " + missing) + (unexpected.isEmpty() ? "" : " unexpected " + unexpected)
                    + (problems.isEmpty() ? "" : " " + String.join("; ", problems)));
        try (NoGradGuard g = new NoGradGuard()) {
            for (long i = 0; i < params.size(); i++) {
                TensorData td = ckpt.tensor(params.get(i).key().getString());
                float[] v = td.toFloatArray();
                for (float x : v)
                    if (!Float.isFinite(x))
                        throw new CheckpointException(ckpt.file(), td.name() + " contains NaN or infinite values");
                try (FloatPointer fp = new FloatPointer(v)) {
                    Tensor src = torch.from_blob(fp, td.shape(), new TensorOptions(torch.ScalarType.Float));
                    params.get(i).value().copy_(src); // copies (and converts) before fp is freed
                }
            }
        }
    }
}
