package dev.backend.core.internal;

import java.util.Locale;

/**
 * Media types (RFC 9110 §8.3.1) as {@code Content-Type} carries them, shared by {@code Request}'s JSON binding and
 * the middleware. The checks on the response path allocate nothing.
 */
public final class MediaTypes {

    private MediaTypes() {}

    /**
     * {@code value} read as one media type ({@code type "/" subtype *( OWS ";" OWS [ parameter ] )}, a parameter
     * {@code token "=" ( token / quoted-string )}, RFC 9110 §8.3.1, §5.6.6), written so that two spellings of the
     * same one are equal: type, subtype and parameter names lower-cased, quoted values unquoted, the charset's value
     * lower-cased (§8.3.2).
     *
     * @param value a {@code Content-Type} field value
     * @return the comparable form, such as {@code application/json;charset=utf-8}; null if {@code value} is not one
     *     media type (a list, broken quoting, a control character, anything outside the grammar)
     */
    public static String comparable(String value) {
        int n = value.length();
        int start = HttpTokens.skipOws(value, 0, n);
        int typeEnd = HttpTokens.tokenEnd(value, start, n);
        if (typeEnd == start || typeEnd == n || value.charAt(typeEnd) != '/') {
            return null;
        }
        int i = HttpTokens.tokenEnd(value, typeEnd + 1, n);
        if (i == typeEnd + 1) {
            return null;
        }
        StringBuilder comparable = new StringBuilder(n).append(value.substring(start, i).toLowerCase(Locale.ROOT));
        while ((i = HttpTokens.skipOws(value, i, n)) < n) {
            if (value.charAt(i) != ';') {
                return null;
            }
            i = HttpTokens.skipOws(value, i + 1, n);
            if (i == n || value.charAt(i) == ';') {
                continue;
            }
            int nameEnd = HttpTokens.tokenEnd(value, i, n);
            if (nameEnd == i || nameEnd == n || value.charAt(nameEnd) != '=') {
                return null;
            }
            String name = value.substring(i, nameEnd).toLowerCase(Locale.ROOT);
            StringBuilder parameter = new StringBuilder();
            i = nameEnd + 1;
            if (i < n && value.charAt(i) == '"') {
                for (i++; ; i++) {
                    if (i == n) {
                        return null;
                    }
                    char c = value.charAt(i);
                    if (c == '"') {
                        i++;
                        break;
                    }
                    if (c == '\\' && ++i == n) {
                        return null;
                    }
                    char quoted = value.charAt(i);
                    if (!HttpTokens.isQuotable(quoted)) {
                        return null;
                    }
                    parameter.append(quoted);
                }
            } else {
                int valueEnd = HttpTokens.tokenEnd(value, i, n);
                if (valueEnd == i) {
                    return null;
                }
                parameter.append(value, i, valueEnd);
                i = valueEnd;
            }
            String parameterValue = name.equals("charset") ? parameter.toString().toLowerCase(Locale.ROOT)
                    : parameter.toString();
            comparable.append(';').append(name).append('=').append(parameterValue);
        }
        return comparable.toString();
    }

    /**
     * Whether {@code contentType} is {@code application/json} or any {@code application/*+json} (RFC 6839 §3.1),
     * ignoring case and parameters.
     *
     * @param contentType a {@code Content-Type} value
     * @return whether it names JSON
     */
    public static boolean isJson(String contentType) {
        if (contentType.equals("application/json")) {
            return true; // what Response.json sets: spared the case-insensitive comparisons below
        }
        int end = end(contentType);
        return (end == 16 && contentType.regionMatches(true, 0, "application/json", 0, 16))
                || (end > 17 && contentType.regionMatches(true, 0, "application/", 0, 12)
                        && contentType.regionMatches(true, end - 5, "+json", 0, 5));
    }

    /**
     * Whether the media type of {@code contentType}, before any parameter, is {@code type}, ignoring case.
     *
     * @param contentType a {@code Content-Type} value
     * @param type a media type without parameters, such as {@code application/xml}
     * @return whether they match
     */
    public static boolean is(String contentType, String type) {
        int end = end(contentType);
        return end == type.length() && contentType.regionMatches(true, 0, type, 0, end);
    }

    /**
     * Text-like bodies that gzip well: {@code text/*} (but not {@code text/event-stream}, which must not be
     * buffered), JSON, XML, JavaScript, NDJSON, OpenMetrics and SVG.
     *
     * @param contentType a {@code Content-Type} value
     * @return whether compressing it is worth it
     */
    public static boolean isCompressible(String contentType) {
        int end = end(contentType);
        if (contentType.regionMatches(true, 0, "text/", 0, 5)) {
            return !(end == 17 && contentType.regionMatches(true, 0, "text/event-stream", 0, 17));
        }
        if (contentType.regionMatches(true, 0, "application/", 0, 12)) {
            return isJson(contentType)
                    || is(contentType, "application/xml")
                    || is(contentType, "application/javascript")
                    || is(contentType, "application/x-ndjson")
                    || is(contentType, "application/openmetrics-text")
                    || (end > 16 && contentType.regionMatches(true, end - 4, "+xml", 0, 4));
        }
        return is(contentType, "image/svg+xml");
    }

    /** Where the media type ends: at the first {@code ;}, less the spaces before it. */
    private static int end(String contentType) {
        int end = contentType.indexOf(';');
        end = end < 0 ? contentType.length() : end;
        while (end > 0 && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
    }
}
