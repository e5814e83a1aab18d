package dev.backend.http;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Field names in the form {@link com.sun.net.httpserver.Headers} keys take (first character upper case, the rest
 * lower case), and the shared instances of the common ones, so parsing a request allocates no name it has seen
 * before and the engine recognises its own fields by identity.
 */
final class HeaderNames {

    static final String HOST = "Host";
    static final String CONTENT_LENGTH = "Content-length";
    static final String TRANSFER_ENCODING = "Transfer-encoding";
    static final String CONNECTION = "Connection";
    static final String EXPECT = "Expect";
    static final String DATE = "Date";

    /** Common request and response fields; the first five carry framing and are recognised by identity. */
    private static final String[] KNOWN = {
        HOST, CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, EXPECT, DATE,
        "Accept", "Accept-charset", "Accept-encoding", "Accept-language", "Authorization", "Cache-control",
        "Content-encoding", "Content-type", "Cookie", "Forwarded", "If-match", "If-modified-since",
        "If-none-match", "If-unmodified-since", "Keep-alive", "Origin", "Pragma", "Priority", "Range", "Referer",
        "Sec-fetch-dest", "Sec-fetch-mode", "Sec-fetch-site", "Sec-fetch-user", "Te", "Trailer", "Upgrade",
        "Upgrade-insecure-requests", "User-agent", "Via", "X-forwarded-for", "X-forwarded-host",
        "X-forwarded-proto", "X-request-id", "X-real-ip", "Etag", "Last-modified", "Location", "Server",
        "Set-cookie", "Vary", "Content-language", "Content-disposition", "Access-control-allow-origin",
        "Retry-after", "Www-authenticate", "Traceparent", "Tracestate", "Sec-ch-ua", "Sec-ch-ua-mobile",
        "Sec-ch-ua-platform", "Dnt",
        // Response fields security middleware sets on every answer: known, they need no copy in key form.
        "X-content-type-options", "Referrer-policy", "Strict-transport-security", "Content-security-policy",
        "X-frame-options", "Permissions-policy", "Cross-origin-opener-policy", "Cross-origin-resource-policy",
        "Access-control-allow-credentials", "Access-control-allow-methods", "Access-control-allow-headers",
        "Access-control-expose-headers", "Access-control-max-age", "Allow", "Expires", "Age",
    };

    private static final int MAX_KNOWN = 32;
    /** Known names by length, each with its lower-case bytes for comparison. */
    private static final String[][] BY_LENGTH = new String[MAX_KNOWN + 1][];
    private static final byte[][][] LOWER_BY_LENGTH = new byte[MAX_KNOWN + 1][][];

    static {
        for (String name : KNOWN) {
            int length = name.length();
            String[] names = BY_LENGTH[length] == null ? new String[0] : BY_LENGTH[length];
            byte[][] lower = LOWER_BY_LENGTH[length] == null ? new byte[0][] : LOWER_BY_LENGTH[length];
            names = java.util.Arrays.copyOf(names, names.length + 1);
            lower = java.util.Arrays.copyOf(lower, lower.length + 1);
            names[names.length - 1] = name;
            lower[lower.length - 1] = name.toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            BY_LENGTH[length] = names;
            LOWER_BY_LENGTH[length] = lower;
        }
    }

    /**
     * The known names under the spellings code sets them by (the key form, each word capitalised as in {@code
     * Content-Type}, and all lower case as in {@code traceparent}): one hash lookup finds the shared instance of
     * almost every name a handler or middleware sets, where a scan would compare it with each known name of its
     * length, character by character.
     */
    private static final Map<String, String> SPELLINGS = new HashMap<>();

    static {
        for (String name : KNOWN) {
            SPELLINGS.put(name, name);
            // Interned: the spelling code passes is usually a literal, the same instance, so the look-up's key
            // comparison ends at == instead of comparing characters.
            SPELLINGS.put(name.toLowerCase(Locale.ROOT).intern(), name);
            char[] words = name.toCharArray();
            for (int i = 1; i < words.length; i++) {
                if (words[i - 1] == '-' && isLower(words[i])) {
                    words[i] = (char) (words[i] - 32);
                }
            }
            SPELLINGS.put(new String(words).intern(), name);
        }
    }

    private HeaderNames() {
    }

    /**
     * The shared instance of a known name spelled as code usually spells it, or null (then {@link
     * #normalized(String)} still finds it under any other spelling). Known names are tokens.
     */
    static String knownSpelling(String name) {
        return SPELLINGS.get(name);
    }

    /**
     * The shared instance for the token in {@code bytes[offset, offset + length)}, or null if it is not a known
     * name. The bytes must already be known to be token characters: only then does setting bit 0x20 fold case
     * without turning another character into a letter, digit or hyphen.
     */
    static String known(byte[] bytes, int offset, int length) {
        if (length > MAX_KNOWN) {
            return null;
        }
        byte[][] candidates = LOWER_BY_LENGTH[length];
        if (candidates == null) {
            return null;
        }
        for (int c = 0; c < candidates.length; c++) {
            byte[] lower = candidates[c];
            int i = 0;
            while (i < length && (bytes[offset + i] | 0x20) == lower[i]) {
                i++;
            }
            if (i == length) {
                return BY_LENGTH[length][c];
            }
        }
        return null;
    }

    /** The name in {@code Headers} key form: the shared instance if known, else a new string. */
    static String normalized(byte[] bytes, int offset, int length) {
        String known = known(bytes, offset, length);
        if (known != null) {
            return known;
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) (bytes[offset + i] & 0xFF);
        }
        return new String(normalize(chars));
    }

    /**
     * The key form of a name given by code: the shared instance if known, the name itself if already in key
     * form, else a normalised copy. ASCII letters only are folded, as {@code Headers} does.
     */
    static String normalized(String name) {
        String spelled = SPELLINGS.get(name);
        if (spelled != null) {
            return spelled;
        }
        int length = name.length();
        if (length == 0) {
            return name;
        }
        if (length <= MAX_KNOWN && BY_LENGTH[length] != null) {
            for (String known : BY_LENGTH[length]) {
                if (sameName(known, name)) {
                    return known;
                }
            }
        }
        if (!isLower(name.charAt(0)) && isKeyTail(name)) {
            return name;
        }
        return new String(normalize(name.toCharArray()));
    }

    /** Whether two names are equal ignoring the case of ASCII letters, which is how {@code Headers} compares keys. */
    static boolean sameName(String a, String b) {
        int length = a.length();
        if (length != b.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && (foldAscii(x) != foldAscii(y))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code c} is a token character (RFC 9110 §5.6.2). */
    static boolean isTokenChar(int c) {
        return c < 128 && TCHAR[c];
    }

    /** Whether every character of {@code s} is a token character and there is at least one. */
    static boolean isToken(String s) {
        int length = s.length();
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private static char[] normalize(char[] chars) {
        char first = chars[0];
        if (isLower(first)) {
            chars[0] = (char) (first - 32);
        }
        for (int i = 1; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) (c + 32);
            }
        }
        return chars;
    }

    private static boolean isKeyTail(String name) {
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static char foldAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
