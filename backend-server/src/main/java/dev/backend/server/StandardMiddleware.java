package dev.backend.server;

import dev.backend.core.Middleware;
import dev.backend.core.middleware.BodyLimit;
import dev.backend.core.middleware.CatchPanic;
import dev.backend.core.middleware.Compression;
import dev.backend.core.middleware.ConcurrencyLimit;
import dev.backend.core.middleware.Cors;
import dev.backend.core.middleware.SecurityHeaders;
import dev.backend.core.middleware.Timeout;
import dev.backend.core.middleware.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The middleware {@link BackendServer} puts around every application, built from {@link Config.Http}; public
 * so an application served some other way (a benchmark, a test) can run the same stack.
 *
 * <p>Outermost first, and why in this order:
 *
 * <ol>
 *   <li>{@link Trace}: sees every request first and every answer last, so the access log, the request id and
 *       the trace context cover the rejections of the layers below, and every log line below carries the ids.
 *       With the OpenTelemetry API on the class path, the context is the current span's (the Java agent's).
 *   <li>{@link HttpMetrics} (when given): times every answer below, and counts the refusals of the limits.
 *   <li>{@link SecurityHeaders}: on every answer, rejections included.
 *   <li>{@link Cors} (when {@code CORS_ORIGINS} is set): answers preflights before any limit, and puts the
 *       CORS headers on the 503, 413 and 500 answers below, which a browser could not read otherwise.
 *   <li>{@link CatchPanic}: a failure anywhere below becomes a logged 500 that still gets the headers above.
 *   <li>{@link ConcurrencyLimit} ({@code MAX_IN_FLIGHT}): sheds excess load before any work is done: no
 *       timer scheduled, no body read.
 *   <li>{@link Timeout} ({@code REQUEST_TIMEOUT}, answered with {@code REQUEST_TIMEOUT_STATUS}): the deadline
 *       covers reading the body and the handler.
 *   <li>{@link BodyLimit} ({@code BODY_LIMIT}, {@code BODY_MEMORY_LIMIT}): set before the handler reads the body.
 *   <li>{@link Compression} (unless {@code COMPRESSION=false}): compresses what the application produced.
 * </ol>
 *
 * Application middleware given to {@link BackendServer.Builder#middleware} runs inside all of these.
 *
 * {@snippet :
 * Handler app = StandardMiddleware.from(Config.defaults().http()).wrap(router.build());
 * }
 */
public final class StandardMiddleware {

    private StandardMiddleware() {}

    /**
     * The standard stack for these settings, without metrics; layers that are turned off are left out.
     *
     * @param http the listener settings: which layers are on, and their limits
     * @return the stack as one middleware; {@code wrap} it around the application's handler
     */
    public static Middleware from(Config.Http http) {
        return from(http, Optional.empty());
    }

    /**
     * The standard stack for these settings with {@code metrics} right inside {@link Trace}.
     *
     * @param http the listener settings: which layers are on, and their limits
     * @param metrics the HTTP meters, recorded for every request the layers inside {@link Trace} see
     * @return the stack as one middleware; {@code wrap} it around the application's handler
     */
    public static Middleware from(Config.Http http, HttpMetrics metrics) {
        return from(http, Optional.of(metrics));
    }

    private static Middleware from(Config.Http http, Optional<HttpMetrics> metrics) {
        Objects.requireNonNull(http, "http");
        List<Middleware> layers = new ArrayList<>();
        layers.add(Trace.of(http.trace(), OpenTelemetrySupport.traceContext()));
        metrics.ifPresent(layers::add);
        if (!http.securityHeaders().isNone()) {
            layers.add(SecurityHeaders.of(http.securityHeaders()));
        }
        http.cors().ifPresent(cors -> layers.add(Cors.of(cors)));
        layers.add(CatchPanic.create());
        layers.add(ConcurrencyLimit.of(http.maxInFlight()));
        layers.add(Timeout.of(http.requestTimeout()).withStatus(http.requestTimeoutStatus()));
        layers.add(BodyLimit.of(http.bodyLimit()).withMemoryLimit(http.bodyMemoryLimit()));
        http.compression().ifPresent(compression -> layers.add(Compression.of(compression)));
        return Middleware.stack(layers);
    }
}
