package dev.backend.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding (RFC 3986 §2.1, §2.5): every {@code %} starts two hex digits, either case; the
 * decoded bytes must be UTF-8; characters outside printable ASCII must arrive percent-encoded (RFC 9112
 * §3.2: the request target is ASCII). Anything else is a 400, never a guess: {@link
 * java.net.URLDecoder} would turn {@code %FF} and {@code %FE} into the same U+FFFD.
 */
final class Percent {

    private Percent() {}

    /** Decodes a query name or value, where {@code +} is a space (HTML form encoding). */
    static String decodeQuery(String s) {
        String decoded = decode(s, 0, s.length(), true);
        if (decoded == null) {
            throw AppError.badRequest("Malformed query string: " + problem(s, 0, s.length())).toException();
        }
        return decoded;
    }

    /**
     * The path the router matches: each segment percent-decoded, with {@code /} and {@code %} inside a
     * segment escaped again as {@code %2F} and {@code %25}, so an encoded slash stays inside its segment
     * and the form is the same whatever case or escapes the client chose. A path with nothing to decode
     * is returned as it is. A segment that decodes to a control character is refused, as one sent raw is.
     */
    static String canonicalPath(String path) {
        if (isPlain(path, 0, path.length(), false)) {
            for (int start = 1, end; start <= path.length(); start = end + 1) {
                end = path.indexOf('/', start);
                end = end < 0 ? path.length() : end;
                if (isDot(path, start, end)) {
                    throw dotSegment();
                }
            }
            return path;
        }
        StringBuilder canonical = new StringBuilder(path.length());
        for (int start = 1, end; start <= path.length(); start = end + 1) {
            end = path.indexOf('/', start);
            end = end < 0 ? path.length() : end;
            String segment = decode(path, start, end, false);
            if (segment == null) {
                throw AppError.badRequest("Malformed path: " + problem(path, start, end)).toException();
            }
            if (hasControl(segment)) {
                throw AppError.badRequest("Malformed path: control characters are not allowed, even percent-encoded"
                        + " (RFC 3986 §7.3)").toException();
            }
            if (isDot(segment, 0, segment.length())) {
                throw dotSegment();
            }
            canonical.append('/').append(segment.replace("%", "%25").replace("/", "%2F"));
        }
        return canonical.toString();
    }

    /** A value cut from a {@link #canonicalPath}: only {@code %2F} and {@code %25} are left to undo. */
    static String fromCanonical(String s) {
        return s.indexOf('%') < 0 ? s : s.replace("%2F", "/").replace("%25", "%");
    }

    /**
     * RFC 3986 §3.3 dot segments, raw or encoded ({@code %2E%2E}). Clients remove them before sending
     * (§5.2.4); one that arrives anyway is a traversal attempt or a bug, and matching it as a parameter
     * value would hand {@code ..} to a handler that builds a file path.
     */
    private static boolean isDot(String s, int from, int to) {
        int length = to - from;
        return (length == 1 || length == 2) && s.charAt(from) == '.' && s.charAt(to - 1) == '.';
    }

    /**
     * A C0 control (U+0000 to U+001F) or DEL in a decoded segment: {@code %00} cuts a file name short, {@code
     * %0D%0A} splits a log line or a header built from the value. RFC 3986 §7.3 asks for security checks after
     * decoding and for {@code %00} to be rejected where raw data is not expected; a path segment never expects
     * it. A space and characters from U+0080 on (the C1 controls too) pass: a segment may hold any other text.
     * Only a decoded segment needs the check: a raw control character already fails {@link #decode}.
     */
    private static boolean hasControl(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    private static AppException dotSegment() {
        return AppError.badRequest("Malformed path: '.' and '..' segments are not allowed (RFC 3986 §3.3)").toException();
    }

    private static boolean isPlain(String s, int from, int to, boolean plusIsSpace) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || (plusIsSpace && c == '+') || c <= 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** {@code s[from, to)} decoded, or null if it is not valid percent-encoded UTF-8. */
    private static String decode(String s, int from, int to, boolean plusIsSpace) {
        if (isPlain(s, from, to, plusIsSpace)) {
            return s.substring(from, to);
        }
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int high = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (low < 0 || s.charAt(i + 1) > 0x7F || s.charAt(i + 2) > 0x7F) {
                    return null;
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c <= 0x20 || c >= 0x7F) {
                return null;
            } else {
                bytes[n++] = (byte) (plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Why {@code s[from, to)} failed to decode, for the client. */
    private static String problem(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return "characters outside printable ASCII must be percent-encoded (RFC 3986 §2.1)";
            }
            if (c == '%' && (i + 2 >= to || Character.digit(s.charAt(i + 1), 16) < 0
                    || Character.digit(s.charAt(i + 2), 16) < 0)) {
                return "'%' must be followed by two hex digits (RFC 3986 §2.1)";
            }
        }
        return "percent-encoded bytes are not UTF-8 (RFC 3986 §2.5)";
    }
}
