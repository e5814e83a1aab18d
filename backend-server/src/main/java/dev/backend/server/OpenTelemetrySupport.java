package dev.backend.server;

import dev.backend.core.Middleware;
import dev.backend.core.middleware.TraceContext;
import java.util.Optional;

/**
 * The optional bridge to an OpenTelemetry tracer, such as the Java agent's: used only when the OpenTelemetry API
 * ({@code io.opentelemetry:opentelemetry-api}) is on the class path, so an application without it loads none of
 * it and pays nothing. With it, each request:
 *
 * <ul>
 *   <li>is logged with the ids of the span the agent opened for it, not ids of the server's own, and answers
 *       with that span in {@code traceparent} (with no agent, or outside a span, the W3C headers decide);
 *   <li>names that span after its route: the agent's {@code com.sun.net.httpserver} instrumentation only knows
 *       the context path {@code /}, so the server sets {@code http.route} to the route template and the span name
 *       to {@code GET /api/v1/users/{id}}.
 * </ul>
 */
final class OpenTelemetrySupport {

    private static final boolean PRESENT = detect();

    private OpenTelemetrySupport() {}

    /** Where requests' trace context comes from: the current span when the API is here, else the W3C headers. */
    static TraceContext.Source traceContext() {
        return PRESENT ? OpenTelemetryBridge.traceContext() : TraceContext.Source.W3C;
    }

    /** The layer naming the current span after the route, when the API is here. */
    static Optional<Middleware> routeNaming() {
        return PRESENT ? Optional.of(OpenTelemetryBridge.routeNaming()) : Optional.empty();
    }

    private static boolean detect() {
        try {
            Class<?> span = Class.forName("io.opentelemetry.api.trace.Span", false,
                    OpenTelemetrySupport.class.getClassLoader());
            // On the module path the API may be present but unread: requires static does not resolve it.
            Module own = OpenTelemetrySupport.class.getModule();
            return !own.isNamed() || own.canRead(span.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
