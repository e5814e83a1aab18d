package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void rejectsANameThatIsNotAToken() {
        // RFC 9110 §5.1: a field name is a token; each of these was accepted before and failed only on the wire.
        for (String name : List.of("X\r\nInjected", "X\tY", "X(y)", "X\"A", "X/A", "X\u00e9", "X\u0000")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BASE.withHeader(name, "1"));
            assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeader(name, "1"));
            assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeaders("X-A", "1", name, "1"));
            assertFalse(e.getMessage().contains("\r") || e.getMessage().contains("\n") || e.getMessage().contains("\t"),
                    "the message carries no control character into a log: " + e.getMessage());
        }
        assertEquals("not a header name (RFC 9110 §5.1: a token): 'X\\u000d\\u000aInjected'",
                assertThrows(IllegalArgumentException.class, () -> BASE.withHeader("X\r\nInjected", "1")).getMessage());
    }

    @Test
    void rejectsAValueWithAControlCharacterOrOneNoFieldCanCarry() {
        for (String value : List.of("a\u0000b", "a\u007fb", "\u001b[31m", "\u20ac", "\ud83d\ude00")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BASE.withHeader("X-A", value));
            assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeaders("X-A", value));
            assertTrue(e.getMessage().startsWith("header X-A has a character a field value cannot hold"), e.getMessage());
        }
    }

    @Test
    void aContentTypeGivenToBytesOrStreamIsCheckedAsAnyValue() {
        assertThrows(IllegalArgumentException.class,
                () -> Response.bytes(200, "text/plain\r\nSet-Cookie: x=y", new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> Response.stream(200, "text/plain\u0000", -1, out -> {}));
        assertThrows(NullPointerException.class, () -> Response.bytes(200, null, new byte[0]));
    }

    @Test
    void acceptsEveryTokenCharacterAndLatin1ObsText() {
        String name = "!#$%&'*+-.^_`|~09AZaz";
        assertEquals("caf\u00e9 \u00ff", BASE.withHeader(name, "caf\u00e9 \u00ff").header(name).orElseThrow());
    }

    @Test
    void addedHeadersAreCheckedInTheirCopySoALaterChangeToTheArrayCannotSlipPast() {
        String[] namesAndValues = {"X-A", "1"};
        Response response = BASE.withAddedHeaders(namesAndValues);
        namesAndValues[1] = "2\r\nSet-Cookie: x=y";

        assertEquals("1", response.header("X-A").orElseThrow());
        assertEquals("namesAndValues",
                assertThrows(NullPointerException.class, () -> BASE.withAddedHeaders((String[]) null)).getMessage());
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
    void aStringFoundValidOnceDoesNotLetAnotherOfTheSameLengthAndEndingPass() {
        // Valid fields are remembered by identity, in slots chosen by length and last character: a different
        // string in the same slot is checked in full, whatever was remembered there.
        BASE.withHeader("X-Slot-Aa", "value-a");
        assertEquals("value-a", BASE.withHeader("X-Slot-Aa", "value-a").header("X-Slot-Aa").orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> BASE.withHeader("X Slot-Aa", "value-a"));
        assertThrows(IllegalArgumentException.class, () -> BASE.withHeader("X-Slot-Aa", "valu\r\na"));
        assertThrows(IllegalArgumentException.class, () -> BASE.withAddedHeaders("X-Slot-Aa", "value\u0100a"));
        assertThrows(IllegalArgumentException.class,
                () -> Response.bytes(200, "text/plai\na", new byte[0]));
    }

    @Test
    void keepsNoCookieValueAmongTheValuesItFoundValid() throws ReflectiveOperationException {
        // The values found valid are kept for the life of the process; a Set-Cookie value is one client's secret.
        java.lang.reflect.Field field = Response.class.getDeclaredField("CHECKED_VALUES");
        field.setAccessible(true);
        String[] kept = (String[]) field.get(null);
        String cookie = valueInAnEmptySlot(kept, "session=");
        String other = valueInAnEmptySlot(kept, "other=");

        BASE.withHeader("Set-Cookie", cookie).withHeader("X-Other", other);

        assertFalse(java.util.Arrays.stream(kept).anyMatch(value -> value == cookie));
        assertTrue(java.util.Arrays.stream(kept).anyMatch(value -> value == other), "a value of another field is kept");
    }

    /** A new string starting with {@code prefix} whose slot is empty. */
    private static String valueInAnEmptySlot(String[] kept, String prefix) {
        for (int length = prefix.length() + 1; length < 128; length++) {
            String value = new String(prefix + "k".repeat(length - prefix.length()));
            if (kept[Response.checkedSlot(value)] == null) {
                return value;
            }
        }
        throw new AssertionError("no empty slot left");
    }

    @Test
    void acceptsATabInAValue() {
        assertEquals("a\tb", BASE.withHeader("X-A", "a\tb").header("X-A").orElseThrow());
    }
}
