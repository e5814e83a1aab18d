package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseHeadersTest {

    private static final Response BASE = Response.text("hi");

    @Test
    void rejectsALineBreakAnywhereInAValue() {
        for (String value : List.of("1\r\nSet-Cookie: x=y", "\n", "a\rb", "00-" + "0".repeat(50) + "\n")) {
            IllegalArgumentException set = assertThrows(IllegalArgumentException.class,
                    () -> BASE.withHeader("X-A", value));
            assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeader("X-A", value));
            assertEquals("header X-A has a line break in its value", set.getMessage());
        }
    }

    @Test
    void rejectsANameThatIsEmptyOrHoldsAColonOrASpace() {
        for (String name : List.of("", "X:A", "X A")) {
            assertThrows(IllegalArgumentException.class, () -> BASE.withHeader(name, "1"));
            assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeader(name, "1"));
        }
    }

    @Test
    void addedHeadersFollowTheExistingOnesInTheOrderGiven() {
        Response response = BASE.withHeader("Vary", "Origin")
                .withAddedHeaders("Vary", "Accept-Encoding", "X-A", "1", "X-B", "2");

        List<String> lines = new ArrayList<>();
        response.forEachHeader((name, value) -> lines.add(name + ": " + value));
        assertEquals(List.of("Content-Type: text/plain; charset=utf-8", "Vary: Origin", "Vary: Accept-Encoding",
                "X-A: 1", "X-B: 2"), lines);
    }

    @Test
    void addingNoHeadersIsTheSameResponse() {
        assertSame(BASE, BASE.withAddedHeaders());
    }

    @Test
    void addedHeadersAreCheckedLikeOneAddedHeader() {
        IllegalArgumentException lineBreak = assertThrows(IllegalArgumentException.class,
                () -> BASE.withAddedHeaders("X-A", "1", "X-B", "2\r\nSet-Cookie: x=y"));
        assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeaders("X A", "1"));
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> BASE.withAddedHeaders("X-A", "1", "X-B"));

        assertEquals("header X-B has a line break in its value", lineBreak.getMessage());
        assertEquals("names and values must alternate, but 3 strings were given", odd.getMessage());
    }

    @Test
    void acceptsATabInAValue() {
        assertEquals("a\tb", BASE.withHeader("X-A", "a\tb").header("X-A").orElseThrow());
    }
}
