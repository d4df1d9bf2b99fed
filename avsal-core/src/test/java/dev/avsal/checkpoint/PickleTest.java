package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.util.Json;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whitelisting unpickler on pickles made by Python's own pickle module and on hand-made opcode streams. */
class PickleTest {
    private static final Path FILE = Path.of("test.pkl");

    private static Object unpickle(byte[] b, boolean torchScript) throws CheckpointException {
        return new Unpickler(FILE, "data.pkl", ByteBuffer.wrap(b), torchScript, null).load();
    }

    private static Map<String, Object> flatten(byte[] b) throws CheckpointException {
        Flattener f = new Flattener(FILE, false);
        f.add(unpickle(b, false));
        assertTrue(f.tensors.isEmpty());
        return f.metadata;
    }

    private static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(Fixtures.path("fixtures/pickle/" + name));
    }

    private static CheckpointException refused(byte[] b, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> flatten(b));
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        return e;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 5})
    void pythonPicklesOfPlainValuesReadExactly(int protocol) throws Exception {
        // Python's values (flattened by the generator): big ints, -0.0, unicode, bytes, sets, memo references, int keys.
        Object expected = Json.parse(Fixtures.path("fixtures/pickle/plain_expected.json"));
        assertEquals(expected, flatten(fixture("plain_p" + protocol + ".pkl")));
    }

    @Test
    void pythonPicklesWithForbiddenGlobalsAreRefused() throws Exception {
        Map<?, ?> expected = (Map<?, ?>) Json.parse(Fixtures.path("fixtures/pickle/evil_expected.json"));
        assertEquals(4, expected.size());
        for (Map.Entry<?, ?> e : expected.entrySet()) {
            UnsafeCheckpointException ex = assertThrows(UnsafeCheckpointException.class,
                    () -> unpickle(fixture((String) e.getKey()), false), (String) e.getKey());
            assertEquals(e.getValue(), ex.global());
            assertTrue(ex.getMessage().contains("'" + e.getValue() + "'"), ex.getMessage());
        }
    }

    @Test
    void refusalHappensAtTheGlobalOpcodeBeforeAnythingElse() {
        // The global is followed by garbage: the refusal must come first, from the GLOBAL opcode itself.
        byte[] b = new TestPickle().global("posix", "system").op(0xff).stop();
        assertEquals("posix.system", assertThrows(UnsafeCheckpointException.class, () -> unpickle(b, false)).global());
        byte[] stack = new TestPickle().op(0x8c).op(8).bytes("builtins".getBytes()).op(0x8c).op(4).bytes("exec".getBytes())
                .op(0x93).op(0xff).stop();
        assertEquals("builtins.exec", assertThrows(UnsafeCheckpointException.class, () -> unpickle(stack, false)).global());
    }

    @Test
    void torchScriptNamesAreOnlyAllowedInTorchScriptArchives() throws Exception {
        byte[] obj = new TestPickle().global("__torch__.m", "Net").op(')').op(0x81).op('}').str("training").op(0x88)
                .op('s').op('b').stop();
        assertEquals("__torch__.m.Net", assertThrows(UnsafeCheckpointException.class, () -> unpickle(obj, false)).global());
        assertTrue(unpickle(obj, true) instanceof PickleObjects.ScriptObject);
        byte[] list = new TestPickle().global("torch.jit._pickle", "build_intlist").mark().op(']').tuple().reduce().stop();
        assertThrows(UnsafeCheckpointException.class, () -> unpickle(list, false));
        assertEquals(java.util.List.of(), unpickle(list, true));
        byte[] other = new TestPickle().global("torch.jit._pickle", "something_else").stop();
        assertEquals("torch.jit._pickle.something_else",
                assertThrows(UnsafeCheckpointException.class, () -> unpickle(other, true)).global());
        byte[] module = new TestPickle().global("torch.nn.modules.linear", "Linear").stop();
        assertThrows(UnsafeCheckpointException.class, () -> unpickle(module, false));
    }

    @Test
    void unknownOpcodeIsNamedWithItsOffset() {
        refused(new TestPickle().op(0xff).stop(), "unsupported pickle opcode 0xff (unknown)", "offset 2");
        refused(new TestPickle().op('I').bytes("12\n".getBytes()).stop(), "0x49 'I' (INT)", "offset 2");
        refused(new TestPickle().op(0x97).stop(), "NEXT_BUFFER");
        refused(TestPickle.raw().op(0x80).op(9).stop(), "unsupported pickle protocol 9");
    }

    @Test
    void resourceBoundsHold() {
        refused(new TestPickle().op('h').op(5).stop(), "memo index 5 was never stored");
        refused(new TestPickle().op('j').int32(-1).stop(), "memo index 4294967295 was never stored");
        refused(new TestPickle().op('X').int32(0x7fffffff).stop(), "length 2147483647 exceeds the");
        refused(new TestPickle().op('X').int32(-1).stop(), "length 4294967295 exceeds");
        refused(new TestPickle().op(0x8d).bytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 0x40}).stop(), "exceeds");
        refused(new TestPickle().op(0x8b).int32(Integer.MAX_VALUE).stop(), "exceeds");
        refused(new TestPickle().op('B').int32(1000).op('.').stop(), "exceeds");
        refused(new TestPickle().op(0x95).bytes(new byte[] {-1, -1, -1, -1, -1, -1, -1, 0x7f}).stop(), "FRAME length");
        refused(new TestPickle().op('c').bytes("posix".repeat(300).getBytes()).stop(), "not terminated by a newline");
        refused(new TestPickle().op('J').op(1).stop(), "truncated");
        refused(new TestPickle().stop(), "STOP with 0 values");
        refused(new TestPickle().op('0').stop(), "stack underflow");
        refused(new TestPickle().op('(').op('.').bytes(new byte[0]).stop(), "STOP");
        refused(new TestPickle().op('u').stop(), "no MARK");
        refused(new TestPickle().op('}').op(']').op('N').op('s').stop(), "unhashable list");
        refused(new TestPickle().op('N').op(']').op('a').stop(), "APPEND on a None");
        refused(new TestPickle().global("torch", "FloatStorage").op(')').reduce().stop(), "torch.FloatStorage cannot be called");
        refused(new TestPickle().op('N').op(')').reduce().stop(), "REDUCE on a None");
        refused(new TestPickle().num(3).op('N').op('b').stop(), "BUILD on a int");
        refused(new TestPickle().op('X').int32(2).bytes(new byte[] {(byte) 0xc3, 0x28}).stop(), "not valid UTF-8");
    }

    @Test
    void deepNestingAndCyclesEndInATypedError() {
        // 100000 nested lists: no recursion while unpickling; the flattener refuses the depth.
        int n = 100_000;
        TestPickle p = new TestPickle();
        for (int i = 0; i < n; i++) p.op(']');
        for (int i = 1; i < n; i++) p.op('a');
        refused(p.stop(), "nested deeper than " + Flattener.MAX_DEPTH);
        // A list that contains itself through the memo.
        refused(new TestPickle().op(']').op('q').op(0).op('h').op(0).op('a').stop(), "nested deeper than");
        // A tuple key that holds a (possibly cyclic) list is refused before hashing.
        refused(new TestPickle().op('}').op(']').op(0x85).op('N').op('s').stop(), "unhashable tuple");
    }

    @Test
    void everyTruncationOfAPythonPickleFailsCleanly() throws Exception {
        byte[] all = fixture("plain_p4.pkl");
        for (int cut = 0; cut < all.length; cut++) {
            byte[] b = Arrays.copyOf(all, cut);
            CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(b, false), "cut " + cut);
            assertFalse(e instanceof UnsafeCheckpointException);
        }
    }

    @Test
    void orderedDictStateIsNotTakenForEntries() throws Exception {
        // state_dict()'s _metadata arrives by BUILD on the OrderedDict: it must not become keys.
        byte[] b = new TestPickle().global("collections", "OrderedDict").op(')').reduce().str("w").num(1).op('s')
                .op('}').str("_metadata").op('}').op('s').op('b').stop();
        assertEquals(Map.of("w", 1L), flatten(b));
    }
}
