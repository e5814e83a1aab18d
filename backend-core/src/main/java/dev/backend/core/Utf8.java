package dev.backend.core;

import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks that bytes are well-formed UTF-8 by RFC 3629 §4's table before a body is parsed. Jackson 3.2's parser
 * checks only some sequences: inside string values it decodes overlong forms ({@code E0 80 AF} becomes {@code /},
 * the classic filter bypass: a byte-level check sees no slash, the application stores one) and reports
 * sequences beyond U+10FFFF as surrogates. One pass over the body costs far less than the parse itself.
 */
final class Utf8 {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    private Utf8() {}

    /**
     * The first malformed sequence in {@code bytes}, described as "invalid UTF-8 at byte offset 6 (E0 80 AF):
     * overlong encoding"; empty when all of it is well-formed.
     */
    static Optional<String> firstError(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int length = sequenceLength(bytes, i);
            if (length < 0) {
                return Optional.of(describe(bytes, i, reason(bytes, i)));
            }
            i += length;
        }
        return Optional.empty();
    }

    /** The length of the well-formed multi-byte sequence at {@code i}, or -1. */
    private static int sequenceLength(byte[] bytes, int i) {
        int lead = bytes[i] & 0xFF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            return continuation(bytes, i + 1) ? 2 : -1;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return inSecondByteRange(lead, bytes, i + 1) && continuation(bytes, i + 2) ? 3 : -1;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return inSecondByteRange(lead, bytes, i + 1) && continuation(bytes, i + 2) && continuation(bytes, i + 3)
                    ? 4 : -1;
        }
        return -1;
    }

    /** RFC 3629 §4: the second byte's range is narrower after E0, ED, F0 and F4. */
    private static boolean inSecondByteRange(int lead, byte[] bytes, int at) {
        if (at >= bytes.length) {
            return false;
        }
        int b = bytes[at] & 0xFF;
        return switch (lead) {
            case 0xE0 -> b >= 0xA0 && b <= 0xBF;
            case 0xED -> b >= 0x80 && b <= 0x9F;
            case 0xF0 -> b >= 0x90 && b <= 0xBF;
            case 0xF4 -> b >= 0x80 && b <= 0x8F;
            default -> b >= 0x80 && b <= 0xBF;
        };
    }

    private static boolean continuation(byte[] bytes, int at) {
        return at < bytes.length && (bytes[at] & 0xC0) == 0x80;
    }

    /** Why the sequence at {@code i} is malformed, in the terms of RFC 3629 §3 and §4. */
    private static String reason(byte[] bytes, int i) {
        int lead = bytes[i] & 0xFF;
        if (lead < 0xC0) {
            return "a continuation byte without a lead byte";
        }
        if (lead < 0xC2) {
            return "overlong encoding";
        }
        if (lead > 0xF4) {
            return "not a UTF-8 byte";
        }
        if (continuation(bytes, i + 1)) {
            int second = bytes[i + 1] & 0xFF;
            if ((lead == 0xE0 && second < 0xA0) || (lead == 0xF0 && second < 0x90)) {
                return "overlong encoding";
            }
            if (lead == 0xED && second > 0x9F) {
                return "a UTF-16 surrogate";
            }
            if (lead == 0xF4 && second > 0x8F) {
                return "beyond U+10FFFF";
            }
        }
        return "an incomplete sequence";
    }

    /** Names the offset and the lead byte with the continuation bytes that follow it (at most four bytes). */
    private static String describe(byte[] bytes, int i, String reason) {
        int end = i + 1;
        while (end < bytes.length && end < i + 4 && (bytes[end] & 0xC0) == 0x80) {
            end++;
        }
        return "invalid UTF-8 at byte offset " + i + " (" + HEX.formatHex(bytes, i, end) + "): " + reason
                + " (RFC 3629 §3)";
    }
}
