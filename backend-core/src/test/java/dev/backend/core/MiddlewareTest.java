package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.testing.TestClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiddlewareTest {

    private static Middleware recording(String name, List<String> events) {
        return next -> request -> {
            events.add(name + " in");
            Response response = next.handle(request);
            events.add(name + " out");
            return response;
        };
    }

    @Test
    void stackRunsTheFirstMiddlewareOutermost() {
        List<String> events = new ArrayList<>();
        Handler app = Middleware.stack(recording("a", events), recording("b", events), recording("c", events))
                .wrap(r -> {
                    events.add("handler");
                    return Response.noContent();
                });

        TestClient.of(app).get("/");

        assertEquals(List.of("a in", "b in", "c in", "handler", "c out", "b out", "a out"), events);
    }

    @Test
    void andThenPutsTheReceiverOutside() {
        List<String> events = new ArrayList<>();
        Handler app = recording("outer", events).andThen(recording("inner", events)).wrap(r -> Response.noContent());

        TestClient.of(app).get("/");

        assertEquals(List.of("outer in", "inner in", "inner out", "outer out"), events);
    }

    @Test
    void emptyStackLeavesTheHandlerAlone() {
        Handler handler = r -> Response.noContent();

        assertEquals(handler, Middleware.stack().wrap(handler));
    }

    @Test
    void beforeCanRejectWithAnErrorResponse() {
        Middleware apiKey = Middleware.before(request -> {
            if (request.header("X-Api-Key").isEmpty()) {
                throw AppError.unauthorized("Missing API key").toException();
            }
            return request;
        });
        TestClient client = TestClient.of(apiKey.wrap(r -> Response.text("secret")));

        assertEquals(401, client.get("/").status());
        assertEquals("secret", client.send(Request.builder("GET", "/").header("X-Api-Key", "k")).text());
    }

    @Test
    void afterRewritesEveryResponse() {
        Middleware tag = Middleware.after((request, response) -> response.withHeader("X-Path", request.path()));
        TestClient client = TestClient.of(tag.wrap(Router.create().build()));

        assertEquals("/missing", client.get("/missing").header("X-Path").orElseThrow());
    }
}
