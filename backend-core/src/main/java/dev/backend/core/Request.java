package dev.backend.core;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.backend.core.internal.HttpTokens;
import dev.backend.core.internal.MediaTypes;
import dev.backend.core.internal.RequestDeadline;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.type.TypeReference;

/**
 * An incoming HTTP request: method, path, query, headers, the path parameters the {@link Router}
 * matched, and a body that is read at most once.
 *
 * <p>Extraction failures are client errors, thrown as {@link AppException} so a handler reads
 * straight-line and the client still gets a precise answer: a malformed path UUID is a 400 naming the
 * parameter, a JSON body without {@code Content-Type: application/json} or with a {@code Content-Encoding} a
 * 415, two {@code Content-Type} fields naming different media types or one holding a list a 400, malformed
 * JSON a 400, JSON of the wrong shape a 422, a body over the limit a 413.
 *
 * {@snippet :
 * record CreateUser(String email, String name) {}
 *
 * Response create(Request request) {
 *     CreateUser input = request.json(CreateUser.class);
 *     ...
 * }
 * }
 *
 * <p>Middleware hands values to the handler as typed attributes ({@link Key}): a copy of the request
 * carrying the value goes down the chain, so no string map and no cast are involved.
 *
 * <p>Not thread-safe: a request belongs to the one thread answering it.
 */
public final class Request {

    /** The body limit when no middleware sets one: 2 MiB, as axum's default. */
    public static final long DEFAULT_BODY_LIMIT = 2L * 1024 * 1024;

    private static final String[] NONE = {};
    private static final Object[] NO_ATTRIBUTES = {};

    private final String method;
    private final String path;
    private final String rawQuery;
    private final Headers headers;
    private final InetSocketAddress remoteAddress;
    private final long bodyLimit;
    /** The body and the route, shared with every copy of this request. */
    private final Shared shared;
    /** Alternating keys and values, copied on write: requests carry a handful at most. */
    private final Object[] attributes;
    private Map<String, List<String>> query;

