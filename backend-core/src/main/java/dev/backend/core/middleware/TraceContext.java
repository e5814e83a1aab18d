package dev.backend.core.middleware;

import dev.backend.core.Request;
import dev.backend.core.internal.HttpTokens;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C Trace Context of a request (<a href="https://www.w3.org/TR/trace-context/">trace-context</a>): the
 * trace it belongs to and the span this server answers it in.
 *
 * <p>{@link #continueOrStart} reads the caller's {@code traceparent} and {@code tracestate} strictly: a
 * {@code traceparent} that breaks the rules of its version (or comes twice) starts a new trace, and its {@code
 * tracestate} is then dropped; a {@code tracestate} that breaks its own rules is dropped alone. A request
 * continues the caller's trace with a span id of its own, so the caller's span is the parent of this one.
 *
 * <p>{@link Trace} puts the context in the logging MDC ({@code trace_id}, {@code span_id}), on the request as
 * the attribute {@link #KEY} (pass {@link #traceparent()} and {@link #traceState()} on to the services a
 * handler calls) and in the response's {@code traceparent} header, so a caller can find this request's logs.
 *
 * {@snippet :
 * TraceContext trace = request.attribute(TraceContext.KEY).orElseThrow();
 * outgoing.header("traceparent", trace.traceparent());
 * }
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero: this server's span for the request
 * @param sampled the {@code sampled} flag: whether the caller (or whoever started the trace) records it
 * @param traceState the vendor entries to pass on, in order, joined by commas; empty when there are none
 */
public record TraceContext(String traceId, String spanId, boolean sampled, String traceState) {

    /** The request attribute {@link Trace} sets. */
    public static final Request.Key<TraceContext> KEY = Request.Key.of("trace context");

    private static final int VERSION_00_LENGTH = 55;
    private static final int MAX_TRACE_STATE_MEMBERS = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final byte[] HEX_VALUES = hexValues();
    private static final HexFormat LOWER_HEX = HexFormat.of();
    /**
     * Markers, compared by identity, that make the constructor draw a new id: distinct objects no caller can pass
     * (a string of the same characters is checked as any other, and is not hex).
     */
    private static final String NEW_TRACE_ID = new String("new trace id");
    private static final String NEW_SPAN_ID = new String("new span id");

    /**
     * Checks the ids and the trace state against W3C Trace Context (Level 1, sections 3.2 and 3.3).
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if an id is not lowercase hex of its length or is all zero, or {@code
     *     traceState} is not a valid {@code tracestate}
     */
    public TraceContext {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(spanId, "spanId");
        Objects.requireNonNull(traceState, "traceState");
        // New ids are drawn here, not checked: random hex is valid by construction, and checking it again cost more
        // than drawing it (55 of 85 ns for start()). Only this class holds the markers that ask for them.
        if (traceId == NEW_TRACE_ID) {
            traceId = newTraceId();
        } else if (traceId.length() != 32 || !isId(traceId, 0, 32)) {
            throw new IllegalArgumentException("traceId must be 32 lowercase hex digits, not all zero: '" + traceId + "'");
        }
        if (spanId == NEW_SPAN_ID) {
            spanId = newSpanId();
        } else if (spanId.length() != 16 || !isId(spanId, 0, 16)) {
            throw new IllegalArgumentException("spanId must be 16 lowercase hex digits, not all zero: '" + spanId + "'");
        }
        if (!traceState.isEmpty() && parseTraceState(List.of(traceState)).isEmpty()) {
            throw new IllegalArgumentException("traceState is not a valid tracestate: '" + traceState + "'");
        }
    }

    /** Where a request's trace context comes from; {@link #W3C} unless a tracer of its own knows better. */
    @FunctionalInterface
    public interface Source {
        /**
         * The context {@code request} is answered in.
         *
         * @param request the request, with its headers
         * @return the context: a new span, in the caller's trace or a new one
         */
        TraceContext start(Request request);

        /** Reads the request's {@code traceparent} and {@code tracestate} with {@link #continueOrStart}. */
        Source W3C = request -> {
            List<String> traceparent = request.headers("traceparent");
            // Without a traceparent the tracestate is dropped anyway: most requests need only the one lookup.
            return traceparent.isEmpty() ? TraceContext.start() : continueOrStart(traceparent, request.headers("tracestate"));
        };
    }

    /**
     * The context for a request carrying these header values (each list holds every field of that name, in
     * order): the caller's trace with a new span id when exactly one valid {@code traceparent} came, else a
     * new sampled trace.
     *
     * @param traceparent every {@code traceparent} field value of the request, in order
     * @param tracestate every {@code tracestate} field value of the request, in order; joined as one list (W3C
     *     Trace Context section 3.3); invalid or over 32 members, it is dropped
     * @return the context, with a new span id
     */
    public static TraceContext continueOrStart(List<String> traceparent, List<String> tracestate) {
        if (traceparent.size() == 1) {
            String parent = traceparent.getFirst();
            if (isValidTraceparent(parent)) {
                // For a later version the flags we know are read the same way; the unknown bits are not passed on.
                boolean sampled = (hexValue(parent.charAt(54)) & 1) == 1;
                return new TraceContext(parent.substring(3, 35), NEW_SPAN_ID, sampled,
                        parseTraceState(tracestate).orElse(""));
            }
        }
        return start();
    }

    /**
     * A new sampled trace with random ids (from {@link ThreadLocalRandom}: unique enough, and no lock).
     *
     * @return a context with a new trace id, a new span id, sampled, and no trace state
     */
    public static TraceContext start() {
        return new TraceContext(NEW_TRACE_ID, NEW_SPAN_ID, true, "");
    }

    /**
     * The {@code traceparent} value naming this span as the parent: {@code 00-<trace id>-<span id>-<flags>}.
     *
     * @return the value, 55 characters: version {@code 00}, the trace id, this span's id, and the flags {@code 01}
     *     (sampled) or {@code 00}
     */
    public String traceparent() {
        return "00-" + traceId + '-' + spanId + (sampled ? "-01" : "-00");
    }

    /**
     * Whether {@code value} is a {@code traceparent} this server continues. Version {@code 00}: exactly 55
     * characters. A later version (anything but {@code ff}): at least 55, the fields of version {@code 00}
     * first and, if more follows, a {@code -} after them. In both, lowercase hex only, and neither id all zero.
     */
    static boolean isValidTraceparent(String value) {
        int length = value.length();
        if (length < VERSION_00_LENGTH || !isHex(value, 0, 2) || value.startsWith("ff")) {
            return false;
        }
        boolean version00 = value.startsWith("00");
        if (version00 ? length != VERSION_00_LENGTH : length > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
            return false;
        }
        return value.charAt(2) == '-' && value.charAt(35) == '-' && value.charAt(52) == '-'
                && isId(value, 3, 35) && isId(value, 36, 52) && isHex(value, 53, 55);
    }

    /**
     * The {@code tracestate} fields joined into one list without empty members, or empty when the list breaks
     * the rules: more than 32 members, a key twice, or a member that is not {@code key=value} with the key and
     * value characters the specification allows.
     */
    static Optional<String> parseTraceState(List<String> fields) {
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder joined = new StringBuilder();
        Set<String> keys = new HashSet<>();
        for (String field : fields) {
            for (String member : field.split(",", -1)) {
                String trimmed = trimOws(member);
                if (trimmed.isEmpty()) {
                    continue;
                }
                int equals = trimmed.indexOf('=');
                if (equals < 0 || !isKey(trimmed, equals) || !isValue(trimmed, equals + 1)
                        || !keys.add(trimmed.substring(0, equals)) || keys.size() > MAX_TRACE_STATE_MEMBERS) {
                    return Optional.empty();
                }
                if (!joined.isEmpty()) {
                    joined.append(',');
                }
                joined.append(trimmed);
            }
        }
        return joined.isEmpty() ? Optional.empty() : Optional.of(joined.toString());
    }

    /**
     * {@code member} without the optional whitespace around it: spaces and tabs only (W3C Trace Context section
     * 3.3.1, RFC 9110 section 5.6.3). Any other white space, such as a line break, stays and makes the member invalid.
     */
    private static String trimOws(String member) {
        int from = HttpTokens.skipOws(member, 0, member.length());
        return member.substring(from, HttpTokens.trimOws(member, from, member.length()));
    }

    /** A simple key ({@code lcalpha} then up to 255 more) or a multi-tenant key ({@code tenant@system}). */
    private static boolean isKey(String member, int end) {
        int at = member.indexOf('@');
        if (at >= 0 && at < end) {
            // tenant: lcalpha or digit first, up to 241 characters; system: lcalpha first, up to 14.
            return at >= 1 && at <= 241 && isKeyStart(member.charAt(0), true) && isKeyRest(member, 1, at)
                    && end - at - 1 >= 1 && end - at - 1 <= 14 && isKeyStart(member.charAt(at + 1), false)
                    && isKeyRest(member, at + 2, end);
        }
        return end >= 1 && end <= 256 && isKeyStart(member.charAt(0), false) && isKeyRest(member, 1, end);
    }

    private static boolean isKeyStart(char c, boolean digitAllowed) {
        return (c >= 'a' && c <= 'z') || (digitAllowed && c >= '0' && c <= '9');
    }

    private static boolean isKeyRest(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /** Up to 256 printable ASCII characters but {@code ,} and {@code =}, spaces allowed but not last. */
    private static boolean isValue(String member, int from) {
        int length = member.length() - from;
        if (length < 1 || length > 256 || member.charAt(member.length() - 1) == ' ') {
            return false;
        }
        for (int i = from; i < member.length(); i++) {
            char c = member.charAt(i);
            if (c < 0x20 || c > 0x7E || c == ',' || c == '=') {
                return false;
            }
        }
        return true;
    }

    /** Lowercase hex in {@code [from, to)}, not all zero. */
    private static boolean isId(String s, int from, int to) {
        boolean nonZero = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (hexValue(c) < 0) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (hexValue(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of a lowercase hex digit, or -1: uppercase is not allowed in trace context. A table, not range tests:
     * in random ids, such as a caller's, digits and letters alternate unpredictably, and the mispredicted branches
     * cost more than the table (when {@link #start()} still checked the ids it drew: 240 ns, 100 with the table).
     */
    private static int hexValue(char c) {
        return c < HEX_VALUES.length ? HEX_VALUES[c] : -1;
    }

    private static byte[] hexValues() {
        byte[] values = new byte[128];
        Arrays.fill(values, (byte) -1);
        for (int i = 0; i < HEX.length; i++) {
            values[HEX[i]] = (byte) i;
        }
        return values;
    }

    /** A span id: a random 64-bit value in hex, drawn again in the one case in 2^64 that it is zero. */
    private static String newSpanId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long value;
        do {
            value = random.nextLong();
        } while (value == 0);
        byte[] bytes = new byte[8];
        put(value, bytes, 0);
        return LOWER_HEX.formatHex(bytes);
    }

    /** A trace id: a random 128-bit value in hex, drawn again in the one case in 2^128 that it is zero. */
    private static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while ((high | low) == 0);
        byte[] bytes = new byte[16];
        put(high, bytes, 0);
        put(low, bytes, 8);
        return LOWER_HEX.formatHex(bytes);
    }

    /**
     * Writes {@code value} big-endian at {@code bytes[at]}. The ids are formatted from bytes: {@link
     * HexFormat#formatHex(byte[])} builds its string on the digits it wrote, where {@code toHexDigits(long)} took
     * four times as long and a {@code char[]} had to be copied.
     */
    private static void put(long value, byte[] bytes, int at) {
        for (int i = 0; i < 8; i++) {
            bytes[at + i] = (byte) (value >>> (56 - 8 * i));
        }
    }
}
