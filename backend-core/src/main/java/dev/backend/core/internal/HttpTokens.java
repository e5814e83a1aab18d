package dev.backend.core.internal;

/**
 * The RFC 9110 token (§5.6.2), the one check behind header names in {@code Response} and the middleware's
 * header, method and coding names; the characters a quoted-string may hold (§5.6.4); and the optional white space
 * (§5.6.3) the middleware's field parsers skip.
 */
public final class HttpTokens {

    /** The characters of a token, by code: letters, digits and {@code !#$%&'*+-.^_`|~}. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HttpTokens() {}

    /** True when {@code s} is a token: one or more of the characters above. */
    public static boolean isToken(String s) {
        return !s.isEmpty() && tokenEnd(s, 0, s.length()) == s.length();
    }

    /** The first index from {@code from} (up to {@code to}) not holding a token character. */
    public static int tokenEnd(String s, int from, int to) {
        while (from < to && s.charAt(from) < 128 && TCHAR[s.charAt(from)]) {
            from++;
        }
        return from;
    }

    /**
     * True when a quoted-string may hold {@code c}, as qdtext or escaped by a quoted-pair (RFC 9110 §5.6.4): HTAB,
     * SP, the visible ASCII characters and obs-text (U+0080 to U+00FF). A field value is bytes, read and written
     * here as ISO-8859-1, so a character above U+00FF has no place in one.
     */
    public static boolean isQuotable(char c) {
        return c == '\t' || c >= 0x20 && c <= 0x7E || c >= 0x80 && c <= 0xFF;
    }

    /**
     * The first index from {@code from} (up to {@code to}) not holding optional white space: only spaces and tabs
     * are (RFC 9110 §5.6.3); a line break or any other white space is a character of the value.
     */
    public static int skipOws(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    /** The end of the range {@code [from, to)} of {@code s} without the optional white space it ends with. */
    public static int trimOws(String s, int from, int to) {
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }
}
