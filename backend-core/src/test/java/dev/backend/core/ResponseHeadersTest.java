package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void acceptsATabInAValue() {
        assertEquals("a\tb", BASE.withHeader("X-A", "a\tb").header("X-A").orElseThrow());
    }
}
