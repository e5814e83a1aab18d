package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The request metrics in process, for what a socket cannot send or the stack would not let through. */
class HttpMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private long count(String method, String uri, String status, String exception) {
        return registry.get(HttpMetrics.REQUESTS).tags("method", method, "uri", uri, "status", status, "exception",
                exception).timer().count();
    }

    @Test
    void aMethodOutsideTheStandardOnesIsOneTagValueWhateverClientsSend() throws Exception {
        Handler app = HttpMetrics.of(registry).wrap(Router.create().route("PURGE", "/cache", r -> Response.noContent())
                .route("BREW", "/pot", r -> Response.status(418)).build());

        app.handle(Request.builder("PURGE", "/cache").build());
        app.handle(Request.builder("BREW", "/pot").build());

        assertEquals(1, count("UNKNOWN", "/cache", "204", "none"));
        assertEquals(1, count("UNKNOWN", "/pot", "418", "none"));
    }

    @Test
    void aFailureThatEscapesIsCountedAsA500NamingItAndRethrown() {
        Handler app = HttpMetrics.of(registry).wrap(request -> {
            throw new UnsupportedOperationException("escaped");
        });

        assertThrows(UnsupportedOperationException.class, () -> app.handle(Request.builder("GET", "/x").build()));

        assertEquals(1, count("GET", "UNKNOWN", "500", "UnsupportedOperationException"));
        assertEquals(0, registry.get(HttpMetrics.ACTIVE).gauge().value());
    }

    @Test
    void theRefusalCountersStartAtZeroSoDashboardsSeeThemBeforeTheFirstRefusal() {
        HttpMetrics.of(registry);

        for (String reason : new String[] {"load_shed", "timeout", "body_limit"}) {
            assertEquals(0, registry.get(HttpMetrics.REJECTED).tag("reason", reason).counter().count(), reason);
        }
    }
}
