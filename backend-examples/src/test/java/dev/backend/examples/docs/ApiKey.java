package dev.backend.examples.docs;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import java.util.Set;

// docs/middleware.md's smallest middleware of one's own; the api-key example is the full one.
// tag::api-key[]
final class ApiKey implements Middleware {
    private final Set<String> keys;

    ApiKey(Set<String> keys) {
        this.keys = Set.copyOf(keys);
    }

    @Override
    public Handler wrap(Handler next) {
        return request -> request.header("X-Api-Key").filter(keys::contains).isPresent()
                ? next.handle(request)
                : AppError.unauthorized("Missing or unknown API key", "ApiKey header=\"X-Api-Key\"").toResponse();
    }
}
// end::api-key[]
