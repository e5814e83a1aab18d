package dev.backend.core.middleware;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.internal.HttpTokens;
import dev.backend.core.internal.StatusCodes;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Gives every request an id and a W3C trace context, and writes one access-log line per request, like
 * tower-http's {@code TraceLayer} with a request-id layer.
 *
 * <ul>
 *   <li>The id is the client's {@code X-Request-Id} when it is sane (1 to {@value #MAX_ID_LENGTH}
 *       characters of letters, digits and {@code - _ . : + / = @}) and came once, so a proxy's id carries
 *       through; otherwise a random UUID. Anything else could forge or break log lines, and two are ambiguous,
 *       so it is replaced.
 *   <li>The id is echoed in the response's {@code X-Request-Id} and is in the slf4j {@link MDC} under
 *       {@value #MDC_KEY} for every log line written while the request is handled, including errors
 *       that {@code AppError} logs and lines written while a streamed body is produced.
 *   <li>The trace context ({@link TraceContext}) continues the caller's {@code traceparent} and {@code
 *       tracestate}, or starts a new trace when there is none or it is malformed. Its ids are in the MDC under
 *       {@value #TRACE_ID_MDC_KEY} and {@value #SPAN_ID_MDC_KEY}, the context is the request attribute {@link
 *       TraceContext#KEY}, and the response's {@code traceparent} names this request's span, so a caller can
 *       find its logs and traces. A tracer of its own (the OpenTelemetry agent) can supply the context instead,
 *       through {@link #of(Config, TraceContext.Source)}.
 *   <li>The access line goes to the logger {@value #ACCESS_LOGGER} at INFO, after the response is ready:
 *       {@code method=GET path=/api/v1/users status=200 bytes=1234 latency_ms=0.512}. The path has no
 *       query string (it may carry tokens); {@code bytes} is {@code -} for a streamed body of unknown
 *       length; the latency is the time to produce the response.
 * </ul>
 *
 * <p>Place it outermost, so the 503 and 413 answers of the other middleware are logged and carry
 * the id too. Failures below it are turned into error responses inside the request's scope.
 *
 * {@snippet :
 * Middleware trace = Trace.create();                                           // defaults
 * Middleware quiet = Trace.of(Trace.Config.defaults().withAccessLog(false));  // ids only
 * }
 */
public final class Trace implements Middleware {

    /** The MDC key of the current request's id: {@value}. */
    public static final String MDC_KEY = "request_id";
    /** The MDC key of the current request's trace id, 32 hex digits: {@value}. */
    public static final String TRACE_ID_MDC_KEY = "trace_id";
    /** The MDC key of the current request's span id, 16 hex digits: {@value}. */
    public static final String SPAN_ID_MDC_KEY = "span_id";
    /** The response header naming the request's trace and span: {@value}. */
    public static final String TRACEPARENT = "traceparent";
    /** The logger name of the access log: {@value}; set its level to WARN to silence it. */
    public static final String ACCESS_LOGGER = "dev.backend.access";
    /** The longest client-supplied id accepted: {@value}. */
    public static final int MAX_ID_LENGTH = 128;

    private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);
    private static final int MAX_LOGGED_PATH = 256;

    /**
     * Trace settings.
     *
     * @param header the request and response header carrying the id, {@code X-Request-Id} by default
     * @param accessLog whether to write the access-log line; ids and the MDC work either way
     */
    public record Config(String header, boolean accessLog) {
        /**
         * Checks the header name.
         *
         * @throws NullPointerException if {@code header} is null
         * @throws IllegalArgumentException if {@code header} is not a header name (a token, RFC 9110 section 5.6.2),
         *     or names a field whose meaning a standard defines, which the id would overwrite in every response:
         *     every field of RFC 9110, RFC 9111 and RFC 9112 ({@code Connection}, {@code Content-Length}, {@code
         *     Content-Type}, {@code Content-Encoding}, {@code Date}, {@code Location}, {@code Authorization}, {@code
         *     Vary}, {@code Cache-Control}, {@code ETag}, {@code Accept}, {@code Range}, ...), cookies, {@code
         *     Origin}, {@code Access-Control-*}, {@code Sec-*}, {@code Link}, {@code Content-Disposition}, {@code
         *     Forwarded}, {@code tracestate} and the security headers. The message names the standard.
         *     {@code traceparent} is allowed: the response's is then the trace context's
         */
        public Config {
            Objects.requireNonNull(header, "header");
            if (!HttpTokens.isToken(header)) {
                throw new IllegalArgumentException("header: '" + header + "' is not a valid header name");
            }
            ReservedFields.reason(header).ifPresent(reason -> {
                throw new IllegalArgumentException("header: '" + header + "' cannot carry the request id: " + reason
                        + "; the id would replace it in every response and be read from it in every request. Use a"
                        + " field of its own, such as X-Request-Id");
            });
        }

        /**
         * {@code X-Request-Id}, access log on.
         *
         * @return the settings
         */
        public static Config defaults() {
            return new Config("X-Request-Id", true);
        }

        /**
         * A copy using another header for the id.
         *
         * @param header the header carrying the id, in requests and responses
         * @return the copy
         * @throws IllegalArgumentException if {@code header} is not a header name, or names a field a standard
         *     defines (see {@link Config#Config})
         */
        public Config withHeader(String header) {
            return new Config(header, accessLog);
        }

        /**
         * A copy with the access log on or off.
         *
         * @param accessLog whether to write the access-log line
         * @return the copy
         */
        public Config withAccessLog(boolean accessLog) {
            return new Config(header, accessLog);
        }
    }

    private final String header;
    private final boolean accessLog;
    private final TraceContext.Source traceContext;
    /** Whether the id's header and traceparent can be added in one copy: not when they are the same header. */
    private final boolean addBothAtOnce;

    private Trace(Config config, TraceContext.Source traceContext) {
        this.header = config.header();
        this.accessLog = config.accessLog();
        this.traceContext = traceContext;
        this.addBothAtOnce = !header.equalsIgnoreCase(TRACEPARENT);
    }

    /**
     * Trace with {@link Config#defaults()}.
     *
     * @return the middleware
     */
    public static Trace create() {
        return of(Config.defaults());
    }

    /**
     * Trace with these settings; the trace context comes from the request's headers ({@link TraceContext.Source#W3C}).
     *
     * @param config the header and access-log settings
     * @return the middleware
     */
    public static Trace of(Config config) {
        return of(config, TraceContext.Source.W3C);
    }

    /**
     * Trace with these settings, taking each request's trace context from {@code traceContext}.
     *
     * @param config the header and access-log settings
     * @param traceContext where each request's trace id and parent span come from
     * @return the middleware
     */
    public static Trace of(Config config, TraceContext.Source traceContext) {
        return new Trace(Objects.requireNonNull(config, "config"), Objects.requireNonNull(traceContext, "traceContext"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            long start = accessLog ? System.nanoTime() : 0; // read by the access line only
            String id = requestId(request.headers(header));
            TraceContext context = traceContext.start(request);
            Scope outer = Scope.enter(id, context);
            try {
                // Converted here, inside the scope, so an error logged on the way carries the ids.
                Response answered = Handler.respond(next, request.withAttribute(TraceContext.KEY, context));
                // Most answers carry neither header yet: both are added in one copy of the headers (unless the id's
                // header is traceparent itself, whose one value is then the trace context's).
                Response response = addBothAtOnce && answered.header(header).isEmpty()
                        && answered.header(TRACEPARENT).isEmpty()
                        ? answered.withAddedHeaders(header, id, TRACEPARENT, context.traceparent())
                        : answered.withHeader(header, id).withHeader(TRACEPARENT, context.traceparent());
                response = StreamedBodies.wrapWriter(response, writer -> inScope(id, context, writer));
                if (accessLog && ACCESS.isInfoEnabled()) {
                    ACCESS.info(line(request, response, System.nanoTime() - start));
                }
                return response;
            } finally {
                outer.restore();
            }
        };
    }

    /**
     * The client's id if exactly one came and it is sane, else a new random one. Two ids are ambiguous (two proxies
     * each added one, or a client forged one in front of the proxy's), so neither is trusted, as with two {@code
     * traceparent} headers.
     */
    static String requestId(List<String> candidates) {
        return candidates.size() == 1 && isSane(candidates.getFirst()) ? candidates.getFirst() : newId();
    }

    static boolean isSane(String id) {
        int length = id.length();
        if (length == 0 || length > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A version-4 UUID from {@link ThreadLocalRandom}: unique enough for ids, without SecureRandom's lock. */
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static Response.BodyWriter inScope(String id, TraceContext context, Response.BodyWriter writer) {
        return out -> {
            Scope outer = Scope.enter(id, context);
            try {
                writer.writeTo(out);
            } finally {
                outer.restore();
            }
        };
    }

    /** The MDC values a request's scope replaced, put back when it ends (an outer request's, or none). */
    private record Scope(String requestId, String traceId, String spanId) {
        /** The outer scope of almost every request, none of the keys set: shared, so such a request allocates none. */
        private static final Scope NONE = new Scope(null, null, null);

        static Scope enter(String id, TraceContext context) {
            String requestId = MDC.get(MDC_KEY);
            String traceId = MDC.get(TRACE_ID_MDC_KEY);
            String spanId = MDC.get(SPAN_ID_MDC_KEY);
            Scope outer = requestId == null && traceId == null && spanId == null
                    ? NONE : new Scope(requestId, traceId, spanId);
            MDC.put(MDC_KEY, id);
            MDC.put(TRACE_ID_MDC_KEY, context.traceId());
            MDC.put(SPAN_ID_MDC_KEY, context.spanId());
            return outer;
        }

        void restore() {
            restore(MDC_KEY, requestId);
            restore(TRACE_ID_MDC_KEY, traceId);
            restore(SPAN_ID_MDC_KEY, spanId);
        }

        private static void restore(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }

    /**
     * The access line, such as {@code method=GET path=/json status=200 bytes=27 latency_ms=0.012}: one string
     * concatenation, which sizes the line before writing it, where a builder was sized by guess and then copied.
     */
    static String line(Request request, Response response, long nanos) {
        String path = request.path();
        if (path.length() > MAX_LOGGED_PATH) {
            path = path.substring(0, MAX_LOGGED_PATH) + "...";
        }
        int status = response.status();
        long bytes = request.method().equals("HEAD") || StatusCodes.carriesNoContent(status)
                ? 0 : response.body().knownLength();
        long micros = nanos / 1000;
        long fraction = micros % 1000;
        String zeros = fraction < 10 ? "00" : fraction < 100 ? "0" : "";
        return "method=" + request.method() + " path=" + path + " status=" + status
                + " bytes=" + (bytes < 0 ? "-" : Long.toString(bytes))
                + " latency_ms=" + micros / 1000 + "." + zeros + fraction;
    }
}
