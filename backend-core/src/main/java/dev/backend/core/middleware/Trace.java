package dev.backend.core.middleware;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Gives every request an id and writes one access-log line per request, like tower-http's {@code
 * TraceLayer} with a request-id layer.
 *
 * <ul>
 *   <li>The id is the client's {@code X-Request-Id} when it is sane (1 to {@value #MAX_ID_LENGTH}
 *       characters of letters, digits and {@code - _ . : + / = @}), so a proxy's id carries through;
 *       otherwise a random UUID. Anything else could forge or break log lines, so it is replaced.
 *   <li>The id is echoed in the response's {@code X-Request-Id} and is in the slf4j {@link MDC} under
 *       {@value #MDC_KEY} for every log line written while the request is handled, including errors
 *       that {@code AppError} logs and lines written while a streamed body is produced.
 *   <li>The access line goes to the logger {@value #ACCESS_LOGGER} at INFO, after the response is ready:
 *       {@code method=GET path=/api/v1/users status=200 bytes=1234 latency_ms=0.512}. The path has no
 *       query string (it may carry tokens); {@code bytes} is {@code -} for a streamed body of unknown
 *       length; the latency is the time to produce the response.
 * </ul>
 *
 * <p>Place it outermost, so the 503, 408 and 413 answers of the other middleware are logged and carry
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
        public Config {
            Objects.requireNonNull(header, "header");
            if (!HttpText.isToken(header)) {
                throw new IllegalArgumentException("header: '" + header + "' is not a valid header name");
            }
        }

        /** {@code X-Request-Id}, access log on. */
        public static Config defaults() {
            return new Config("X-Request-Id", true);
        }

        /** A copy using another header for the id. */
        public Config withHeader(String header) {
            return new Config(header, accessLog);
        }

        /** A copy with the access log on or off. */
        public Config withAccessLog(boolean accessLog) {
            return new Config(header, accessLog);
        }
    }

    private final String header;
    private final boolean accessLog;

    private Trace(Config config) {
        this.header = config.header();
        this.accessLog = config.accessLog();
    }

    /** Trace with {@link Config#defaults()}. */
    public static Trace create() {
        return of(Config.defaults());
    }

    /** Trace with these settings. */
    public static Trace of(Config config) {
        return new Trace(Objects.requireNonNull(config, "config"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            long start = System.nanoTime();
            String id = requestId(request.header(header).orElse(null));
            String outer = MDC.get(MDC_KEY);
            MDC.put(MDC_KEY, id);
            try {
                // Converted here, inside the scope, so an error logged on the way carries the id.
                Response response = Handler.respond(next, request).withHeader(header, id);
                if (response.body() instanceof Response.Body.Stream stream) {
                    response = response.withBody(response.header("Content-Type").orElse("application/octet-stream"),
                            new Response.Body.Stream(stream.length(), inScope(id, stream.writer())));
                }
                if (accessLog && ACCESS.isInfoEnabled()) {
                    ACCESS.info(line(request, response, System.nanoTime() - start));
                }
                return response;
            } finally {
                restore(outer);
            }
        };
    }

    /** {@code candidate} if it is a sane id, else a new random one. */
    static String requestId(String candidate) {
        return candidate != null && isSane(candidate) ? candidate : newId();
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

    private static Response.BodyWriter inScope(String id, Response.BodyWriter writer) {
        return out -> {
            String outer = MDC.get(MDC_KEY);
            MDC.put(MDC_KEY, id);
            try {
                writer.writeTo(out);
            } finally {
                restore(outer);
            }
        };
    }

    private static void restore(String outer) {
        if (outer == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, outer);
        }
    }

    private static String line(Request request, Response response, long nanos) {
        String path = request.path();
        StringBuilder line = new StringBuilder(96 + Math.min(path.length(), MAX_LOGGED_PATH));
        line.append("method=").append(request.method()).append(" path=");
        if (path.length() > MAX_LOGGED_PATH) {
            line.append(path, 0, MAX_LOGGED_PATH).append("...");
        } else {
            line.append(path);
        }
        line.append(" status=").append(response.status()).append(" bytes=");
        int status = response.status();
        long bytes = request.method().equals("HEAD") || status < 200 || status == 204 || status == 304
                ? 0 : response.body().knownLength();
        if (bytes < 0) {
            line.append('-');
        } else {
            line.append(bytes);
        }
        long micros = nanos / 1000;
        line.append(" latency_ms=").append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            line.append(fraction < 10 ? "00" : "0");
        }
        return line.append(fraction).toString();
    }
}
