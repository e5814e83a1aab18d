package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** JSON bodies read the way a handler reads them, {@link Request#json(Class)}, for the JSON contract's tests. */
final class JsonInput {

    private JsonInput() {
    }

    static Request post(String json) {
        return post(json.getBytes(StandardCharsets.UTF_8));
    }

    static Request post(byte[] body) {
        return Request.builder("POST", "/").header("Content-Type", "application/json").body(body).build();
    }

    static <T> T read(String json, Class<T> type) {
        return post(json).json(type);
    }

    /** The error {@code json} is refused with; fails the test if it is accepted or the message leaks internals. */
    static AppError refused(String json, Class<?> type) {
        return refused(json.getBytes(StandardCharsets.UTF_8), type);
    }

    static AppError refused(byte[] body, Class<?> type) {
        AppError error = assertThrows(AppException.class, () -> post(body).json(type),
                () -> new String(body, StandardCharsets.UTF_8) + " was accepted as " + type.getSimpleName()).error();
        assertSafe(error.message());
        return error;
    }

    static void assertRefused(int status, String message, String json, Class<?> type) {
        AppError error = refused(json, type);
        assertEquals(status, error.status(), json);
        assertEquals(message, error.message(), json + " as " + type.getSimpleName());
    }

    static void assertRefused(int status, String message, byte[] body, Class<?> type) {
        AppError error = refused(body, type);
        assertEquals(status, error.status(), message);
        assertEquals(message, error.message());
    }

    /** Messages speak JSON: no Java class, no Jackson feature, no stack. */
    static void assertSafe(String message) {
        for (String leak : List.of("java.", "jackson", "Jackson", "`", "Exception", "dev.backend", "\n")) {
            assertFalse(message.contains(leak), "'" + message + "' leaks " + leak);
        }
    }
}
