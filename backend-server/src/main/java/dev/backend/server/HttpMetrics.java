package dev.backend.server;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP server metrics with the names and tags Micrometer and Prometheus users know from Spring Boot (its {@code
 * DefaultServerRequestObservationConvention}):
 *
 * <ul>
 *   <li>{@value #REQUESTS} (Prometheus {@code http_server_requests_seconds_bucket}, {@code _count}, {@code _sum},
 *       {@code _max}): one timer per {@code method}, {@code uri}, {@code status}, {@code outcome} and {@code
 *       exception}. {@code uri} is the route template ({@link Request#route()}, such as {@code
 *       /api/v1/users/{id}}), never the raw path, so the number of series stays bounded: a request no route
 *       matched is {@code NOT_FOUND} when answered 404, {@code REDIRECTION} when answered 3xx and {@code
 *       UNKNOWN} otherwise (a 405, or a request refused before routing). A method outside RFC 9110's and
 *       PATCH is {@code UNKNOWN}; {@code exception} is the simple class name of the failure behind a 500, else
 *       {@code none}. The buckets are OpenTelemetry's for HTTP durations, 5 ms to 10 s.
 *   <li>{@value #ACTIVE}: requests inside this layer now.
 *   <li>{@value #REJECTED} (Prometheus {@code http_server_requests_rejected_total}) by {@code reason}: {@code
 *       load_shed} (answered 503 by {@code ConcurrencyLimit}, {@code MAX_IN_FLIGHT}), {@code timeout} ({@code
 *       REQUEST_TIMEOUT}), {@code body_limit} (413, {@code BODY_LIMIT}). They are also in {@value #REQUESTS}; this
 *       counter tells them apart from a failing dependency's 503 or a handler's own answer.
 * </ul>
 *
 * <p>The refusals are read from the response's {@link AppError} variant ({@link AppError.Overloaded}, {@link
 * AppError.Timeout}, {@link AppError.PayloadTooLarge}), so backend-core knows nothing of metrics. Place this
 * layer outside those middleware (the standard stack puts it right inside {@code Trace}). The time measured is
 * the time to produce the response, as in the access log; a streamed body is written after it.
 *
 * {@snippet :
 * Handler app = StandardMiddleware.from(config.http(), HttpMetrics.of(registry)).wrap(router.build());
 * }
 */
public final class HttpMetrics implements Middleware {

    /** The request timer's name: {@value}. */
    public static final String REQUESTS = "http.server.requests";
    /** The in-flight gauge's name: {@value}. */
    public static final String ACTIVE = "http.server.requests.active";
    /** The refusal counter's name: {@value}. */
    public static final String REJECTED = "http.server.requests.rejected";

    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(75), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofMillis(750), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofMillis(7500), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    /** Timers by their tags: looking one up in the registry builds and sorts tags, which costs more than this. */
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Counter shed;
    private final Counter timedOut;
    private final Counter tooLarge;

    private HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(ACTIVE, active, AtomicInteger::get)
                .description("HTTP requests being answered now")
                .register(registry);
        this.shed = rejected("load_shed");
        this.timedOut = rejected("timeout");
        this.tooLarge = rejected("body_limit");
    }

    /**
     * The metrics, registered on {@code registry}.
     *
     * @param registry where the meters go; the server's own registry, or the application's
     * @return the metrics, ready to give to {@link StandardMiddleware#from(Config.Http, HttpMetrics)}
     */
    public static HttpMetrics of(MeterRegistry registry) {
        return new HttpMetrics(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            long start = System.nanoTime();
            active.incrementAndGet();
            Response response = null;
            Throwable failure = null;
            try {
                response = next.handle(request);
                return response;
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                active.decrementAndGet();
                record(request, response, failure, System.nanoTime() - start);
            }
        };
    }

    private void record(Request request, Response response, Throwable failure, long nanos) {
        int status = response != null ? response.status() : 500;
        String exception = "none";
        if (failure != null) {
            exception = simpleName(failure);
        } else if (response != null && response.error().isPresent()) {
            switch (response.error().get()) {
                case AppError.Internal e -> exception = simpleName(e.cause());
                case AppError.Database e -> exception = simpleName(e.cause());
                case AppError.Overloaded e -> shed.increment();
                case AppError.Timeout e -> timedOut.increment();
                case AppError.PayloadTooLarge e -> tooLarge.increment();
                default -> { }
            }
        }
        String method = METHODS.contains(request.method()) ? request.method() : "UNKNOWN";
        Key key = new Key(uri(request, status), method, status, exception);
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, this::timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static String uri(Request request, int status) {
        String route = request.route().orElse(null);
        if (route != null) {
            return route;
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        return status == 404 ? "NOT_FOUND" : "UNKNOWN";
    }

    private Timer timer(Key key) {
        return Timer.builder(REQUESTS)
                .description("HTTP requests answered, by route template")
                .tag("method", key.method())
                .tag("uri", key.uri())
                .tag("status", Integer.toString(key.status()))
                .tag("outcome", outcome(key.status()))
                .tag("exception", key.exception())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    private Counter rejected(String reason) {
        return Counter.builder(REJECTED)
                .description("HTTP requests refused by a limit of the server, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    /** Spring's outcome names for a status class. */
    static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    private static String simpleName(Throwable failure) {
        String name = failure.getClass().getSimpleName();
        return name.isEmpty() ? failure.getClass().getName() : name;
    }

    private record Key(String uri, String method, int status, String exception) {}
}
