package dev.backend.core;

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
 * framing from the body (a value set with {@link #withHeader} is not sent), and answers {@code HEAD}, 204
 * and 304 without a body, as HTTP requires.
 */
public final class Response {

    /** Where the bytes of a response come from. */
    public sealed interface Body {
        /** No body at all. */
        record Empty() implements Body {}

        /** A body held in memory; its length is known up front. */
        record Bytes(byte[] bytes) implements Body {
            public Bytes {
                Objects.requireNonNull(bytes, "bytes");
            }
        }

        /**
         * A body written as it is produced. {@code length} is the exact byte count or {@code -1} when
         * unknown (sent chunked).
         */
        record Stream(long length, BodyWriter writer) implements Body {
            public Stream {
                Objects.requireNonNull(writer, "writer");
                if (length < -1) {
                    throw new IllegalArgumentException("length must be -1 (unknown) or >= 0, was " + length);
                }
            }
        }

        /** The body's length in bytes if known without producing it. */
        default long knownLength() {
            return switch (this) {
                case Empty e -> 0;
                case Bytes b -> b.bytes().length;
                case Stream s -> s.length();
            };
        }
    }

    /** Writes a streamed body; the stream is closed by the caller. */
    @FunctionalInterface
    public interface BodyWriter {
        /** Writes the whole body to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    private static final Body EMPTY = new Body.Empty();
    private static final String[] NO_HEADERS = {};

    private final int status;
    /** Alternating names and values: a flat array is the cheapest shape for the few headers we carry. */
    private final String[] headers;
    private final Body body;
    private final AppError error;

    private Response(int status, String[] headers, Body body, AppError error) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be a three-digit code, was " + status);
        }
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.error = error;
    }

    /** An empty response with this status. */
    public static Response status(int status) {
        return new Response(status, NO_HEADERS, EMPTY, null);
    }

    /** 204 No Content. */
    public static Response noContent() {
        return status(204);
    }

    /** 200 with {@code value} serialised by {@link Json#mapper()}. */
    public static Response json(Object value) {
        return json(200, value);
    }

    /** {@code status} with {@code value} serialised by {@link Json#mapper()}. */
    public static Response json(int status, Object value) {
        return bytes(status, JSON, Json.write(value));
    }

    /** 200 {@code text/plain; charset=utf-8}. */
    public static Response text(String text) {
        return bytes(200, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** 200 {@code text/html; charset=utf-8}. */
    public static Response html(String html) {
        return bytes(200, HTML, html.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code status} with these bytes as a body of the given content type. The array is not copied. */
    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, new String[] {"Content-Type", contentType}, new Body.Bytes(body), null);
    }

    /**
     * {@code status} with a body written as it is produced; {@code length} is the exact byte count or
     * {@code -1} to send it chunked.
     */
    public static Response stream(int status, String contentType, long length, BodyWriter writer) {
        return new Response(status, new String[] {"Content-Type", contentType}, new Body.Stream(length, writer), null);
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The body. */
    public Body body() {
        return body;
    }

    /** The error this response was made from, if any: lets middleware tell failures apart. */
    public Optional<AppError> error() {
        return Optional.ofNullable(error);
    }

    /** The first value of a header, compared case-insensitively. */
    public Optional<String> header(String name) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                return Optional.of(headers[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** Every value of a header, in order. */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                values.add(headers[i + 1]);
            }
        }
        return values;
    }

    /** Calls {@code action} with each header name and value, in order. */
    public void forEachHeader(BiConsumer<String, String> action) {
        for (int i = 0; i < headers.length; i += 2) {
            action.accept(headers[i], headers[i + 1]);
        }
    }

    /** A copy with another status. */
    public Response withStatus(int status) {
        return new Response(status, headers, body, error);
    }

    /** A copy with another body; {@code contentType} replaces the {@code Content-Type} header. */
    public Response withBody(String contentType, Body body) {
        return new Response(status, headers, Objects.requireNonNull(body, "body"), error)
                .withHeader("Content-Type", contentType);
    }

    /** A copy where {@code name} has exactly this one value. */
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

    /** A copy with one more value for {@code name}, keeping the existing ones. */
    public Response withAddedHeader(String name, String value) {
        checkHeader(name, value);
        String[] copy = Arrays.copyOf(headers, headers.length + 2);
        copy[headers.length] = name;
        copy[headers.length + 1] = value;
        return new Response(status, copy, body, error);
    }

    /** A copy without any value for {@code name}. */
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

    private static void checkHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        // A CR or LF would let a value smuggle extra headers (response splitting).
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("header " + name + " has a line break in its value");
            }
        }
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("not a header name: '" + name + "'");
        }
    }
}
