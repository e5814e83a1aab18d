package dev.backend.core.testing;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.internal.StatusCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Runs requests through a whole pipeline (router and middleware) in process, without a socket, like
 * axum's {@code oneshot}: the fast way to test an application's behaviour.
 *
 * <p>The response is what a client would see from {@link dev.backend.core.HttpAdapter}: failures become
 * error responses, streamed bodies are collected, and {@code HEAD}, 204, 205 and 304 answers have no body.
 * Its headers are the ones the adapter sends: a {@code Content-Length} or {@code Transfer-Encoding} the
 * handler set is dropped, and the framing is derived from the body ({@code Content-Length} when the length
 * is known, {@code Transfer-Encoding: chunked} otherwise, {@code Content-Length: 0} on a 205 (not a
 * {@code HEAD}'s), none on 204 and 304); a {@code HEAD} gets the length its {@code GET} would send. A stream
 * that writes other than the length it declared fails the call, as it would fail the connection.
 *
 * <p>To test an application with exactly the stack and limits a {@code BackendServer} serves (standard
 * middleware, body limit, health endpoints), build the handler with backend-server's {@code
 * BackendServer.Builder.handler(DataSource)}; {@code TestClient.of(router.build())} runs the routes alone,
 * with the body limit of a request no middleware limited ({@link Request#DEFAULT_BODY_LIMIT}).
 *
 * {@snippet :
 * TestClient client = TestClient.of(app);
 * TestResponse created = client.post("/api/v1/users", Map.of("email", "a@example.com", "name", "A"));
 * assertEquals(201, created.status());
 * assertEquals(404, client.get("/api/v1/users/" + UUID.randomUUID()).status());
 * }
 */
public final class TestClient {

    private final Handler app;

    private TestClient(Handler app) {
        this.app = app;
    }

    /**
     * A client for {@code app}, typically {@code router.build()} wrapped in middleware.
     *
     * @param app the handler under test; called on the test's thread, with no socket
     * @return the client
     */
    public static TestClient of(Handler app) {
        return new TestClient(Objects.requireNonNull(app, "app"));
    }

    /**
     * Sends {@code request} and collects the response.
     *
     * @param request the request
     * @return the response with the framing headers a server would send ({@code Content-Length}, or {@code
     *     Transfer-Encoding: chunked} for a body of unknown length) and no body for HEAD, 204, 205 and 304 (RFC
     *     9110 sections 6.4.1, 9.3.2 and 15.3.6)
     * @throws IllegalStateException if the body's length differs from the length the response declared
     */
    public TestResponse send(Request request) {
        Response response = Handler.respond(app, request);
        Response sent = response.withoutHeader("Content-Length").withoutHeader("Transfer-Encoding");
        int status = response.status();
        if (StatusCodes.carriesNoContent(status)) {
            // Both engines frame a 205 with an empty length, as sendResponseHeaders(205, -1) asks (not a HEAD's).
            boolean framed = status == 205 && !request.method().equals("HEAD");
            return new TestResponse(response, framed ? sent.withHeader("Content-Length", "0") : sent, new byte[0]);
        }
        long length = response.body().knownLength();
        if (request.method().equals("HEAD")) {
            return new TestResponse(response, length < 0 ? sent : sent.withHeader("Content-Length", Long.toString(length)),
                    new byte[0]);
        }
        // As on the wire, a stream declared empty is sent without calling its writer.
        byte[] body = length == 0 ? new byte[0] : collect(response.body());
        if (length >= 0 && body.length != length) {
            throw new IllegalStateException(request + ": the response declared " + length + " body bytes and wrote "
                    + body.length + "; over a socket the connection would fail");
        }
        return new TestResponse(response, length < 0 ? sent.withHeader("Transfer-Encoding", "chunked")
                : sent.withHeader("Content-Length", Long.toString(length)), body);
    }

    /**
     * Sends {@code request}, for requests built with headers or a raw body.
     *
     * @param request the builder; built once
     * @return the response, as {@link #send(Request)}
     */
    public TestResponse send(Request.Builder request) {
        return send(request.build());
    }

    /**
     * {@code GET target}.
     *
     * @param target the path and query, starting with {@code /}
     * @return the response
     */
    public TestResponse get(String target) {
        return send(Request.builder("GET", target));
    }

    /**
     * {@code HEAD target}.
     *
     * @param target the path and query, starting with {@code /}
     * @return the response: the GET handler's status and headers, {@code Content-Length} when its length is
     *     known, and no body
     */
    public TestResponse head(String target) {
        return send(Request.builder("HEAD", target));
    }

    /**
     * {@code DELETE target}.
     *
     * @param target the path and query, starting with {@code /}
     * @return the response
     */
    public TestResponse delete(String target) {
        return send(Request.builder("DELETE", target));
    }

    /**
     * {@code POST target} with {@code json} as an {@code application/json} body.
     *
     * @param target the path and query, starting with {@code /}
     * @param json a value Jackson can write
     * @return the response
     */
    public TestResponse post(String target, Object json) {
        return send(Request.builder("POST", target).json(json));
    }

    /**
     * {@code PUT target} with {@code json} as an {@code application/json} body.
     *
     * @param target the path and query, starting with {@code /}
     * @param json a value Jackson can write
     * @return the response
     */
    public TestResponse put(String target, Object json) {
        return send(Request.builder("PUT", target).json(json));
    }

    /**
     * {@code PATCH target} with {@code json} as an {@code application/json} body.
     *
     * @param target the path and query, starting with {@code /}
     * @param json a value Jackson can write
     * @return the response
     */
    public TestResponse patch(String target, Object json) {
        return send(Request.builder("PATCH", target).json(json));
    }

    private static byte[] collect(Response.Body body) {
        return switch (body) {
            case Response.Body.Empty e -> new byte[0];
            case Response.Body.Bytes b -> b.bytes();
            case Response.Body.Stream s -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    s.writer().writeTo(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield out.toByteArray();
            }
        };
    }
}
