package dev.backend.examples.docs;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.middleware.BodyLimit;
import dev.backend.core.middleware.CatchPanic;
import dev.backend.core.middleware.Compression;
import dev.backend.core.middleware.ConcurrencyLimit;
import dev.backend.core.middleware.Cors;
import dev.backend.core.middleware.SecurityHeaders;
import dev.backend.core.middleware.Timeout;
import dev.backend.core.middleware.Trace;
import dev.backend.server.BackendServer;
import java.time.Duration;
import java.util.Set;

/** The snippets of docs/middleware.md. */
final class MiddlewareSnippets {

    private MiddlewareSnippets() {}

    static Handler standardStackOnCoreAlone(Router router) {
        // tag::core-stack[]
        Handler app = Middleware.stack(
                Trace.create(),
                SecurityHeaders.create(),
                Cors.of(Cors.Config.origins("https://app.example.com").withCredentials(true)),
                CatchPanic.create(),
                ConcurrencyLimit.of(1024),
                Timeout.of(Duration.ofSeconds(30)),
                BodyLimit.of(10L * 1024 * 1024),
                Compression.create())
                .wrap(router.build());
        // end::core-stack[]
        return app;
    }

    static void serveBehindTheKey(Set<String> keys) {
        // tag::api-key-server[]
        BackendServer.builder()
                .middleware(new ApiKey(keys))             // runs inside the standard stack, around the routes
                .routes(dataSource -> Router.create().get("/api/hello", request -> Response.text("Hello")))
                .start();
        // end::api-key-server[]
    }
}
