package dev.backend.examples.apikey;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.examples.hello.Hello;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Custom middleware: an API-key check and a per-client rate limit, each a plain {@link Middleware}. The
 * check hands the client's name to the limiter and the handler as a typed request attribute ({@link
 * ApiKeyAuth#CLIENT}).
 *
 * <p>Run with: {@code backend-examples/run api-key}, then
 * {@code curl -H 'X-Api-Key: demo-key-alice' localhost:8080/api/hello} ({@code {"message":"Hello, alice"}};
 * more than 5 quick calls get 429).
 */
public final class ApiKeyExample {

    private ApiKeyExample() {}

    /** Routes behind the key check (outermost: unknown callers never reach the limiter) and the limit. */
    public static Handler app(Map<String, String> keysByClient, double perSecond, int burst) {
        Router api = Router.create().get("/api/hello", ApiKeyExample::hello);
        return Middleware.stack(
                        new ApiKeyAuth(keysByClient),
                        new RateLimit(perSecond, burst, request -> request.attribute(ApiKeyAuth.CLIENT)))
                .wrap(api.build());
    }

    /** Greets the client by name: the key check already found out who is calling. */
    static Response hello(Request request) {
        String client = request.attribute(ApiKeyAuth.CLIENT).orElseThrow();
        return Response.json(Map.of("message", "Hello, " + client));
    }

    /**
     * Serves the example on {@code PORT} (8080 by default, read as {@link Hello#port}) with two demo keys, 1 request
     * a second in bursts of 5; a {@code PORT} that is not a port is one line saying so, and exit code 2; a port
     * already in use is one line naming it and {@code PORT}, and exit code 1.
     */
    public static void main(String[] args) throws IOException {
        Handler app = app(Map.of("alice", "demo-key-alice", "bob", "demo-key-bob"), 1, 5);
        int port;
        try {
            port = Hello.port(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(Hello.INVALID_CONFIGURATION);
            return;
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (BindException e) {
            System.err.println(Hello.portInUse(port));
            System.exit(1);
            return;
        }
        server.createContext("/", HttpAdapter.of(app));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }
}
