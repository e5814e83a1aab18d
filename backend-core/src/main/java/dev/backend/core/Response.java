package dev.backend.core;

import dev.backend.core.internal.HttpTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * An immutable HTTP response: a status, headers and a {@link Body}.
 *
 * <p>Built with the static factories and refined with {@code withX} copies, so middleware can add a
 * header without affecting anyone else's instance:
 *
 * {@snippet :
 * Response.json(201, user).withHeader("Location", "/api/v1/users/" + user.id());
 * }
 *
 * <p>{@code Content-Length} and {@code Transfer-Encoding} are not headers here: the adapter derives the
 * framing from the body (a value set with {@link #withHeader} is not sent), and answers {@code HEAD}, 204,
 * 205 and 304 without a body, as HTTP requires. A status is a final one, 200 to 999.
 */
public final class Response {

    /** Where the bytes of a response come from. */
    public sealed interface Body {
        /** No body at all. */
        record Empty() implements Body {}

        /**
         * A body held in memory; its length is known up front.
         *
         * @param bytes the body; not copied, so do not change the array after handing it over
         */
        record Bytes(byte[] bytes) implements Body {
            /**
             * Requires the bytes.
             *
             * @throws NullPointerException if {@code bytes} is null
             */
            public Bytes {
                Objects.requireNonNull(bytes, "bytes");
            }
        }

        /**
         * A body written as it is produced. {@code length} is the exact byte count or {@code -1} when
         * unknown (sent chunked).
         *
         * @param length the exact body length in bytes, sent as {@code Content-Length}; {@code -1} when unknown, sent
         *     with chunked transfer coding (RFC 9112 section 7.1)
         * @param writer writes the body
         */
        record Stream(long length, BodyWriter writer) implements Body {
            /**
             * Checks the length.
             *
             * @throws NullPointerException if {@code writer} is null
             * @throws IllegalArgumentException if {@code length} is below {@code -1}
             */
            public Stream {
                Objects.requireNonNull(writer, "writer");
                if (length < -1) {
                    throw new IllegalArgumentException("length must be -1 (unknown) or >= 0, was " + length);
                }
            }
        }

        /**
         * The body's length in bytes if known without producing it.
         *
         * @return the length in bytes: 0 for {@link Empty}, the array's length for {@link Bytes}, and for {@link
         *     Stream} its declared length, {@code -1} when unknown
         */
        default long knownLength() {
            return switch (this) {
                case Empty e -> 0;
                case Bytes b -> b.bytes().length;
                case Stream s -> s.length();
            };
        }
    }

    /**
     * Writes a streamed body; the body ends when the writer returns, and only then.
     *
     * <p>It is called at most once, and only when the body is sent: never for a {@code HEAD} request, a status
     * that carries no content (204, 205, 304; RFC 9110 section 6.4.1), a declared length of 0, or a connection
     * whose headers could not be sent (a client gone unnoticed is found at the first write, which fails). So a
     * resource the body needs (a file, a cursor, a pooled connection) is opened inside the writer, in a {@code
     * try}-with-resources, not before the response is returned, where it would stay open whenever the writer is
     * not called.
     *
     * <p>A writer of a declared length must write exactly that many bytes: a write past it fails at once, and
     * fewer fail the response when the writer returns. Either way, as when the writer throws, the response is
     * cut off and the connection closed (RFC 9112 section 8); the last declared byte is held back until the
     * writer returns, so the client never takes a failed body for a complete one.
     */
    @FunctionalInterface
    public interface BodyWriter {
        /**
         * Writes the whole body to {@code out}.
         *
         * @param out the connection's body stream; closing it does nothing (so a {@code try}-with-resources, or
         *     Jackson's {@code writeValue}, which closes its target, cannot end a body that then fails)
         * @throws IOException when writing fails, as when the client went away; the response is then cut short
         */
        void writeTo(OutputStream out) throws IOException;
    }

    static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    private static final Body EMPTY = new Body.Empty();
    private static final String[] NO_HEADERS = {};

    /**
     * Header names and values already found valid, kept by identity: a {@code String} cannot change, so the same
     * object needs no second check. Most fields a response carries are constants (the middleware's names and
     * values, content types), checked once here instead of on every request; any other string is checked as always.
     * At most {@value #CHECKED_SLOTS} short strings each ({@link #remember}): the first ones seen, which may include
     * a few request-specific values such as ids, but never a {@code Set-Cookie} value.
     */
    private static final int CHECKED_SLOTS = 256;
    private static final int CHECKED_MAX_LENGTH = 128;
    private static final String[] CHECKED_NAMES = new String[CHECKED_SLOTS];
    private static final String[] CHECKED_VALUES = new String[CHECKED_SLOTS];

    private final int status;
    /** Alternating names and values: a flat array is the cheapest shape for the few headers we carry. */
    private final String[] headers;
    private final Body body;
    private final AppError error;

    private Response(int status, String[] headers, Body body, AppError error) {
        if (status < 200 || status > 999) {
            // A 1xx is an interim response (RFC 9110 §15.2): sent as a handler's answer, one engine framed it as
            // final and the client read the next reply as this one's.
            throw new IllegalArgumentException("status must be a final one, 200 to 999 (1xx are interim responses,"
                    + " RFC 9110 §15.2), was " + status);
        }
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.error = error;
    }

    /**
     * An empty response with this status.
     *
     * @param status the status code of the final response, three digits (RFC 9110 section 15)
     * @return the response, with no headers and no body
     * @throws IllegalArgumentException if {@code status} is not from 200 to 999
     */
    public static Response status(int status) {
        return new Response(status, NO_HEADERS, EMPTY, null);
    }

    /**
     * 204 No Content.
     *
     * @return the response, with no headers and no body (RFC 9110 section 15.3.5)
     */
    public static Response noContent() {
        return status(204);
    }

    /**
     * 200 with {@code value} serialised by {@link Json#mapper()}.
     *
     * @param value a value Jackson can write: a record, a map, a list
     * @return the response, with {@code Content-Type: application/json}
     */
    public static Response json(Object value) {
        return json(200, value);
    }

    /**
     * {@code status} with {@code value} serialised by {@link Json#mapper()}.
     *
     * @param status the status code, three digits
     * @param value a value Jackson can write: a record, a map, a list
     * @return the response, with {@code Content-Type: application/json}
     * @throws IllegalArgumentException if {@code status} is not from 200 to 999
     */
    public static Response json(int status, Object value) {
        return ofBytes(status, JSON, Json.write(value));
    }

    /**
     * 200 {@code text/plain; charset=utf-8}.
     *
     * @param text the body, encoded as UTF-8
     * @return the response
     */
    public static Response text(String text) {
        return ofBytes(200, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * 200 {@code text/html; charset=utf-8}.
     *
     * @param html the body, encoded as UTF-8; not escaped, so escape any untrusted text in it
     * @return the response
     */
    public static Response html(String html) {
        return ofBytes(200, HTML, html.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code status} with these bytes as a body of the given content type. The array is not copied.
     *
     * @param status the status code, three digits
     * @param contentType the {@code Content-Type} value, such as {@code image/png}
     * @param body the body bytes
     * @return the response
     * @throws IllegalArgumentException if {@code status} is not from 200 to 999, or {@code contentType} holds a
     *     character a field value cannot (as {@link #withHeader})
     */
    public static Response bytes(int status, String contentType, byte[] body) {
        checkHeader("Content-Type", contentType);
        return ofBytes(status, contentType, body);
    }

    /** {@link #bytes} for a content type of this class's own, known to be valid. */
    private static Response ofBytes(int status, String contentType, byte[] body) {
        return new Response(status, new String[] {"Content-Type", contentType}, new Body.Bytes(body), null);
    }

    /**
     * {@code status} with a body written as it is produced; {@code length} is the exact byte count or
     * {@code -1} to send it chunked.
     *
     * @param status the status code, three digits
     * @param contentType the {@code Content-Type} value
     * @param length the exact body length in bytes, or {@code -1} when unknown
     * @param writer writes the body once the status and headers are sent, and only if the body is sent (see {@link
     *     BodyWriter}); its exceptions cut the response short
     * @return the response
     * @throws IllegalArgumentException if {@code status} is not from 200 to 999, {@code length} is below -1, or
     *     {@code contentType} holds a character a field value cannot (as {@link #withHeader})
     */
    public static Response stream(int status, String contentType, long length, BodyWriter writer) {
        checkHeader("Content-Type", contentType);
        return new Response(status, new String[] {"Content-Type", contentType}, new Body.Stream(length, writer), null);
    }

    /**
     * {@return the status code, from 200 to 999}
     */
    public int status() {
        return status;
    }

    /**
     * {@return the body: {@link Body.Empty}, {@link Body.Bytes} or {@link Body.Stream}}
     */
    public Body body() {
        return body;
    }

    /**
     * The error this response was made from, if any: lets middleware tell failures apart.
     *
     * @return the error, or empty for a response built directly
     */
    public Optional<AppError> error() {
        return Optional.ofNullable(error);
    }

    /**
     * The first value of a header, compared case-insensitively.
     *
     * @param name the header name; compared case-insensitively (RFC 9110 section 5.1)
     * @return the first value, or empty when absent
     */
    public Optional<String> header(String name) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                return Optional.of(headers[i + 1]);
            }
        }
        return Optional.empty();
    }

    /**
     * Every value of a header, in order.
     *
     * @param name the header name; compared case-insensitively
     * @return the values in the order added; empty when absent
     */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                values.add(headers[i + 1]);
            }
        }
        return values;
    }

    /**
     * Calls {@code action} with each header name and value, in order.
     *
     * @param action called once per value, with the name as it was set
     */
    public void forEachHeader(BiConsumer<String, String> action) {
        for (int i = 0; i < headers.length; i += 2) {
            action.accept(headers[i], headers[i + 1]);
        }
    }

    /**
     * A copy with another status.
     *
     * @param status the status code, three digits
     * @return the copy; headers, body and error are this response's
     * @throws IllegalArgumentException if {@code status} is not from 200 to 999
     */
    public Response withStatus(int status) {
        return new Response(status, headers, body, error);
    }

    /**
     * A copy with another body; {@code contentType} replaces the {@code Content-Type} header.
     *
     * @param contentType the new {@code Content-Type} value
     * @param body the new body
     * @return the copy
     */
    public Response withBody(String contentType, Body body) {
        return new Response(status, headers, Objects.requireNonNull(body, "body"), error)
                .withHeader("Content-Type", contentType);
    }

    /**
     * A copy where {@code name} has exactly this one value.
     *
     * @param name the header name; earlier values under any case of it are removed
     * @param value the value
     * @return the copy
     * @throws IllegalArgumentException if the name is not a token (RFC 9110 §5.1), or the value holds a control
     *     character other than a tab, or one above U+00FF (RFC 9110 §5.5): a CR or LF would let it smuggle headers in
     *     (response splitting), and the others cannot be sent
     */
    public Response withHeader(String name, String value) {
        checkHeader(name, value);
        String[] copy = new String[headers.length + 2];
        int n = 0;
        for (int i = 0; i < headers.length; i += 2) {
            if (!headers[i].equalsIgnoreCase(name)) {
                copy[n++] = headers[i];
                copy[n++] = headers[i + 1];
            }
        }
        copy[n++] = name;
        copy[n++] = value;
        return new Response(status, n == copy.length ? copy : Arrays.copyOf(copy, n), body, error);
    }

    /**
     * A copy with one more value for {@code name}, keeping the existing ones.
     *
     * @param name the header name
     * @param value the value, sent as a field line of its own after the existing ones
     * @return the copy
     * @throws IllegalArgumentException if the name is not a token or the value holds a character a field value
     *     cannot (as {@link #withHeader})
     */
    public Response withAddedHeader(String name, String value) {
        checkHeader(name, value);
        String[] copy = Arrays.copyOf(headers, headers.length + 2);
        copy[headers.length] = name;
        copy[headers.length + 1] = value;
        return new Response(status, copy, body, error);
    }

    /**
     * A copy with several more values, in one copy of the headers rather than one per value, as middleware that adds
     * a few headers to every response needs.
     *
     * {@snippet :
     * response.withAddedHeaders("X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer");
     * }
     *
     * @param namesAndValues alternating header names and values, each pair sent as a field line of its own after
     *     the existing ones, in order; the array is not kept
     * @return the copy, or this response when {@code namesAndValues} is empty
     * @throws IllegalArgumentException if {@code namesAndValues} has an odd length, or a name is not a token or a
     *     value holds a character a field value cannot (as {@link #withHeader})
     * @throws NullPointerException if {@code namesAndValues} or one of its elements is null
     */
    public Response withAddedHeaders(String... namesAndValues) {
        Objects.requireNonNull(namesAndValues, "namesAndValues");
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate, but " + namesAndValues.length
                    + " strings were given");
        }
        if (namesAndValues.length == 0) {
            return this;
        }
        String[] copy = Arrays.copyOf(headers, headers.length + namesAndValues.length);
        System.arraycopy(namesAndValues, 0, copy, headers.length, namesAndValues.length);
        // Checked in the copy: the caller's array could change after a check of its own elements.
        for (int i = headers.length; i < copy.length; i += 2) {
            checkHeader(copy[i], copy[i + 1]);
        }
        return new Response(status, copy, body, error);
    }

    /**
     * A copy without any value for {@code name}.
     *
     * @param name the header name, compared case-insensitively
     * @return the copy, or this response when it has no such header
     */
    public Response withoutHeader(String name) {
        if (header(name).isEmpty()) {
            return this;
        }
        String[] copy = new String[headers.length];
        int n = 0;
        for (int i = 0; i < headers.length; i += 2) {
            if (!headers[i].equalsIgnoreCase(name)) {
                copy[n++] = headers[i];
                copy[n++] = headers[i + 1];
            }
        }
        return new Response(status, Arrays.copyOf(copy, n), body, error);
    }

    Response withError(AppError error) {
        return new Response(status, headers, body, error);
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + body.getClass().getSimpleName() + "]";
    }

    /**
     * A name must be a token (RFC 9110 §5.1), and a value field-vchars, spaces and tabs (§5.5): a CR or LF would let
     * it smuggle headers in (response splitting), and a name or value an engine cannot send fails only once the
     * answer is written, too late for the handler to know.
     */
    private static void checkHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a header name is empty");
        }
        int at = checkedSlot(name);
        if (CHECKED_NAMES[at] != name) {
            if (!HttpTokens.isToken(name)) {
                throw new IllegalArgumentException(
                        "not a header name (RFC 9110 §5.1: a token): '" + printable(name) + "'");
            }
            remember(CHECKED_NAMES, at, name);
        }
        if (value.isEmpty()) {
            return;
        }
        at = checkedSlot(value);
        if (CHECKED_VALUES[at] != value) {
            checkValue(name, value);
            // A cookie's value is a secret of one client's; the table would keep it for the life of the process.
            if (!(name.length() == 10 && name.equalsIgnoreCase("Set-Cookie"))) {
                remember(CHECKED_VALUES, at, value);
            }
        }
    }

    /**
     * Refuses a value holding a control character other than HTAB, or a character above U+00FF. Printable ASCII,
     * nearly every character of a real value, passes with one comparison; the rest are told apart after it.
     */
    private static void checkValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((char) (c - 0x20) < 0x5F) {
                continue; // 0x20 to 0x7E
            }
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("header " + name + " has a line break in its value");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("header " + name + " has a character a field value cannot hold"
                        + " (RFC 9110 §5.5) at index " + i);
            }
        }
    }

    /**
     * The slot of a non-empty string in {@link #CHECKED_NAMES} or {@link #CHECKED_VALUES}: from its length and last
     * character, which cost nothing to read, where a hash of the whole string would cost about what the check does.
     */
    static int checkedSlot(String s) {
        return (s.length() * 31 + s.charAt(s.length() - 1)) & (CHECKED_SLOTS - 1);
    }

    /**
     * Keeps a string just found valid in an empty slot. Only empty slots are filled, so once the constant names and
     * values the middleware and the handlers use have taken theirs, the tables are only read, and the cores share
     * them without writes bouncing the cache lines between them. Written without a lock: a lost write only means a
     * later check, and a {@code String} is safely published by its final fields.
     */
    private static void remember(String[] table, int at, String s) {
        if (table[at] == null && s.length() <= CHECKED_MAX_LENGTH) {
            table[at] = s;
        }
    }

    /** The name as it can go into a message or a log line: controls and non-ASCII written as {@code \\uXXXX}. */
    private static String printable(String name) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < name.length() && i < 64; i++) {
            char c = name.charAt(i);
            text.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return text.append(name.length() > 64 ? "..." : "").toString();
    }
}
