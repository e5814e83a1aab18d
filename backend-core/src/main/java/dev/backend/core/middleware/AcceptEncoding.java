package dev.backend.core.middleware;

import dev.backend.core.internal.HttpTokens;
import java.util.List;

/**
 * Chooses between the two codings {@link Compression} can send, gzip and identity, by RFC 9110 §12.5.3
 * ({@code Accept-Encoding}) and §12.4.2 (quality values).
 *
 * <p>The grammar is {@code #( codings [ OWS ";" OWS "q=" qvalue ] )}: elements separated by commas
 * across every field line, empty elements skipped, coding names and {@code q} case-insensitive, spaces
 * and tabs allowed around {@code ,} and {@code ;} but not around {@code =}. A qvalue is {@code 0} to
 * {@code 1} with at most three decimals ({@code 0.001} is the least preferred, {@code 0} refuses). An
 * element that does not follow the grammar (a qvalue of {@code 2}, {@code .5} or {@code 0.0001}, a
 * parameter other than {@code q}) is ignored as a whole, as if absent: neither read as consent nor as a
 * refusal. A coding listed twice keeps its lowest weight. {@code x-gzip} is {@code gzip} (§8.4.1.3).
 */
final class AcceptEncoding {

    private static final int NOT_LISTED = -1;

    private AcceptEncoding() {}

    /**
     * True when gzip is acceptable (listed, or matched by {@code *}, with a weight above 0) and the client
     * does not prefer identity to it: {@code identity;q=1, gzip;q=0.5} and {@code gzip;q=0.5, *} ask for
     * the plain body. An identity the client did not weigh is acceptable but never preferred. Without the
     * header (empty list) or with an empty one, the body goes plain: any coding is allowed then, but
     * clients that do not ask rarely decode.
     */
    static boolean prefersGzip(List<String> fieldLines) {
        int gzip = NOT_LISTED;
        int identity = NOT_LISTED;
        int any = NOT_LISTED;
        for (String line : fieldLines) {
            int start = 0;
            while (start <= line.length()) {
                int end = line.indexOf(',', start);
                end = end < 0 ? line.length() : end;
                int semicolon = line.indexOf(';', start);
                int nameEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
                int from = HttpTokens.skipOws(line, start, nameEnd);
                int to = HttpTokens.trimOws(line, from, nameEnd);
                int weight = nameEnd == end ? 1000 : weight(line, nameEnd + 1, end);
                if (weight != NOT_LISTED && to > from) {
                    if (is(line, from, to, "gzip") || is(line, from, to, "x-gzip")) {
                        gzip = lower(gzip, weight);
                    } else if (is(line, from, to, "identity")) {
                        identity = lower(identity, weight);
                    } else if (is(line, from, to, "*")) {
                        any = lower(any, weight);
                    }
                }
                start = end + 1;
            }
        }
        int gzipWeight = gzip != NOT_LISTED ? gzip : any != NOT_LISTED ? any : 0;
        int identityWeight = identity != NOT_LISTED ? identity : any;
        return gzipWeight > 0 && gzipWeight >= identityWeight;
    }

    private static int lower(int current, int weight) {
        return current == NOT_LISTED ? weight : Math.min(current, weight);
    }

    /** The weight in thousandths from {@code OWS "q=" qvalue OWS} in {@code s[from, to)}, or NOT_LISTED. */
    private static int weight(String s, int from, int to) {
        from = HttpTokens.skipOws(s, from, to);
        to = HttpTokens.trimOws(s, from, to);
        if (to - from < 3 || (s.charAt(from) != 'q' && s.charAt(from) != 'Q') || s.charAt(from + 1) != '=') {
            return NOT_LISTED;
        }
        int i = from + 2;
        char first = s.charAt(i);
        if (first != '0' && first != '1') {
            return NOT_LISTED;
        }
        int value = (first - '0') * 1000;
        if (i + 1 == to) {
            return value;
        }
        if (s.charAt(i + 1) != '.' || to - (i + 2) > 3) {
            return NOT_LISTED;
        }
        int scale = 100;
        for (int j = i + 2; j < to; j++, scale /= 10) {
            char c = s.charAt(j);
            if (c < '0' || c > '9' || (first == '1' && c != '0')) {
                return NOT_LISTED;
            }
            value += (c - '0') * scale;
        }
        return value;
    }

    private static boolean is(String s, int from, int to, String name) {
        return to - from == name.length() && s.regionMatches(true, from, name, 0, name.length());
    }
}
