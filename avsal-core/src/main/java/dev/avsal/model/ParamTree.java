package dev.avsal.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Builds a {@link Module} tree whose parameters carry dotted checkpoint names ({@code transformer.resblocks.0.ln_1
 * .weight}): each dotted prefix becomes a child module, so {@code named_parameters()} yields the checkpoint's keys.
 * Parameters are float32, frozen ({@code requires_grad=false}) and uninitialised until loaded.
 *
 * <p>Every pointer it hands out or creates is retained and owned by the tree until {@link #close()}, so the tree
 * may be built inside any {@code PointerScope}. Not thread-safe; build on one thread.
 */
final class ParamTree implements AutoCloseable {
    private final Module root;
    private final Map<String, Module> modules = new HashMap<>();
    private final List<Pointer> owned = new ArrayList<>();

    ParamTree(String rootName) {
        root = keep(new Module(rootName));
        modules.put("", root);
    }

    Module root() { return root; }

    /** Registers a float32 parameter at a dotted path and returns a stable handle to it. */
    Tensor parameter(String path, long... shape) {
        int dot = path.lastIndexOf('.');
        Module parent = module(dot < 0 ? "" : path.substring(0, dot));
        // copy the returned reference: it points into the module's dict, which moves as parameters are added
        return keep(new Tensor(parent.register_parameter(path.substring(dot + 1), torch.empty(shape), false)));
    }

    /** Registers a float32 buffer at a dotted path and returns a stable handle to it. */
    Tensor buffer(String path, long... shape) {
        int dot = path.lastIndexOf('.');
        Module parent = module(dot < 0 ? "" : path.substring(0, dot));
        return keep(new Tensor(parent.register_buffer(path.substring(dot + 1), torch.empty(shape))));
    }

    private Module module(String path) {
        Module m = modules.get(path);
        if (m != null) return m;
        int dot = path.lastIndexOf('.');
        Module parent = module(dot < 0 ? "" : path.substring(0, dot));
        String name = path.substring(dot + 1);
        m = keep(parent.register_module(name, new Module(name)));
        modules.put(path, m);
        return m;
    }

    /** Retains a pointer for the lifetime of the tree. */
    <P extends Pointer> P keep(P p) {
        p.retainReference();
        owned.add(p);
        return p;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).releaseReference();
        owned.clear();
        modules.clear();
    }
}
