package dev.backend.core.middleware;

import dev.backend.core.internal.HttpTokens;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Small, allocation-free checks on header values, shared by the middleware; no regex on the hot path. */
final class HttpText {

    private HttpText() {}

    /** Checks every element is a token, naming {@code field} in the message. */
    static List<String> tokens(String field, List<String> values) {
        List<String> copy = List.copyOf(values);
        for (String value : copy) {
            if (!HttpTokens.isToken(value)) {
                throw new IllegalArgumentException(field + ": '" + value + "' is not a valid HTTP token");
            }
        }
        return copy;
    }

    /** A duration for people: {@code 250ms}, {@code 30s}, {@code 1500ms}. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Lower-cases ASCII only, so a Turkish default locale cannot turn "I" into a dotless "ı". */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
