package dev.backend.reference.users;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.AppError;
import dev.backend.core.AppException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    void roundTripsAtMicrosecondPrecision() {
        Cursor cursor = new Cursor(OffsetDateTime.parse("2026-11-25T06:49:37.123456Z"), UUID.randomUUID());

        assertEquals(cursor, Cursor.decode(cursor.encode()));
    }

    @Test
    void survivesTimestampsBeforeTheEpoch() {
        Cursor cursor = new Cursor(OffsetDateTime.parse("1969-07-20T20:17:40.000001Z"), UUID.randomUUID());

        assertEquals(cursor, Cursor.decode(cursor.encode()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "bm90aGluZw", "MTIzLm5vdC1hLXV1aWQ",
            "OTk5OTk5OTk5OTk5OTk5OTk5OTk5LjEyMzQ1Njc4LTEyMzQtMTIzNC0xMjM0LTEyMzQ1Njc4OTBhYg"})
    void rejectsTokensItDidNotMake(String token) {
        AppException e = assertThrows(AppException.class, () -> Cursor.decode(token));

        assertEquals(400, e.error().status());
        assertEquals(AppError.Validation.class, e.error().getClass());
    }

    /** Each spells a position a token of ours names, but encode() never writes it so. */
    @ParameterizedTest
    @ValueSource(strings = {"+1764053377123456", "01764053377123456", "-0", "+0", "1764053377123456 ",
            "١٧٦٤٠٥٣٣٧٧١٢٣٤٥٦"})
    void rejectsMicrosecondsWrittenOtherwiseThanEncodeWritesThem(String micros) {
        String token = base64(micros + ".0b5e3c62-5d2a-4f0e-9a57-1c4f3d6f8a10");

        AppException e = assertThrows(AppException.class, () -> Cursor.decode(token));
        assertEquals(400, e.error().status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0B5E3C62-5D2A-4F0E-9A57-1C4F3D6F8A10", "0b5e3c62-5d2a-4f0e-9a57-1C4F3D6F8A10",
            "{b5e3c62-5d2a-4f0e-9a57-1c4f3d6f8a10}", "b5e3c62-05d2a-4f0e-9a57-1c4f3d6f8a10",
            "0b5e3c62+5d2a-4f0e-9a57-1c4f3d6f8a10"})
    void rejectsAUuidWrittenOtherwiseThanEncodeWritesIt(String uuid) {
        String token = base64("1764053377123456." + uuid);

        AppException e = assertThrows(AppException.class, () -> Cursor.decode(token));
        assertEquals(400, e.error().status());
    }

    @Test
    void rejectsTheBase64SpellingsEncodeNeverWrites() {
        String token = new Cursor(OffsetDateTime.parse("2026-11-25T06:49:37.123456Z"),
                UUID.fromString("0b5e3c62-5d2a-4f0e-9a57-1c4f3d6f8a10")).encode();
        String padded = Base64.getUrlEncoder().encodeToString(Base64.getUrlDecoder().decode(token));
        assertEquals(token, Cursor.decode(token).encode());

        // Padding, and the same bytes with a spare low bit set in the last character (the decoder ignores it).
        assertThrows(AppException.class, () -> Cursor.decode(padded));
        assertTrue(token.length() % 4 != 0, token);
        char last = token.charAt(token.length() - 1);
        String spareBit = token.substring(0, token.length() - 1) + ALPHABET.charAt(ALPHABET.indexOf(last) + 1);
        assertArrayEquals(Base64.getUrlDecoder().decode(token), Base64.getUrlDecoder().decode(spareBit));
        assertThrows(AppException.class, () -> Cursor.decode(spareBit));
    }

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rejectsAnOutOfRangeTimestamp() {
        String token = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("9223372036854775807." + UUID.randomUUID()).getBytes());

        assertThrows(AppException.class, () -> Cursor.decode(token));
    }
}
