package dev.avsal.checkpoint;

import dev.avsal.checkpoint.PickleObjects.Global;
import dev.avsal.checkpoint.PickleObjects.Kind;
import dev.avsal.checkpoint.PickleObjects.PyDict;
import dev.avsal.checkpoint.PickleObjects.ScriptObject;
import dev.avsal.checkpoint.PickleObjects.Storage;
import dev.avsal.checkpoint.PickleObjects.TensorSpec;
import dev.avsal.checkpoint.PickleObjects.Tuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that builds plain data only, with the whitelist of PyTorch's {@code weights_only=True}: dicts,
 * OrderedDicts, lists, tuples, sets, primitives, strings, bytes, the tensor rebuild functions, typed storage
 * classes and dtypes; for TorchScript archives also {@code __torch__.*} module classes (kept as plain attribute
 * maps) and the {@code torch.jit._pickle} list helpers. Any other global is refused with an
 * {@link UnsafeCheckpointException} when its GLOBAL opcode is read, before anything is built with it; nothing is
 * ever executed.
 *
 * <p>Resource use is bounded by the input: lengths are checked against the remaining bytes before allocating,
 * the stack and memo grow at most one entry per opcode, and no recursion happens here. One instance reads
 * pickles sequentially from one buffer; not thread-safe.
 */
final class Unpickler {
    /** Turns a persistent id (BINPERSID) into a {@link Storage}; format-specific. */
    interface PersistentLoader {
        Object load(Object pid, String where) throws CheckpointException;
    }

    private static final Object MARK = new Object();

    private final Path file;
    private final String what;
    private final ByteBuffer in;
    private final boolean torchScript;
    private final PersistentLoader loader;
    private final int base; // offset of the buffer's start in its record, for messages
    private int pos;
    private int opStart;

    /**
     * @param what        the pickle's name in messages ({@code data.pkl})
     * @param in          the bytes; reading starts at its position (offsets in messages count from its start)
     * @param torchScript whether TorchScript module classes and restore helpers are allowed
     */
    Unpickler(Path file, String what, ByteBuffer in, boolean torchScript, PersistentLoader loader) {
        this.file = file;
        this.what = what;
        this.base = in.position();
        this.in = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.torchScript = torchScript;
        this.loader = loader;
    }

    /** Bytes consumed so far (the position just after the last STOP). */
    int position() { return pos; }

    private CheckpointException error(String problem) {
        return new CheckpointException(file, what + ": " + problem + " (offset " + (base + opStart) + ")");
    }

