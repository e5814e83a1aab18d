package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The engine's {@link Headers} classes keep the {@code Map} contract of the JDK's: the same operations give the
 * same answers, instances compare equal across the classes both ways, and request headers are read-only.
 */
class HeadersTest {

    @Test
    void responseHeadersAnswerLikeTheJdksForTheSameOperations() {
        Headers jdk = new Headers();
        ResponseHeaders ours = new ResponseHeaders();
        List<Object> jdkAnswers = new ArrayList<>();
        List<Object> ourAnswers = new ArrayList<>();
        for (var pair : List.of(Map.entry(jdk, jdkAnswers), Map.entry((Headers) ours, ourAnswers))) {
            Headers h = pair.getKey();
            List<Object> answers = pair.getValue();
            h.add("content-type", "text/plain");
            h.set("Content-TYPE", "application/json");
            h.add("X-Multi", "1");
            h.add("x-multi", "2");
            answers.add(h.put("Accept", new ArrayList<>(List.of("a", "b"))));
            answers.add(h.put("ACCEPT", new ArrayList<>(List.of("c"))));
            answers.add(h.get("x-MULTI"));
            answers.add(h.getFirst("accept"));
            answers.add(h.containsKey("CONTENT-type"));
            answers.add(h.containsKey("missing"));
            answers.add(h.containsValue(List.of("1", "2")));
            answers.add(h.get("missing"));
            answers.add(h.getFirst("missing"));
            answers.add(h.size());
            answers.add(new HashSet<>(h.keySet()));
            answers.add(h.remove("accept"));
            answers.add(h.remove("accept"));
            answers.add(h.getOrDefault("gone", List.of("default")));
            h.putAll(Map.of("Cache-control", new ArrayList<>(List.of("no-store"))));
            h.get("cache-CONTROL").add("private");
            answers.add(h.get("Cache-Control"));
            answers.add(h.isEmpty());
            answers.add(h.hashCode());
        }
        assertEquals(jdkAnswers, ourAnswers);
        assertEquals(jdk, ours);
        assertEquals(ours, jdk);
        assertEquals(jdk.hashCode(), ours.hashCode());
        assertThrows(NullPointerException.class, () -> ours.get(null));
        assertThrows(NullPointerException.class, () -> ours.containsKey(null));
        assertThrows(NullPointerException.class, () -> ours.set("X", null));
    }

    @Test
    void responseHeaderViewsAreLive() {
        ResponseHeaders headers = new ResponseHeaders();
        headers.set("A", "1");
        headers.set("B", "2");
        headers.set("C", "3");

        headers.keySet().remove("a");
        headers.entrySet().iterator().next().setValue(new ArrayList<>(List.of("two")));
        var values = headers.values().iterator();
        values.next();
        values.next();
        values.remove();

        assertEquals(Map.of("B", List.of("two")), Map.copyOf(headers));
        assertEquals("two", headers.getFirst("b"));
        assertEquals(1, headers.fields());
        assertEquals("B", headers.wireName(0));
    }

    @Test
    void responseHeadersRememberTheLastSpellingOfEachName() {
        ResponseHeaders headers = new ResponseHeaders();
        headers.set("x-request-id", "1");
        headers.add("X-REQUEST-ID", "2");
        headers.set("etag", "\"v\"");
        headers.set("ETag", "\"w\"");

        assertEquals(Set.of("X-request-id", "Etag"), headers.keySet());
        assertEquals("x-request-id", headers.wireName(0), "add keeps the spelling");
        assertEquals("ETag", headers.wireName(1), "set takes the new spelling");
        assertEquals(List.of("1", "2"), headers.get("X-Request-Id"));
    }

    @Test
    void aFieldIsFoundUnderAnySpellingOfItsNameKnownOrNot() {
        ResponseHeaders headers = new ResponseHeaders();
        headers.add("CONTENT-TYPE", "text/plain");
        headers.add("Content-Type", "text/html");
        headers.set("X-Custom", "1");
        headers.add("x-custom", "2");
        headers.add("content-type", "application/json");

        assertEquals(2, headers.fields());
        assertEquals(List.of("text/plain", "text/html", "application/json"), headers.get("Content-type"));
        assertEquals(List.of("1", "2"), headers.get("X-CUSTOM"));
    }

    @Test
    void aValueUnderAKnownNameIsCheckedAsAnyOther() {
        ResponseHeaders headers = new ResponseHeaders();

        assertThrows(IllegalArgumentException.class, () -> headers.add("Content-Type", "a\r\nInjected: 1"));
        assertThrows(IllegalArgumentException.class, () -> headers.set("traceparent", "00\n"));
        assertThrows(IllegalArgumentException.class, () -> headers.put("Cache-Control", List.of("no-store\u0000")));
        assertThrows(IllegalArgumentException.class, () -> headers.add("X-Request-Id", "\u20ac"));
        assertTrue(headers.isEmpty());
    }

    @Test
    void requestHeadersEqualTheJdksWithTheSameFieldsAndRefuseEveryChange() {
        RequestHeaders ours = new RequestHeaders();
        ours.addParsed("Host", "x");
        ours.addParsed("Accept", "a");
        ours.addParsed("Accept", "b");
        Headers jdk = new Headers();
        jdk.add("host", "x");
        jdk.add("accept", "a");
        jdk.add("accept", "b");

        assertEquals(jdk, ours);
        assertEquals(ours, jdk);
        assertEquals(jdk.hashCode(), ours.hashCode());
        assertEquals(List.of("a", "b"), ours.get("ACCEPT"));
        assertEquals("x", ours.getFirst("host"));
        assertEquals(List.of("Host", "Accept"), List.copyOf(ours.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> ours.add("X", "1"));
        assertThrows(UnsupportedOperationException.class, () -> ours.set("X", "1"));
        assertThrows(UnsupportedOperationException.class, () -> ours.put("X", List.of("1")));
        assertThrows(UnsupportedOperationException.class, () -> ours.remove("Host"));
        assertThrows(UnsupportedOperationException.class, () -> ours.putAll(Map.of()));
        assertThrows(UnsupportedOperationException.class, ours::clear);
        assertThrows(UnsupportedOperationException.class, () -> ours.computeIfAbsent("X", k -> List.of()));
        assertThrows(UnsupportedOperationException.class, () -> ours.keySet().remove("Host"));
        assertThrows(UnsupportedOperationException.class, () -> ours.entrySet().iterator().next().setValue(List.of()));
        assertThrows(UnsupportedOperationException.class, () -> ours.get("Accept").add("c"));
        assertEquals(2, ours.size());
    }

    @Test
    void manyDistinctRequestFieldsAreStillFoundByAnyCase() {
        RequestHeaders headers = new RequestHeaders();
        for (int i = 0; i < 100; i++) {
            headers.addParsed("X-field-" + i, "v" + i);
        }
        headers.addParsed("X-field-7", "again");

        assertEquals(List.of("v7", "again"), headers.get("x-FIELD-7"));
        assertEquals("v99", headers.getFirst("X-Field-99"));
        assertNull(headers.get("x-field-100"));
        assertFalse(headers.containsKey("X-field-"));
        assertTrue(headers.containsKey("x-field-0"));
        assertEquals(100, headers.size());
    }
}