    private Request(String method, String path, String rawQuery, Headers headers, Shared shared,
            InetSocketAddress remoteAddress, long bodyLimit, Object[] attributes) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.headers = headers;
        this.shared = shared;
        this.remoteAddress = remoteAddress;
        this.bodyLimit = bodyLimit;
        this.attributes = attributes;
    }

    /** A copy sharing everything but the body limit and the attributes; the body and route are shared. */
    private Request copy(long limit, Object[] newAttributes) {
        Request copy = new Request(method, path, rawQuery, headers, shared, remoteAddress, limit, newAttributes);
        copy.query = query;
        return copy;
    }

    /**
     * backend-http's exchange attribute ({@code BackendHttp.ABORT_REQUEST_BODY}, named here as backend-core does
     * not depend on it): a {@link Runnable} that ends a body read blocked on the socket without closing it.
     */
    private static final String ABORT_REQUEST_BODY = "dev.backend.http.abortRequestBody";

    static Request from(HttpExchange exchange) {
        var uri = exchange.getRequestURI();
        String path = path(uri);
        return new Request(exchange.getRequestMethod(), path == null || path.isEmpty() ? "/" : path,
                uri.getRawQuery(), exchange.getRequestHeaders(),
                new Shared(exchange),
                exchange.getRemoteAddress(), DEFAULT_BODY_LIMIT, NO_ATTRIBUTES);
    }

    /**
     * The raw path of the request target. An origin-form target is {@code absolute-path ["?" query]} (RFC 9112
     * §3.2.1), so {@code //evil/a} is a path whose first segment is empty; {@link URI} reads it as the authority
     * {@code evil} and the path {@code /a} (RFC 3986 §4.2), which would route it as {@code /a}. The JDK's provider
     * hands over that {@link URI}, built from the target as sent, so the path is taken from the target itself;
     * backend-http already hands over a {@link URI} whose raw path is the whole path.
     */
    static String path(URI uri) {
        String rawPath = uri.getRawPath();
        if (uri.getScheme() != null || (rawPath != null && rawPath.startsWith("//"))) {
            return rawPath;
        }
        String target = uri.toString();
        if (!target.startsWith("//")) {
            return rawPath;
        }
        int end = 0;
        while (end < target.length() && target.charAt(end) != '?' && target.charAt(end) != '#') {
            end++;
        }
        return target.substring(0, end);
    }

    /**
     * Starts a request built by hand, for tests and for calling handlers directly. Characters outside
     * ASCII in {@code target} are percent-encoded as UTF-8, as a client sends them: {@code "/files/é"}
     * arrives as {@code /files/%C3%A9}.
     *
     * @param method the method; upper-cased
     * @param target the request target in origin form (RFC 9112 section 3.2.1): a path starting with {@code /},
     *     optionally {@code ?query}
     * @return a builder with no headers, an empty body and no client address
     * @throws IllegalArgumentException if {@code target} does not start with {@code /} or holds a lone surrogate
     */
    public static Builder builder(String method, String target) {
        return new Builder(method, target);
    }

    /**
     * {@return the method as sent ({@code GET}, {@code POST}, ...); methods are case-sensitive (RFC 9110 section 9.1)}
     */
    public String method() {
        return method;
    }

    /**
     * The path as sent, still percent-encoded, without the query string: what access logs, redirects and
     * signatures over the exact request target need. The {@link Router} matches its decoded form instead.
     *
     * @return the path, starting with {@code /}
     */
    public String path() {
        return path;
    }

    /**
     * {@return the query string after {@code ?}, still percent-encoded, or empty when the target has no {@code ?}}
     */
    public Optional<String> rawQuery() {
        return Optional.ofNullable(rawQuery);
    }

    /**
     * {@return the client's address, when the request came over a socket; for a proxied request, the proxy's}
     */
    public Optional<InetSocketAddress> remoteAddress() {
        return Optional.ofNullable(remoteAddress);
    }

    /**
     * The route template that matched, such as {@code /api/v1/users/{id}}, once routed. The route belongs to
     * the exchange, not to one copy: middleware outside the router, which passed on a copy ({@link
     * #withAttribute}, {@link #withBodyLimit}), reads it here once the handler returned, as metrics and
     * tracing do.
     *
     * @return the template, or empty before routing and when no route matched
     */
    public Optional<String> route() {
        return Optional.ofNullable(shared.route);
    }

    // ---- attributes ----

    /**
     * The value middleware attached under {@code key} with {@link #withAttribute}, if any.
     *
     * {@snippet :
     * String client = request.attribute(ApiKeyAuth.CLIENT).orElseThrow();
     * }
     *
     * @param <T> the type of the value
     * @param key the key the value was stored under; compared by identity
     * @return the value, or empty when none was attached on the way to this copy
     */
    public <T> Optional<T> attribute(Key<T> key) {
        Objects.requireNonNull(key, "key");
        for (int i = 0; i < attributes.length; i += 2) {
            if (attributes[i] == key) {
                @SuppressWarnings("unchecked") // withAttribute only stores a T under a Key<T>
                T value = (T) attributes[i + 1];
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * A copy of this request carrying {@code value} under {@code key}, replacing an earlier value for the
     * same key; this request is unchanged. Pass the copy on, {@code next.handle(request.withAttribute(KEY,
     * value))}: middleware inside that call and the handler see the value, middleware outside it does
     * not. The copy shares the body with this request (whichever reads it, both see the same bytes), the
     * route, its limit and the other attributes.
     *
     * @param <T> the type of the value
     * @param key the key, compared by identity
     * @param value the value; not null
     * @return the copy
     */
    public <T> Request withAttribute(Key<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, () -> "value for attribute '" + key.name() + "'");
        Object[] copy = attributes;
        int at = -1;
        for (int i = 0; i < attributes.length && at < 0; i += 2) {
            at = attributes[i] == key ? i : -1;
        }
        if (at < 0) {
            copy = Arrays.copyOf(attributes, attributes.length + 2);
            at = attributes.length;
            copy[at] = key;
        } else {
            copy = attributes.clone();
        }
        copy[at + 1] = value;
        return copy(bodyLimit, copy);
    }

    /**
     * A typed key for a request attribute: the key is the identity (two keys with the same name are
     * different keys, so libraries cannot collide), the name is for diagnostics. Keep keys in constants.
     *
     * {@snippet :
     * public static final Request.Key<String> CLIENT = Request.Key.of("api client");
     * }
     *
     * @param <T> the type of the value stored under this key
     */
    public static final class Key<T> {
        private final String name;

        private Key(String name) {
            this.name = name;
        }

        /**
         * A new key; {@code name} shows in messages and {@link #toString()}.
         *
         * @param <T> the type of the values stored under the key
         * @param name a name for diagnostics; not blank
         * @return a key equal only to itself
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public static <T> Key<T> of(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a key needs a name for diagnostics");
            }
            return new Key<>(name);
        }

        /**
         * {@return the name given to {@link #of}}
         */
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return "Request.Key[" + name + "]";
        }
    }

    // ---- headers ----

    /**
     * The first value of a header; names are case-insensitive.
     *
     * @param name the header name, compared case-insensitively (RFC 9110 section 5.1)
     * @return the first value, or empty when the header is absent
     */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.getFirst(name));
    }

    /**
     * Every value of a header, in order.
     *
     * @param name the header name, compared case-insensitively (RFC 9110 section 5.1)
     * @return the values in the order received, one per field line; empty when absent. A comma-separated field
     *     line is one value here: split it yourself where the header's grammar allows lists (RFC 9110 section 5.3)
     */
    public List<String> headers(String name) {
        List<String> values = headers.get(name);
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /**
     * {@return the names of the headers present, in no particular order; a copy}
     */
    public List<String> headerNames() {
        return List.copyOf(headers.keySet());
    }

    // ---- path parameters ----

    /**
     * The percent-decoded value of a path parameter the route declares, such as {@code {id}}. It may
     * contain {@code /} when the client sent {@code %2F}: check it before using it as a file name. It never
     * holds a control character (U+0000 to U+001F, DEL): the {@link Router} answers 400 to {@code %00} and its kin.
     *
     * @param name the parameter's name in the template, without braces
     * @return the decoded value
     * @throws IllegalArgumentException if the route does not declare {@code name}: a programming error, answered 500
     */
    public String path(String name) {
        String[] names = shared.paramNames;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return shared.paramValues[i];
            }
        }
        throw new IllegalArgumentException("route " + shared.route + " has no path parameter '" + name + "'");
    }

    /**
     * A path parameter as a UUID; anything but the canonical 36-character form is a 400 naming it.
     *
     * @param name the parameter's name in the template
     * @return the UUID
     * @throws AppException with a 400 validation error when the value is not a canonical UUID
     * @throws IllegalArgumentException if the route does not declare {@code name}
     */
    public UUID pathUuid(String name) {
        String value = path(name);
        return Params.uuid(value).orElseThrow(() -> AppError.validation(
                "Invalid path parameter '" + name + "': expected a UUID").toException());
    }

    /**
     * A path parameter as a {@code long}; anything else is a 400 naming it.
     *
     * @param name the parameter's name in the template
     * @return the value, in the {@code long} range
     * @throws AppException with a 400 validation error when the value is not a decimal integer in range
     * @throws IllegalArgumentException if the route does not declare {@code name}
     */
    public long pathLong(String name) {
        return Params.parseLong(path(name)).orElseThrow(() -> AppError.validation(
                "Invalid path parameter '" + name + "': expected an integer").toException());
    }

    void route(String template, String[] names, String[] values) {
        shared.route = template;
        shared.paramNames = names;
        shared.paramValues = values;
    }

    // ---- query ----

    /**
     * The value of a single-valued query parameter, decoded ({@code +} is a space). Invalid percent-encoding or
     * bytes that are not UTF-8 are a 400, as are characters that should have been percent-encoded.
     *
     * <p>A parameter given more than once ({@code ?limit=2&limit=3}) is a 400 naming it, as axum's {@code Query}
     * refuses a duplicate field and Spring a repeated {@code @RequestParam int}: taking the first (or the last)
     * silently would let a proxy and this server read different values. Read a list with {@link #queryAll}.
     *
     * @param name the parameter's name, compared exactly (case-sensitive) after decoding
     * @return the value, possibly empty ({@code ?name=}); empty when the parameter is absent
     * @throws AppException with a 400 when the query string is malformed or the parameter is repeated
     */
    public Optional<String> query(String name) {
        List<String> values = queryParams().get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw AppError.validation("Query parameter '" + name + "' is given " + values.size()
                    + " times; expected one value").toException();
        }
        return Optional.of(values.getFirst());
    }

    /**
     * Every value of a query parameter, decoded, in order; for a list such as {@code ?tag=a&tag=b}.
     *
     * @param name the parameter's name, compared exactly after decoding
     * @return the values in the order given; empty when absent
     * @throws AppException with a 400 when the query string is malformed
     */
    public List<String> queryAll(String name) {
        return queryParams().getOrDefault(name, List.of());
    }

    /**
     * A query parameter as an {@code int}, if present; a value that is not an integer is a 400 naming it.
     *
     * @param name the parameter's name
     * @return the value, or empty when absent
     * @throws AppException with a 400 naming the parameter when the value is not an integer in the {@code int}
     *     range, is repeated, or the query string is malformed
     */
    public Optional<Integer> queryInt(String name) {
        return query(name).map(value -> Params.parseLong(value)
                .filter(n -> n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE)
                .map(Long::intValue)
                .orElseThrow(() -> AppError.validation(
                        "Invalid query parameter '" + name + "': expected an integer").toException()));
    }

    /**
     * All query parameters, decoded, in the order they first appear.
     *
     * @return parameter names to their values; unmodifiable, parsed on first call and kept
     * @throws AppException with a 400 when the query string is malformed
     */
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            query = Params.parseQuery(rawQuery);
        }
        return query;
    }

    // ---- body ----

    /**
     * The most body bytes this request will read before answering 413.
     *
     * @return the limit in bytes; the server's {@code BODY_LIMIT} unless a middleware lowered or raised it
     */
    public long bodyLimit() {
        return bodyLimit;
    }

    /**
     * A copy that reads at most {@code limit} body bytes. A declared {@code Content-Length} over the
     * limit fails at once with 413, without reading anything.
     *
     * @param limit the limit in bytes; 0 or more
     * @return the copy; the body, route and attributes are shared with this request
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws AppException with a 413 when the declared {@code Content-Length} is over {@code limit}
     */
    public Request withBodyLimit(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        checkDeclaredLength(limit);
        return copy(limit, attributes);
    }

    /**
     * The whole body. Read on first call and kept, so later calls return the same bytes; more than
     * {@link #bodyLimit()} bytes is a 413, and nothing past the limit is buffered. A body that cannot be read
     * as its framing says (a broken chunk, fewer bytes than its {@code Content-Length}) is a 400, a client too
     * slow to send it a 408; either way the connection closes after the answer.
     *
     * <p>The bytes are the ones sent: with a {@code Content-Encoding} such as {@code gzip}, still coded, for the
     * handler to decode, store or refuse ({@link #bodyText()} and {@link #json(Class)} refuse them with 415).
     *
     * @return the body bytes, empty when there is none; the same array on every call, so do not modify it
     * @throws AppException with 413, 400 or 408 as described above
     * @throws IllegalStateException if the body stream was taken with {@link #bodyStream()}
     */
    public byte[] bodyBytes() {
        if (shared.bytes == null) {
            if (shared.stream() == null) {
                throw new IllegalStateException("the body was already taken as a stream");
            }
            checkDeclaredLength(bodyLimit);
            long declared = declaredLength();
            if (declared > Integer.MAX_VALUE - 8) {
                throw tooLarge(Integer.MAX_VALUE - 8); // no array holds it: read it as a stream
            }
            shared.checkRoom(declared, bodyLimit);
            InputStream in = shared.stream;
            shared.stream = null;
            shared.abortOnTimeout();
            byte[] bytes;
            try {
                bytes = readReserving(in, declared);
            } catch (IOException e) {
                // Not closed: the JDK's provider would try to drain the rest of a body it cannot frame, and wait.
                throw shared.unreadable(e);
            }
            shared.bytes = bytes;
            try {
                in.close();
            } catch (IOException e) {
                throw shared.unreadable(e);
            }
        }
        return shared.bytes;
    }

    /**
     * Reads the body, reserving it from the budget only as its bytes arrive: the next step is reserved once a byte
     * past what is held has come, so a client that declares a large {@code Content-Length} and sends nothing holds
     * none of the budget, and one that sends slowly holds at most about twice what it has sent. Steps double from
     * 64 KiB, so a large body costs few reservations and copies, and a declared body ends in an array of exactly
     * its length. Past the limit a 413, reading no further.
     */
    private byte[] readReserving(InputStream in, long declared) throws IOException {
        long expected = declared;
        byte[] bytes = new byte[0];
        int size = 0;
        long reserved = 0;
        while (true) {
            if (size == bytes.length) {
                int next = in.read();
                if (next < 0) {
                    return bytes;
                }
                if (size == expected) {
                    // Longer than declared, which only a stream that is not an engine's can be: the rest counts too.
                    expected = -1;
                }
                long room = size < expected ? expected : bodyLimit + 1; // one byte past the limit tells a body over it
                long capacity = Math.min(room, Math.max(BodyMemory.STEP, 2L * size));
                if (capacity > Integer.MAX_VALUE - 8) {
                    if (size == Integer.MAX_VALUE - 8) {
                        throw tooLarge(Integer.MAX_VALUE - 8); // no array holds it: read it as a stream
                    }
                    capacity = Integer.MAX_VALUE - 8;
                }
                long covered = Math.min(capacity, bodyLimit);
                shared.reserve(covered - reserved);
                reserved = covered;
                bytes = Arrays.copyOf(bytes, (int) capacity);
                bytes[size++] = (byte) next;
            } else {
                int n = in.read(bytes, size, bytes.length - size);
                if (n < 0) {
                    return Arrays.copyOf(bytes, size);
                }
                size += n;
            }
            if (size > bodyLimit) {
                throw tooLarge(bodyLimit);
            }
        }
    }

    /**
     * The body decoded as UTF-8; bytes that are not UTF-8 are a 400, not silently replaced.
     *
     * <p>Like {@link #json(Class)}, it reads the body as characters, so a body with a content coding (RFC 9110
     * §8.4: {@code Content-Encoding: gzip}, or any coding but {@code identity}) is a 415 with {@code
     * Accept-Encoding: identity}, as RFC 7694 §3 answers a coding the server does not decode: this library decodes
     * none. Read as text, a gzip body would be a misleading "not UTF-8", and a plain body labelled {@code br} would
     * be taken as it is, while a proxy or filter in front that decodes it sees another body. tower-http's
     * {@code RequestDecompression} and akka-http's {@code decodeRequest} answer a coding they cannot decode the
     * same way, and Jetty a coded form body it would have to parse (jetty#5285), while its input stream stays raw:
     * here {@link #bodyBytes()} and {@link #bodyStream()} give the bytes as sent, still coded, for a handler that
     * decodes or stores them itself.
     *
     * @return the text
     * @throws AppException with a 400 when the bytes are not UTF-8, a 415 for a content coding, or as {@link
     *     #bodyBytes()} fails
     */
    public String bodyText() {
        requireNoContentCoding();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bodyBytes())).toString();
        } catch (CharacterCodingException e) {
            throw AppError.badRequest("Request body is not valid UTF-8").toException();
        }
    }

    /**
     * The body as a stream, for bodies too large to hold; it fails with 413 past {@link #bodyLimit()}, and with
     * 400 (408 when the client was too slow) when the body cannot be read as its framing says: a broken chunk, a
     * body shorter than its {@code Content-Length}. Can be taken once, and not after {@link #bodyBytes()}.
     *
     * @return a stream of the body bytes, which the caller closes
     * @throws IllegalStateException if the stream was already taken
     * @throws AppException with a 413 at once when the declared {@code Content-Length} is over the limit
     */
    public InputStream bodyStream() {
        if (shared.bytes != null) {
            return new ByteArrayInputStream(shared.bytes);
        }
        if (shared.stream() == null) {
            throw new IllegalStateException("the body stream was already taken");
        }
        checkDeclaredLength(bodyLimit);
        InputStream in = new LimitedInputStream(shared, shared.stream(), bodyLimit);
        shared.stream = null;
        shared.abortOnTimeout();
        return in;
    }

    /**
     * The JSON body as {@code type}; see {@link Json} for the rules and the error statuses.
     *
     * @param <T> the type to bind to
     * @param type the class to bind to, such as a record
     * @return the bound value
     * @throws AppException with 415 when {@code Content-Type} is not JSON or {@code Content-Encoding} names a coding
     *     (see {@link #bodyText()}), 400 when it names two media types or for malformed JSON, 422 when it does not
     *     fit {@code type}, or as {@link #bodyBytes()} fails
     */
    public <T> T json(Class<T> type) {
        requireJsonContentType();
        requireNoContentCoding();
        return Json.read(bodyBytes(), type);
    }

    /**
     * The JSON body as a generic type, such as {@code new TypeReference<List<Item>>() {}}.
     *
     * @param <T> the type to bind to
     * @param type the generic type to bind to
     * @return the bound value
     * @throws AppException with 415 when {@code Content-Type} is not JSON or {@code Content-Encoding} names a coding
     *     (see {@link #bodyText()}), 400 when it names two media types or for malformed JSON, 422 when it does not
     *     fit {@code type}, or as {@link #bodyBytes()} fails
     */
    public <T> T json(TypeReference<T> type) {
        requireJsonContentType();
        requireNoContentCoding();
        return Json.read(bodyBytes(), type);
    }

    /**
     * A 415 for a body with a content coding: any {@code Content-Encoding} element but {@code identity} (RFC 9110
     * §8.4.1; empty elements of the list do not count). See {@link #bodyText()}.
     */
    private void requireNoContentCoding() {
        List<String> values = headers.get("Content-Encoding");
        for (int i = 0; values != null && i < values.size(); i++) {
            for (String coding : values.get(i).split(",")) {
                String name = coding.strip();
                if (!name.isEmpty() && !name.equalsIgnoreCase("identity")) {
                    throw new AppError.UnsupportedMediaType("Request body has a Content-Encoding this server does not"
                            + " decode; send it without one (RFC 7694)", List.of("identity")).toException();
                }
            }
        }
    }

    private void requireJsonContentType() {
        List<String> contentTypes = headers.get("Content-Type");
        String first = null;
        // One media type (RFC 9110 §8.3): a proxy or filter in front that reads another of several values than the
        // first, or splits one line at its comma, would judge a different body than the one bound here.
        for (int i = 0; contentTypes != null && i < contentTypes.size(); i++) {
            String comparable = MediaTypes.comparable(contentTypes.get(i));
            if (comparable == null && contentTypes.get(i).indexOf(',') >= 0) {
                throw AppError.badRequest("Content-Type holds a list; send one media type (RFC 9110 §8.3)")
                        .toException();
            }
            if (comparable == null) {
                // Not a media type at all, whatever its first characters look like: a filter in front may read a
                // different type from it, so it is not taken for JSON either.
                first = null;
                break;
            }
            if (first == null) {
                first = comparable;
            } else if (!comparable.equals(first)) {
                throw AppError.badRequest("Content-Type given twice with different values; send one media type"
                        + " (RFC 9110 §8.3)").toException();
            }
        }
        // Checked on the comparable form: its type and subtype are lower-cased already, with no space before ';'.
        if (first == null || !MediaTypes.isJson(first)) {
            throw new AppError.UnsupportedMediaType(
                    "Expected request with `Content-Type: application/json`").toException();
        }
    }

    /**
     * Makes the body, when read whole, be reserved from {@code memory} first; {@link BodyMemory#release} gives it
     * back. Used by {@link dev.backend.core.middleware.BodyLimit#withMemoryLimit}; the latest budget set before the
     * body is read is the one it is reserved from. The budget belongs to the body, which this request shares with
     * all its copies, so no copy is made: every one of them reserves from {@code memory} from now on.
     *
     * @param memory the budget to reserve the body from
     * @return this request
     */
    public Request withBodyMemory(BodyMemory memory) {
        shared.memory = Objects.requireNonNull(memory, "memory");
        return this;
    }

    void releaseBodyMemory(BodyMemory memory) {
        if (shared.reservedFrom == memory && shared.reserved > 0) {
            memory.give(shared.reserved);
            shared.reserved = 0;
        }
    }

    /** The declared {@code Content-Length} when it is one valid number, else -1. */
    private long declaredLength() {
        List<String> values = headers.get("Content-Length");
        return values != null && values.size() == 1 ? contentLength(values.getFirst()) : -1;
    }

    /**
     * Whether the body could not be read as framed: the connection must close after the answer, since no byte
     * after it can be trusted to start the next request (RFC 9112 §6.3).
     */
    boolean bodyUnreadable() {
        return shared.unreadable;
    }

    /**
     * A {@code Content-Length} that is not exactly one run of digits (RFC 9112 §6.3: {@code 1*DIGIT}), such as
     * {@code +2}, {@code -1} or two values: a smuggling precondition, so the request is refused before its body
     * is read. backend-http refuses these itself; the JDK's provider passes {@code +2} on as a length of 2.
     */
    Optional<AppError> invalidContentLength() {
        List<String> values = headers.get("Content-Length");
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() == 1 && contentLength(values.getFirst()) >= 0) {
            return Optional.empty();
        }
        shared.unreadable = true;
        return Optional.of(AppError.badRequest("Invalid Content-Length: expected one decimal number of bytes"));
    }

    /**
     * A {@code Content-Length} value read by the rule backend-http's parser applies (RFC 9112 §6.3, {@code 1*DIGIT}):
     * any number of leading zeros, then at most 18 significant digits, so it fits a {@code long}. A valid number
     * with more is {@link Long#MAX_VALUE}, over every limit, so it is a 413 like any body too large, not a 400.
     *
     * @return the length; -1 when the value is not one run of digits
     */
    static long contentLength(String value) {
        if (value.isEmpty()) {
            return -1;
        }
        long length = 0;
        int significant = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (significant > 0 || c != '0') {
                significant++;
            }
            if (significant <= 18) {
                length = length * 10 + (c - '0');
            }
        }
        return significant > 18 ? Long.MAX_VALUE : length;
    }

    private void checkDeclaredLength(long limit) {
        if (declaredLength() > limit) {
            throw tooLarge(limit);
        }
    }

    static AppException tooLarge(long limit) {
        return new AppError.PayloadTooLarge("Request body is larger than the limit of " + limit + " bytes")
                .toException();
    }

    @Override
    public String toString() {
        return method + " " + path;
    }

    /** Builds a {@link Request} by hand; see {@link Request#builder(String, String)}. */
    public static final class Builder {
        private static final char[] HEX = "0123456789ABCDEF".toCharArray();
        private final String method;
        private final String path;
        private final String rawQuery;
        private final Headers headers = new Headers();
        private byte[] body = new byte[0];
        private InetSocketAddress remoteAddress;

        private Builder(String method, String target) {
            this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
            Objects.requireNonNull(target, "target");
            if (!target.startsWith("/")) {
                throw new IllegalArgumentException("target must start with '/', was '" + target + "'");
            }
            String encoded = encodeNonAscii(target);
            int q = encoded.indexOf('?');
            this.path = q < 0 ? encoded : encoded.substring(0, q);
            this.rawQuery = q < 0 ? null : encoded.substring(q + 1);
        }

        private static String encodeNonAscii(String target) {
            if (target.chars().allMatch(c -> c < 0x80)) {
                return target;
            }
            StringBuilder out = new StringBuilder(target.length() + 16);
            target.codePoints().forEach(cp -> {
                if (cp < 0x80) {
                    out.append((char) cp);
                } else if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                    throw new IllegalArgumentException("target has a lone surrogate: '" + target + "'");
                } else {
                    for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                        out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                    }
                }
            });
            return out.toString();
        }

        /**
         * Adds a header value.
         *
         * @param name the header name; case-insensitive
         * @param value the value, added after any given before
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /**
         * Sets the body bytes.
         *
         * @param bytes the body; copied
         * @return this builder
         */
        public Builder body(byte[] bytes) {
            this.body = bytes.clone();
            return this;
        }

        /**
         * Sets the body to UTF-8 text.
         *
         * @param text the body, encoded as UTF-8
         * @return this builder
         */
        public Builder body(String text) {
            this.body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * Sets the body to {@code value} as JSON, with {@code Content-Type: application/json}.
         *
         * @param value a value Jackson can write (a record, a map, a list)
         * @return this builder
         */
        public Builder json(Object value) {
            headers.set("Content-Type", Response.JSON);
            this.body = Json.write(value);
            return this;
        }

        /**
         * Sets the client address.
         *
         * @param address the address the request appears to come from
         * @return this builder
         */
        public Builder remoteAddress(InetSocketAddress address) {
            this.remoteAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The request; {@code Content-Length} is set from the body unless given.
         *
         * @return the request
         */
        public Request build() {
            Headers copy = new Headers();
            headers.forEach((name, values) -> copy.put(name, new ArrayList<>(values)));
            if (body.length > 0 && !copy.containsKey("Content-Length")) {
                copy.set("Content-Length", Integer.toString(body.length));
            }
            return new Request(method, path, rawQuery, copy, new Shared(new ByteArrayInputStream(body)), remoteAddress,
                    DEFAULT_BODY_LIMIT, NO_ATTRIBUTES);
        }
    }

    /** Parsing of path and query values; malformed input is a 400, never an exception escaping as 500. */
    static final class Params {
        private Params() {}

        static Map<String, List<String>> parseQuery(String rawQuery) {
            if (rawQuery == null || rawQuery.isEmpty()) {
                return Map.of();
            }
            Map<String, List<String>> params = new LinkedHashMap<>();
            int start = 0;
            while (start <= rawQuery.length()) {
                int end = rawQuery.indexOf('&', start);
                if (end < 0) {
                    end = rawQuery.length();
                }
                if (end > start) {
                    int eq = rawQuery.indexOf('=', start);
                    String name = eq < 0 || eq > end ? rawQuery.substring(start, end) : rawQuery.substring(start, eq);
                    String value = eq < 0 || eq > end ? "" : rawQuery.substring(eq + 1, end);
                    params.computeIfAbsent(Percent.decodeQuery(name), k -> new ArrayList<>(1))
                            .add(Percent.decodeQuery(value));
                }
                start = end + 1;
            }
            params.replaceAll((k, v) -> List.copyOf(v));
            return Collections.unmodifiableMap(params);
        }

        static Optional<Long> parseLong(String s) {
            // Long.parseLong also takes '+' and non-ASCII digits; a client-facing integer is plain ASCII.
            int start = s.startsWith("-") ? 1 : 0;
            if (start == s.length()) {
                return Optional.empty();
            }
            for (int i = start; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return Optional.empty();
                }
            }
            // Leading zeros however many, as Rust's str::parse (axum's Query and Path) takes them; after them at most
            // a long's 19 digits, so the parse below is bounded whatever the length.
            int significant = start;
            while (significant < s.length() - 1 && s.charAt(significant) == '0') {
                significant++;
            }
            if (s.length() - significant > 19) {
                return Optional.empty();
            }
            try {
                return Optional.of(Long.parseLong((start == 1 ? "-" : "") + s.substring(significant)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** Only the canonical 8-4-4-4-12 hex form: {@link UUID#fromString} also accepts "1-1-1-1-1". */
        static Optional<UUID> uuid(String s) {
            if (s.length() != 36) {
                return Optional.empty();
            }
            for (int i = 0; i < 36; i++) {
                char c = s.charAt(i);
                boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
                boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (dash ? c != '-' : !hex) {
                    return Optional.empty();
                }
            }
            return Optional.of(UUID.fromString(s));
        }
    }

    /**
     * What a request and its copies share. The body: whichever copy reads it first, all see the same bytes,
     * and a stream taken by one cannot be read again through another. The route the router matched: set on
     * the copy the router was given, seen by the copies outside it.
     */
    private static final class Shared {
        private InputStream stream;
        private byte[] bytes;
        private String route;
        private String[] paramNames = NONE;
        private String[] paramValues = NONE;
        private boolean unreadable;
        private BodyMemory memory;
        private BodyMemory reservedFrom;
        private long reserved;

        /** The engine's way to end a blocked body read, when it has one; taken from the exchange with the body. */
        private Runnable abortRead;
        /** Where the body comes from until it is first asked for: most requests (a GET) never ask. */
        private HttpExchange exchange;

        Shared(InputStream stream) {
            this.stream = stream;
        }

        Shared(HttpExchange exchange) {
            this.exchange = exchange;
        }

        /** The body stream, or null once taken; from the exchange, it is fetched on the first call. */
        InputStream stream() {
            if (exchange != null) {
                stream = exchange.getRequestBody();
                abortRead = exchange.getAttribute(ABORT_REQUEST_BODY) instanceof Runnable runnable ? runnable : null;
                exchange = null;
            }
            return stream;
        }

        /**
         * Before the body is read: if the request's deadline passes while the read waits for the client, the
         * engine ends the read, so the handler fails at once and the timeout answer reaches the client. The
         * deadline's fallback, interrupting the thread, would close the socket under the read (a blocked socket
         * read on a virtual thread ends that way), and the answer would be lost.
         */
        void abortOnTimeout() {
            RequestDeadline deadline = RequestDeadline.current();
            if (abortRead != null && deadline != null) {
                deadline.onExpiry(abortRead);
            }
        }

        /** Refuses the body before a byte of it is read when the budget could not hold it; see BodyMemory. */
        void checkRoom(long declared, long limit) {
            if (memory != null && declared != 0) {
                memory.checkRoom(declared, Math.min(declared < 0 ? limit : declared, BodyMemory.STEP));
            }
        }

        /** Reserves {@code bytes} more of the body from the budget, if one is set. */
        void reserve(long bytes) {
            if (memory == null || bytes == 0) {
                return;
            }
            if (reservedFrom != null && reservedFrom != memory) {
                throw new IllegalStateException("one body reserved from two budgets");
            }
            memory.reserve(bytes);
            reservedFrom = memory;
            reserved += bytes;
        }

        /**
         * Marks the body unreadable and answers for it: 408 when the engine gave up waiting for it (a {@link
         * java.net.SocketTimeoutException}, as backend-http throws for a body too slow by either deadline), else 400.
         * The client's bytes are at fault, so nothing about the failure but that is said or logged.
         */
        AppException unreadable(IOException failure) {
            unreadable = true;
            if (ErrorLog.interruptedByStop()) {
                // A stop cut the read short (backend-http ends it so the answer can still go out): not the client's
                // bytes at fault.
                return ErrorLog.stopping(failure).toException();
            }
            if (failure instanceof java.net.SocketTimeoutException) {
                // 408, not the 503 of a slow handler: the client was too slow (RFC 9110 §15.5.9).
                return new AppError.Timeout("The request body did not arrive in time", 408).toException();
            }
            return AppError.badRequest("The request body could not be read: its framing is invalid or it ended early")
                    .toException();
        }
    }

    /**
     * Counts body bytes and fails with 413 past the limit, so a chunked body cannot grow without bound; a body
     * that cannot be read as framed fails with the 400 (or 408) of {@link Shared#unreadable}.
     */
    private static final class LimitedInputStream extends InputStream {
        private final Shared shared;
        private final InputStream in;
        private final long limit;
        private long read;

        LimitedInputStream(Shared shared, InputStream in, long limit) {
            this.shared = shared;
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = in.read();
            } catch (IOException e) {
                throw shared.unreadable(e);
            }
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = in.read(buffer, offset, (int) Math.min(length, limit - read + 1));
            } catch (IOException e) {
                throw shared.unreadable(e);
            }
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > limit) {
                throw tooLarge(limit);
            }
        }

        @Override
        public void close() throws IOException {
            // After a framing failure the JDK's provider would drain the rest on close, waiting for bytes that may
            // never come; the connection closes after the answer anyway.
            if (!shared.unreadable) {
                in.close();
            }
        }
    }
}