    /** Reads one pickle, up to and including its STOP opcode. */
    Object load() throws CheckpointException {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            opStart = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) throw error("unsupported pickle protocol " + v);
                }
                case 0x95 -> { // FRAME: a length hint only
                    long n = in.getLong(need(8));
                    if (n < 0 || n > in.limit() - pos) throw error("FRAME length " + n + " exceeds the input");
                }
                case '.' -> { // STOP
                    if (stack.size() != 1 || stack.get(0) == MARK) {
                        throw error("STOP with " + stack.size() + " values on the stack, expected exactly one");
                    }
                    return stack.get(0);
                }
                case '(' -> stack.add(MARK);
                case '}' -> stack.add(new PyDict());
                case ']' -> stack.add(new ArrayList<>());
                case ')' -> stack.add(Tuple.of());
                case 0x8f -> stack.add(new LinkedHashSet<>()); // EMPTY_SET
                case 't' -> stack.add(new Tuple(popMark(stack)));
                case 0x85 -> stack.add(Tuple.of(pop(stack)));
                case 0x86 -> {
                    Object b = pop(stack), a = pop(stack);
                    stack.add(Tuple.of(a, b));
                }
                case 0x87 -> {
                    Object c = pop(stack), b = pop(stack), a = pop(stack);
                    stack.add(Tuple.of(a, b, c));
                }
                case 's' -> { // SETITEM
                    Object v = pop(stack), k = pop(stack);
                    dict(peek(stack), "SETITEM").put(hashable(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark(stack);
                    if (items.size() % 2 != 0) throw error("SETITEMS with an odd number of items");
                    Map<Object, Object> d = dict(peek(stack), "SETITEMS");
                    for (int i = 0; i < items.size(); i += 2) d.put(hashable(items.get(i)), items.get(i + 1));
                }
                case 'a' -> { // APPEND
                    Object v = pop(stack);
                    list(peek(stack), "APPEND").add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(stack);
                    list(peek(stack), "APPENDS").addAll(items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark(stack);
                    if (!(peek(stack) instanceof Set<?>)) throw error("ADDITEMS on a " + PickleObjects.typeName(peek(stack)));
                    @SuppressWarnings("unchecked") Set<Object> s = (Set<Object>) peek(stack);
                    for (Object o : items) s.add(hashable(o));
                }
                case 0x91 -> { // FROZENSET
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object o : popMark(stack)) s.add(hashable(o));
                    stack.add(java.util.Collections.unmodifiableSet(s));
                }
                case 'J' -> stack.add((long) in.getInt(need(4)));
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (in.getShort(need(2)) & 0xffff));
                case 0x8a -> stack.add(longN(u8()));
                case 0x8b -> {
                    int n = in.getInt(need(4));
                    if (n < 0) throw error("negative LONG4 length");
                    stack.add(longN(n));
                }
                case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong(need(8))))); // big-endian
                case 'X' -> stack.add(utf8(length(in.getInt(need(4)) & 0xffffffffL)));
                case 0x8c -> stack.add(utf8(u8()));
                case 0x8d -> stack.add(utf8(length(in.getLong(need(8)))));
                case 'T' -> stack.add(legacyString(length(in.getInt(need(4)))));
                case 'U' -> stack.add(legacyString(u8()));
                case 'B' -> stack.add(bytes(length(in.getInt(need(4)) & 0xffffffffL)));
                case 'C' -> stack.add(bytes(u8()));
                case 0x8e, 0x96 -> stack.add(bytes(length(in.getLong(need(8))))); // BINBYTES8, BYTEARRAY8
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'c' -> { // GLOBAL: "module\nname\n"
                    String module = line(), name = line();
                    stack.add(resolve(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(stack), module = pop(stack);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, got " + PickleObjects.typeName(module) + " and "
                                + PickleObjects.typeName(name));
                    }
                    stack.add(resolve(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(stack), callable = pop(stack);
                    stack.add(call(callable, args));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop(stack), cls = pop(stack);
                    stack.add(newObject(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop(stack), args = pop(stack), cls = pop(stack);
                    if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) throw error("NEWOBJ_EX with keyword arguments");
                    stack.add(newObject(cls, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop(stack);
                    build(peek(stack), state);
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop(stack);
                    if (loader == null) throw error("persistent id in a pickle that cannot reference storages");
                    stack.add(loader.load(pid, what + " (offset " + (base + opStart) + ")"));
                }
                case 'q' -> memo.put((long) u8(), peekValue(stack));
                case 'r' -> memo.put(in.getInt(need(4)) & 0xffffffffL, peekValue(stack));
                case 0x94 -> memo.put((long) memo.size(), peekValue(stack)); // MEMOIZE
                case 'h' -> stack.add(memoGet(memo, u8()));
                case 'j' -> stack.add(memoGet(memo, in.getInt(need(4)) & 0xffffffffL));
                case '0' -> pop(stack); // POP
                case '1' -> popMark(stack); // POP_MARK
                case '2' -> stack.add(peekValue(stack)); // DUP
                default -> throw error("unsupported pickle opcode " + describe(op));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ globals

    private Global resolve(String module, String name) throws CheckpointException {
        // Python 2 names, as Python 3's unpickler maps them (protocol 2 writes them for builtins).
        if (module.equals("__builtin__")) module = "builtins";
        else if (module.equals("copy_reg")) module = "copyreg";
        String q = module + "." + name;
        Kind kind = null;
        DType dtype = null;
        switch (q) {
            case "collections.OrderedDict" -> kind = Kind.ORDERED_DICT;
            case "builtins.set" -> kind = Kind.SET;
            case "builtins.frozenset" -> kind = Kind.FROZENSET;
            case "torch._utils._rebuild_tensor_v2" -> kind = Kind.REBUILD_TENSOR_V2;
            case "torch._utils._rebuild_tensor" -> kind = Kind.REBUILD_TENSOR;
            case "torch._utils._rebuild_parameter" -> kind = Kind.REBUILD_PARAMETER;
            case "torch._utils._rebuild_parameter_with_state" -> kind = Kind.REBUILD_PARAMETER_WITH_STATE;
            case "torch.Size" -> kind = Kind.TORCH_SIZE;
            case "torch.device" -> kind = Kind.TORCH_DEVICE;
            case "_codecs.encode" -> kind = Kind.CODECS_ENCODE;
            default -> {
                // Every torch.*Storage class is harmless data (a name); unsupported ones are refused by the reader.
                if (module.equals("torch") && name.endsWith("Storage") && name.matches("[A-Za-z0-9]+")) {
                    kind = Kind.STORAGE_TYPE;
                    dtype = storageDType(name);
                } else if (module.equals("torch") && (dtype = torchDType(name)) != null) kind = Kind.DTYPE;
                else if (torchScript && (module.equals("__torch__") || module.startsWith("__torch__."))) kind = Kind.SCRIPT_CLASS;
                else if (torchScript && module.equals("torch.jit._pickle")) {
                    kind = switch (name) {
                        case "build_intlist", "build_tensorlist", "build_doublelist", "build_boollist",
                             "build_genericlist" -> Kind.JIT_LIST;
                        case "restore_type_tag" -> Kind.JIT_RESTORE_TYPE_TAG;
                        default -> null;
                    };
                }
            }
        }
        if (kind == null) throw new UnsafeCheckpointException(file, q);
        return new Global(module, name, kind, dtype);
    }

    /** The typed storage classes PyTorch pickles in persistent ids. */
    static DType storageDType(String name) {
        return switch (name) {
            case "DoubleStorage" -> DType.F64;
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            case "LongStorage" -> DType.I64;
            case "IntStorage" -> DType.I32;
            case "ShortStorage" -> DType.I16;
            case "CharStorage" -> DType.I8;
            case "ByteStorage" -> DType.U8;
            case "BoolStorage" -> DType.BOOL;
            default -> null;
        };
    }

    static DType torchDType(String name) {
        return switch (name) {
            case "float64", "double" -> DType.F64;
            case "float32", "float" -> DType.F32;
            case "float16", "half" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            case "int64", "long" -> DType.I64;
            case "int32", "int" -> DType.I32;
            case "int16", "short" -> DType.I16;
            case "int8" -> DType.I8;
            case "uint8" -> DType.U8;
            case "bool" -> DType.BOOL;
            default -> null;
        };
    }

    private Object call(Object callable, Object argsObj) throws CheckpointException {
        if (!(callable instanceof Global g)) throw error("REDUCE on a " + PickleObjects.typeName(callable) + ", which is not callable");
        if (!(argsObj instanceof Tuple args)) throw error("REDUCE arguments for " + g.qualifiedName() + " are not a tuple");
        String fn = g.qualifiedName();
        switch (g.kind()) {
            case ORDERED_DICT -> {
                PyDict d = new PyDict();
                if (args.size() == 1 && args.get(0) instanceof Collection<?> pairs) {
                    for (Object p : pairs) {
                        List<Object> kv = p instanceof Tuple t ? t.items() : p instanceof List<?> l ? asObjects(l) : null;
                        if (kv == null || kv.size() != 2) throw error(fn + " argument is not a list of pairs");
                        d.put(hashable(kv.get(0)), kv.get(1));
                    }
                } else if (args.size() != 0) {
                    throw error(fn + " called with " + args.size() + " arguments");
                }
                return d;
            }
            case SET, FROZENSET -> {
                Set<Object> s = new LinkedHashSet<>();
                if (args.size() == 1 && args.get(0) instanceof Collection<?> items) {
                    for (Object o : items) s.add(hashable(o));
                } else if (args.size() != 0) {
                    throw error(fn + " called with " + args.size() + " arguments");
                }
                return s;
            }
            case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
                int min = g.kind() == Kind.REBUILD_TENSOR ? 4 : 6;
                int max = g.kind() == Kind.REBUILD_TENSOR ? 4 : 7;
                if (args.size() < min || args.size() > max) throw error(fn + " called with " + args.size() + " arguments");
                if (!(args.get(0) instanceof Storage st)) {
                    throw error(fn + " expects a storage, got a " + PickleObjects.typeName(args.get(0)));
                }
                long offset = integer(args.get(1), fn + " storage offset");
                long[] size = integers(args.get(2), fn + " size");
                long[] stride = integers(args.get(3), fn + " stride");
                return new TensorSpec(st, offset, size, stride);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                int n = g.kind() == Kind.REBUILD_PARAMETER ? 3 : 4;
                if (args.size() != n) throw error(fn + " called with " + args.size() + " arguments");
                if (!(args.get(0) instanceof TensorSpec t)) {
                    throw error(fn + " expects a tensor, got a " + PickleObjects.typeName(args.get(0)));
                }
                return t;
            }
            case TORCH_SIZE -> {
                if (args.size() != 1) throw error(fn + " called with " + args.size() + " arguments");
                return new Tuple(asObjects(integersList(args.get(0), fn)));
            }
            case TORCH_DEVICE -> {
                if (args.size() < 1 || args.size() > 2 || !(args.get(0) instanceof String s)) {
                    throw error(fn + " expects a device string");
                }
                return args.size() == 2 && args.get(1) != null ? s + ":" + args.get(1) : s;
            }
            case CODECS_ENCODE -> {
                if (args.size() != 2 || !(args.get(0) instanceof String s) || !(args.get(1) instanceof String enc)) {
                    throw error(fn + " expects (str, encoding)");
                }
                if (!enc.equals("latin1") && !enc.equals("latin-1")) throw error(fn + " with unsupported encoding " + enc);
                return s.getBytes(StandardCharsets.ISO_8859_1);
            }
            case JIT_LIST -> {
                if (args.size() != 1 || !(args.get(0) instanceof List<?> l)) throw error(fn + " expects one list");
                return l;
            }
            case JIT_RESTORE_TYPE_TAG -> {
                if (args.size() != 2) throw error(fn + " called with " + args.size() + " arguments");
                return args.get(0);
            }
            default -> throw error(fn + " cannot be called");
        }
    }

    private Object newObject(Object cls, Object args) throws CheckpointException {
        if (!(cls instanceof Global g)) throw error("NEWOBJ on a " + PickleObjects.typeName(cls));
        if (!(args instanceof Tuple t)) throw error("NEWOBJ arguments for " + g.qualifiedName() + " are not a tuple");
        return switch (g.kind()) {
            case SCRIPT_CLASS -> {
                if (t.size() != 0) throw error("NEWOBJ of " + g.qualifiedName() + " with arguments");
                yield new ScriptObject(g.qualifiedName());
            }
            case ORDERED_DICT, SET, FROZENSET -> call(g, t);
            default -> throw error("NEWOBJ of " + g.qualifiedName() + " is not allowed");
        };
    }

    private void build(Object inst, Object state) throws CheckpointException {
        if (inst instanceof ScriptObject o) {
            o.state = state; // attributes (a dict), or a custom __getstate__ value kept as data
        } else if (inst instanceof PyDict d) {
            d.attributes = state; // OrderedDict instance attributes such as a state_dict's _metadata
        } else if (inst instanceof TensorSpec) {
            // Python attributes of a tensor subclass or parameter: not part of the tensor's values.
        } else {
            throw error("BUILD on a " + PickleObjects.typeName(inst) + " is not allowed");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private int need(int n) throws CheckpointException {
        if (in.limit() - pos < n) throw error("truncated: opcode needs " + n + " more bytes");
        int p = pos;
        pos += n;
        return p;
    }

    private int u8() throws CheckpointException {
        return in.get(need(1)) & 0xff;
    }

    /** A length field checked against what is left, so a lying length cannot make us allocate. */
    private int length(long n) throws CheckpointException {
        if (n < 0 || n > in.limit() - pos) {
            throw error("length " + Long.toUnsignedString(n) + " exceeds the " + (in.limit() - pos) + " bytes left");
        }
        return (int) n;
    }

    private String utf8(int n) throws CheckpointException {
        int p = need(length(n));
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in.duplicate().position(p).limit(p + n)).toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        }
    }

    /** Python 2 byte strings: UTF-8 where valid (torch.load's default encoding), else Latin-1. */
    private String legacyString(int n) throws CheckpointException {
        int p = need(length(n));
        ByteBuffer b = in.duplicate().position(p).limit(p + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(b).toString();
        } catch (CharacterCodingException e) {
            return StandardCharsets.ISO_8859_1.decode(in.duplicate().position(p).limit(p + n)).toString();
        }
    }

    private byte[] bytes(int n) throws CheckpointException {
        int p = need(length(n));
        byte[] out = new byte[n];
        in.get(p, out);
        return out;
    }

    /** Little-endian two's complement integer of n bytes; a Long when it fits. */
    private Object longN(int n) throws CheckpointException {
        int p = need(length(n));
        if (n == 0) return 0L;
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = in.get(p + n - 1 - i);
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String line() throws CheckpointException {
        int start = pos;
        int max = Math.min(in.limit(), start + 1024);
        for (int i = start; i < max; i++) {
            if (in.get(i) == '\n') {
                pos = i + 1;
                byte[] b = new byte[i - start];
                in.get(start, b);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error("GLOBAL name not terminated by a newline");
    }

    private Object pop(List<Object> stack) throws CheckpointException {
        if (stack.isEmpty()) throw error("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw error("unexpected MARK");
        return o;
    }

    private Object peek(List<Object> stack) throws CheckpointException {
        if (stack.isEmpty()) throw error("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private Object peekValue(List<Object> stack) throws CheckpointException {
        Object o = peek(stack);
        if (o == MARK) throw error("MARK where a value is expected");
        return o;
    }

    private List<Object> popMark(List<Object> stack) throws CheckpointException {
        int m = stack.lastIndexOf(MARK);
        if (m < 0) throw error("no MARK on the stack");
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(Map<Long, Object> memo, long i) throws CheckpointException {
        if (!memo.containsKey(i)) throw error("memo index " + i + " was never stored");
        return memo.get(i);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) throws CheckpointException {
        if (o instanceof PyDict d) return d;
        throw error(op + " on a " + PickleObjects.typeName(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) throws CheckpointException {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw error(op + " on a " + PickleObjects.typeName(o));
    }

    /**
     * Dict keys and set items must be immutable values: anything else (a list, a dict, a tuple holding one) could
     * be cyclic and would make hashing recurse without end.
     */
    private Object hashable(Object k) throws CheckpointException {
        if (!isHashable(k, 0)) throw error("unhashable " + PickleObjects.typeName(k) + " used as a dict key or set item");
        return k;
    }

    private static boolean isHashable(Object k, int depth) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean) return true;
        if (k instanceof Tuple t && depth < 16) {
            for (Object o : t.items()) if (!isHashable(o, depth + 1)) return false;
            return true;
        }
        return false;
    }

    private long integer(Object o, String what) throws CheckpointException {
        if (o instanceof Long l) return l;
        throw error(what + " is a " + PickleObjects.typeName(o) + ", not an int");
    }

    private List<Long> integersList(Object o, String what) throws CheckpointException {
        if (!(o instanceof Tuple) && !(o instanceof List)) throw error(what + " is a " + PickleObjects.typeName(o) + ", not a tuple");
        List<?> items = o instanceof Tuple t ? t.items() : (List<?>) o;
        if (items.size() > 64) throw error(what + " has " + items.size() + " dimensions");
        List<Long> out = new ArrayList<>();
        for (Object i : items) out.add(integer(i, what + " entry"));
        return out;
    }

    private long[] integers(Object o, String what) throws CheckpointException {
        return integersList(o, what).stream().mapToLong(Long::longValue).toArray();
    }

    private static List<Object> asObjects(Collection<?> c) {
        return new ArrayList<>(c);
    }

    private static String describe(int op) {
        String name = switch (op) {
            case 'I' -> "INT";
            case 'L' -> "LONG";
            case 'F' -> "FLOAT";
            case 'S' -> "STRING";
            case 'V' -> "UNICODE";
            case 'p' -> "PUT";
            case 'g' -> "GET";
            case 'd' -> "DICT";
            case 'l' -> "LIST";
            case 'P' -> "PERSID";
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x82, 0x83, 0x84 -> "EXT";
            case 0x97 -> "NEXT_BUFFER";
            case 0x98 -> "READONLY_BUFFER";
            default -> "unknown";
        };
        String ch = op >= 0x20 && op < 0x7f ? " '" + (char) op + "'" : "";
        return String.format("0x%02x%s (%s)", op, ch, name);
    }
}
