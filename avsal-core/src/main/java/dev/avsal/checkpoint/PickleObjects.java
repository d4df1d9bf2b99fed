package dev.avsal.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The values a whitelisted unpickle can produce besides Java's null, Boolean, Long, BigInteger, Double, String. */
final class PickleObjects {
    private PickleObjects() {}

    /** A Python tuple (immutable; may hold nulls). */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        static Tuple of(Object... items) {
            List<Object> l = new ArrayList<>(items.length);
            Collections.addAll(l, items);
            return new Tuple(l);
        }

        int size() { return items.size(); }

        Object get(int i) { return items.get(i); }
    }

    /** A Python dict or OrderedDict; instance attributes set by BUILD (a state_dict's {@code _metadata}) are kept aside. */
    static final class PyDict extends LinkedHashMap<Object, Object> {
        Object attributes;
    }

    /** What a whitelisted global stands for. */
    enum Kind {
        ORDERED_DICT, SET, FROZENSET, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER,
        REBUILD_PARAMETER_WITH_STATE, STORAGE_TYPE, DTYPE, TORCH_SIZE, TORCH_DEVICE, CODECS_ENCODE,
        JIT_LIST, JIT_RESTORE_TYPE_TAG, SCRIPT_CLASS
    }

    /** A whitelisted global, e.g. {@code torch.FloatStorage}; {@code dtype} for storage types and dtypes. */
    record Global(String module, String name, Kind kind, DType dtype) {
        String qualifiedName() { return module + "." + name; }
    }

    /** An instance of a TorchScript module class ({@code __torch__.*}): plain data, its attributes in {@code state}. */
    static final class ScriptObject {
        final String className;
        Object state; // a Map of attribute name -> value after BUILD

        ScriptObject(String className) { this.className = className; }

        @Override
        public String toString() { return className + " object"; }
    }

    /**
     * A storage of the file: its dtype and element count, and (possibly set after unpickling, for legacy files)
     * where its bytes are.
     */
    static final class Storage {
        final String key;
        final DType dtype;
        final long numel;
        final boolean bigEndian;
        ByteSource bytes;

        Storage(String key, DType dtype, long numel, boolean bigEndian, ByteSource bytes) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
            this.bigEndian = bigEndian;
            this.bytes = bytes;
        }
    }

    /** A tensor view described by a rebuild call: not yet validated against its storage. */
    record TensorSpec(Storage storage, long offset, long[] size, long[] stride) {}

    /** Convenience for error messages: a short description of a pickled value's type. */
    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Tuple) return "tuple";
        if (o instanceof Map) return "dict";
        if (o instanceof List) return "list";
        if (o instanceof java.util.Set) return "set";
        if (o instanceof String) return "str";
        if (o instanceof Long || o instanceof java.math.BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof Boolean) return "bool";
        if (o instanceof byte[]) return "bytes";
        if (o instanceof Global g) return g.qualifiedName();
        if (o instanceof TensorSpec) return "tensor";
        if (o instanceof Storage) return "storage";
        if (o instanceof ScriptObject s) return s.className;
        return o.getClass().getSimpleName();
    }
}
