package dev.backend.server;

import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.middleware.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import java.util.Set;

/** The OpenTelemetry API calls of {@link OpenTelemetrySupport}; loaded only once the API is known to be present. */
final class OpenTelemetryBridge {

    /** The methods a span name may carry, as OpenTelemetry's HTTP conventions list them; others are {@code HTTP}. */
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private OpenTelemetryBridge() {}

    static TraceContext.Source traceContext() {
        return request -> {
            SpanContext span = Span.current().getSpanContext();
            if (!span.isValid()) {
                return TraceContext.Source.W3C.start(request);
            }
            try {
                return new TraceContext(span.getTraceId(), span.getSpanId(), span.isSampled(),
                        traceState(span.getTraceState()));
            } catch (IllegalArgumentException lenientTracer) {
                // A tracer may keep a tracestate entry the W3C rules refuse; the ids are what logs need.
                return new TraceContext(span.getTraceId(), span.getSpanId(), span.isSampled(), "");
            }
        };
    }

    static Middleware routeNaming() {
        return next -> request -> {
            Response response = next.handle(request);
            String route = request.route().orElse(null);
            if (route != null) {
                Span span = Span.current();
                if (span.getSpanContext().isValid()) {
                    span.setAttribute("http.route", route);
                    span.updateName((METHODS.contains(request.method()) ? request.method() : "HTTP") + " " + route);
                }
            }
            return response;
        };
    }

    private static String traceState(TraceState state) {
        if (state.isEmpty()) {
            return "";
        }
        StringBuilder joined = new StringBuilder();
        state.forEach((key, value) -> {
            if (!joined.isEmpty()) {
                joined.append(',');
            }
            joined.append(key).append('=').append(value);
        });
        return joined.toString();
    }
}
