package dev.backend.examples.bench;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Json;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.http.BackendHttp;
import dev.backend.http.HttpServerOptions;
import dev.backend.server.Config;
import dev.backend.server.StandardMiddleware;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The server {@code bench/pipeline.sh} drives with wrk: {@code GET /json} answered either by a raw {@link
 * HttpHandler}, by the pipeline (a router), or by the pipeline inside the server's standard middleware
 * ({@code stack}; {@code stack-log} with the access log on), on the same engine run the same way (backend-http:
 * handlers on each connection's virtual thread; the JDK's: a virtual thread per exchange), so the ratio of the two
 * is the cost of the pipeline alone.
 *
 * <p>Both variants serialise the same record with the same mapper on every request, as a real handler
 * would; only what sits between the socket and that call differs.
 *
 * <p>Run with: {@code java -cp <examples class path> dev.backend.examples.bench.PipelineBench raw|router|stack|stack-log backend|jdk PORT}
 */
public final class PipelineBench {

    /** The TechEmpower JSON-test message. */
    record Message(String message) {}

    private PipelineBench() {}

    /** Starts the variant named by {@code args[0]} on the provider {@code args[1]} and port {@code args[2]}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: PipelineBench raw|router|stack|stack-log backend|jdk PORT");
            System.exit(2);
        }
        HttpHandler handler = switch (args[0]) {
            case "raw" -> PipelineBench::raw;
            case "router" -> HttpAdapter.of(router());
            // The server's standard middleware with its defaults; the access log is measured on its own.
            case "stack" -> HttpAdapter.of(standardStack(false).wrap(router()));
            case "stack-log" -> HttpAdapter.of(standardStack(true).wrap(router()));
            default -> throw new IllegalArgumentException("unknown variant " + args[0]);
        };
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[2]));
        HttpServer server = switch (args[1]) {
            // Each connection's virtual thread runs the handler: no executor, as backend-server serves it.
            case "backend" -> BackendHttp.create(address, 1024, HttpServerOptions.defaults());
            case "jdk" -> {
                // Named: backend-http, on the class path through backend-server, would be picked otherwise.
                System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
                HttpServer jdk = HttpServer.create(address, 1024);
                jdk.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                yield jdk;
            }
            default -> throw new IllegalArgumentException("unknown provider " + args[1]);
        };
        server.createContext("/", handler);
        server.start();
        System.out.println("PipelineBench " + args[0] + " on " + server.getClass().getName() + " port "
                + server.getAddress().getPort());
    }

    private static Handler router() {
        return Router.create().get("/json", request -> Response.json(new Message("Hello, World!"))).build();
    }

    private static Middleware standardStack(boolean accessLog) {
        Config.Http http = Config.fromEnvironment(Map.of("ACCESS_LOG", Boolean.toString(accessLog))).http();
        return StandardMiddleware.from(http);
    }

    /** What a careful hand-written handler does: route by path, serialise, send with a length. */
    private static void raw(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/json")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Json.mapper().writeValueAsBytes(new Message("Hello, World!"));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
