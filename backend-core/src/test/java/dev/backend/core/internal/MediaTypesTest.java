package dev.backend.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MediaTypesTest {

    @Test
    void aControlCharacterInAQuotedParameterMakesNoMediaType() {
        // RFC 9110 §5.6.4: qdtext holds no control character but HTAB, so it cannot hide the comma behind it.
        assertEquals(null, MediaTypes.comparable("application/json; x=\"a\u0001, text/plain\""));
        assertEquals("application/json;x=a\tb", MediaTypes.comparable("application/json; x=\"a\tb\""));
    }

    @Test
    void aQuotedParameterHoldsWhatAnAuthChallengeMayHold() {
        // One character class for every quoted-string (RFC 9110 §5.6.4): obs-text up to U+00FF, nothing above it.
        assertEquals("application/json;x=\u00e9", MediaTypes.comparable("application/json; x=\"\u00e9\""));
        assertEquals(null, MediaTypes.comparable("application/json; x=\"\u0100\""));
        assertEquals(null, MediaTypes.comparable("application/json; x=\"a\\\u0100\""));
        assertEquals(null, MediaTypes.comparable("application/json; x=\"\u007f\""));
    }

    @Test
    void twoSpellingsOfOneMediaTypeAreEqual() {
        assertEquals(MediaTypes.comparable("application/json;charset=utf-8"),
                MediaTypes.comparable(" Application/JSON ; charset=\"UTF-8\""));
    }

    @Test
    void jsonIsApplicationJsonOrAnyApplicationPlusJson() {
        assertTrue(MediaTypes.isJson("application/json"));
        assertTrue(MediaTypes.isJson("APPLICATION/JSON ; charset=utf-8"));
        assertTrue(MediaTypes.isJson("application/problem+json"));
        assertFalse(MediaTypes.isJson("text/json"));
        assertFalse(MediaTypes.isJson("application/+json"));
        assertFalse(MediaTypes.isJson("application/jsonx"));
    }
}
