package dev.avsal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesAllValueTypes() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e2, -0.0, 9223372036854775807, 9223372036854775808],"
                + " \"b\": true, \"c\": false, \"d\": null, \"e\": {}, \"f\": [], \"g\": \"x\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 3.5, 100.0, -0.0, Long.MAX_VALUE, 9.223372036854775808E18), m.get("a"));
        assertEquals(Boolean.TRUE, m.get("b"));
        assertEquals(Boolean.FALSE, m.get("c"));
        assertNull(m.get("d"));
        assertTrue(m.containsKey("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("f"));
    }

    @Test
    void decodesEscapes() throws Exception {
        assertEquals("q\"b\\s/\b\f\n\r\té😀", Json.parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""));
        assertEquals("é😀", Json.parse("\"é😀\""));
    }

    @Test
    void writeEscapesAndRoundTrips() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001\u2028é😀");
        m.put("n", List.of(1L, -2.5, 1e-7, 3.0));
        m.put("t", true);
        m.put("z", null);
        m.put("arr", new long[] {3, 4});
        String text = Json.write(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u2028é😀\",\"n\":[1,-2.5,1.0E-7,3.0],\"t\":true,\"z\":null,"
                + "\"arr\":[3,4]}", text);
        Map<String, Object> back = new LinkedHashMap<>(m);
        back.put("arr", List.of(3L, 4L));
        assertEquals(back, Json.parse(text));
    }

    @Test
    void writeRefusesNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "1e", "-", "+1", "tru",
                "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"a\nb\"", "{\"a\":1}x", "[1 2]", "{1:2}", "NaN", "'a'",
                "{\"a\":1,\"a\":2}")) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("JSON text: invalid JSON at offset "), e.getMessage());
        }
        JsonException dup = assertThrows(JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(dup.getMessage().contains("duplicate key \"a\""), dup.getMessage());
        assertEquals(7, dup.offset());
    }

    @Test
    void boundsNesting() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(Json.parse(ok) instanceof List);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
        char[] open = new char[200_000];
        Arrays.fill(open, '{');
        assertThrows(JsonException.class, () -> Json.parse(new String(open)));
    }
}
