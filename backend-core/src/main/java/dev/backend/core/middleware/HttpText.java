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

    /** The media type of a {@code Content-Type} value, before any parameter, matched without allocating. */
    static boolean mediaTypeIs(String contentType, String type) {
        int end = mediaTypeEnd(contentType);
        return end == type.length() && contentType.regionMatches(true, 0, type, 0, end);
    }

    /** {@code application/json} or any {@code application/*+json}. */
    static boolean isJson(String contentType) {
        if (contentType.equals("application/json")) {
            return true; // what Response.json sets: spared the case-insensitive comparisons below
        }
        int end = mediaTypeEnd(contentType);
        return (end == 16 && contentType.regionMatches(true, 0, "application/json", 0, 16))
                || (end > 17 && contentType.regionMatches(true, 0, "application/", 0, 12)
                        && contentType.regionMatches(true, end - 5, "+json", 0, 5));
    }

    /**
     * Text-like bodies that gzip well: {@code text/*} (but not {@code text/event-stream}, which must not be
     * buffered), JSON, XML, JavaScript, NDJSON and SVG.
     */
    static boolean isCompressible(String contentType) {
        int end = mediaTypeEnd(contentType);
        if (contentType.regionMatches(true, 0, "text/", 0, 5)) {
            return !(end == 17 && contentType.regionMatches(true, 0, "text/event-stream", 0, 17));
        }
        if (contentType.regionMatches(true, 0, "application/", 0, 12)) {
            return isJson(contentType)
                    || mediaTypeIs(contentType, "application/xml")
                    || mediaTypeIs(contentType, "application/javascript")
                    || mediaTypeIs(contentType, "application/x-ndjson")
                    || mediaTypeIs(contentType, "application/openmetrics-text")
                    || (end > 16 && contentType.regionMatches(true, end - 4, "+xml", 0, 4));
        }
        return mediaTypeIs(contentType, "image/svg+xml");
    }

    private static int mediaTypeEnd(String contentType) {
        int end = contentType.indexOf(';');
        end = end < 0 ? contentType.length() : end;
        while (end > 0 && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
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
