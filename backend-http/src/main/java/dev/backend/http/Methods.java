package dev.backend.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

/**
 * Shared instances of the RFC 9110 §9 methods and {@code PATCH}, so parsing them allocates nothing. Methods are
 * case-sensitive; any other token is a method too and reaches the handler as sent.
 */
final class Methods {

    static final String GET = "GET";
    static final String HEAD = "HEAD";
    static final String POST = "POST";
    static final String PUT = "PUT";
    static final String DELETE = "DELETE";
    static final String OPTIONS = "OPTIONS";
    static final String PATCH = "PATCH";
    static final String TRACE = "TRACE";
    static final String CONNECT = "CONNECT";

    private static final String[] KNOWN = {GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT};

    private Methods() {
    }

    /** The method in {@code bytes[offset, offset + length)}, which are token characters. */
    static String of(byte[] bytes, int offset, int length) {
        if (length == 3 && bytes[offset] == 'G' && bytes[offset + 1] == 'E' && bytes[offset + 2] == 'T') {
            return GET;
        }
        for (String known : KNOWN) {
            if (known.length() == length && matches(known, bytes, offset)) {
                return known;
            }
        }
        return new String(bytes, offset, length, ISO_8859_1);
    }

    private static boolean matches(String known, byte[] bytes, int offset) {
        for (int i = 0; i < known.length(); i++) {
            if (bytes[offset + i] != known.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
