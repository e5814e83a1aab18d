package dev.backend.reference.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backend.core.AppError;
import dev.backend.core.AppException;
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

    @Test
    void rejectsAnOutOfRangeTimestamp() {
        String token = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("9223372036854775807." + UUID.randomUUID()).getBytes());

        assertThrows(AppException.class, () -> Cursor.decode(token));
    }
}
