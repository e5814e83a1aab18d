package dev.backend.core.internal;

/**
 * The grammar of a {@code WWW-Authenticate} field value (RFC 9110 §11.6.1, §11.3), checked when an application
 * states its challenge rather than when the answer is written, so a malformed one is the application's bug at the
 * line that made it:
 *
 * <pre>
 * WWW-Authenticate = 1#challenge
 * challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * auth-scheme      = token
 * auth-param       = token BWS "=" BWS ( token / quoted-string )
 * token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * </pre>
 *
 * <p>As a sender's value it is read strictly: no white space at either end (§5.5), no empty list elements (§5.6.1),
 * challenges and parameters separated by {@code OWS "," OWS}. What a scheme makes of its parameters (Basic's
 * required {@code realm}, RFC 7617) is the scheme's business, not checked here.
 */
public final class AuthChallenges {

    private AuthChallenges() {}

    /**
     * Checks that {@code value} is one or more challenges.
     *
     * @throws IllegalArgumentException naming what was expected and the index where it was not found
     */
    public static void check(String value) {
        int n = value.length();
        int at = 0;
        while (true) {
            int schemeEnd = HttpTokens.tokenEnd(value, at, n);
            if (schemeEnd == at) {
                throw refused(value, at, "expected an auth-scheme (a token)");
            }
            if (schemeEnd == n) {
                return;
            }
            int after = HttpTokens.skipOws(value, schemeEnd, n);
            if (after < n && value.charAt(after) == ',') {
                at = nextElement(value, schemeEnd);
                continue;
            }
            at = parametersStart(value, schemeEnd, after);
            int nameEnd = HttpTokens.tokenEnd(value, at, n);
            at = isParameter(value, at, nameEnd) ? parameters(value, at) : token68(value, at);
            if (at == n) {
                return;
            }
            at = nextElement(value, at);
        }
    }

    /** Where a scheme's token68 or parameters begin: past the spaces from {@code schemeEnd} to {@code after}. */
    private static int parametersStart(String value, int schemeEnd, int after) {
        for (int i = schemeEnd; i < after; i++) {
            if (value.charAt(i) != ' ') {
                throw refused(value, i, "only spaces separate an auth-scheme from what follows it");
            }
        }
        if (after == schemeEnd) {
            throw refused(value, after, "expected a space, ',' or the end after the auth-scheme");
        }
        if (after == value.length()) {
            throw refused(value, schemeEnd, "white space at the end");
        }
        return after;
    }

    /**
     * True when the token at {@code [at, nameEnd)} begins an auth-param: a name, "=", and a token or quoted-string;
     * a token followed by "=" and nothing of a value is a token68 with its padding.
     */
    private static boolean isParameter(String value, int at, int nameEnd) {
        int n = value.length();
        int equals = HttpTokens.skipOws(value, nameEnd, n);
        if (nameEnd == at || equals == n || value.charAt(equals) != '=') {
            return false;
        }
        int start = HttpTokens.skipOws(value, equals + 1, n);
        return start < n && (value.charAt(start) == '"' || HttpTokens.tokenEnd(value, start, n) > start);
    }

    /**
     * The end of the auth-params from {@code at}: after the last one's value, at the end or at the separator before
     * the next challenge.
     */
    private static int parameters(String value, int at) {
        int n = value.length();
        while (true) {
            int nameEnd = HttpTokens.tokenEnd(value, at, n);
            at = HttpTokens.skipOws(value, HttpTokens.skipOws(value, nameEnd, n) + 1, n);
            // isParameter found a value here: a quoted-string or a token.
            at = value.charAt(at) == '"' ? quotedStringEnd(value, at) : HttpTokens.tokenEnd(value, at, n);
            if (at == n) {
                return at;
            }
            int next = nextElement(value, at);
            if (!isParameter(value, next, HttpTokens.tokenEnd(value, next, n))) {
                return at;
            }
            at = next;
        }
    }

    /** The end of the token68 at {@code at}: its characters, then any "=" padding. */
    private static int token68(String value, int at) {
        int end = at;
        while (end < value.length() && isToken68(value.charAt(end))) {
            end++;
        }
        if (end == at) {
            throw refused(value, at, "expected a token68 or an auth-param");
        }
        while (end < value.length() && value.charAt(end) == '=') {
            end++;
        }
        return end;
    }

    private static boolean isToken68(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /** The end of the quoted-string opening at {@code at} (RFC 9110 §5.6.4). */
    private static int quotedStringEnd(String value, int at) {
        for (int i = at + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (++i == value.length()) {
                    break;
                }
                c = value.charAt(i); // a quoted-pair escapes the same characters qdtext holds, and '"' and '\'
            }
            if (!HttpTokens.isQuotable(c)) {
                throw refused(value, i, "a character a quoted-string cannot hold");
            }
        }
        throw refused(value, at, "a quoted-string without its closing '\"'");
    }

    /**
     * Past the list separator ({@code OWS "," OWS}) at {@code at} and at the next element, which must be there: a
     * list ends without a separator and holds no empty elements.
     */
    private static int nextElement(String value, int at) {
        int n = value.length();
        int comma = HttpTokens.skipOws(value, at, n);
        if (comma == n) {
            throw refused(value, at, "white space at the end");
        }
        if (value.charAt(comma) != ',') {
            throw refused(value, comma, "expected ',' between challenges or parameters");
        }
        int next = HttpTokens.skipOws(value, comma + 1, n);
        if (next == n) {
            throw refused(value, comma, "a list that ends with ','");
        }
        if (value.charAt(next) == ',') {
            throw refused(value, next, "an empty list element");
        }
        return next;
    }

    private static IllegalArgumentException refused(String value, int at, String problem) {
        return new IllegalArgumentException("not a WWW-Authenticate challenge (RFC 9110 §11.6.1): " + problem
                + " at index " + at + " of a value of " + value.length() + " characters");
    }
}
