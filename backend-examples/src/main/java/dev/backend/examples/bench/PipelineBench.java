package dev.backend.examples.bench;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Json;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.server.Config;
import dev.backend.server.StandardMiddleware;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;

/**
 * The server {@code bench/pipeline.sh} drives with wrk: {@code GET /json} answered either by a raw {@link
 * HttpHandler}, by the pipeline (a router), or by the pipeline inside the server's standard middleware
 * ({@code stack}; {@code stack-log} with the access log on), on the same provider and the same virtual-thread executor, so the ratio
 * of the two is the cost of the pipeline alone.
 *
 * <p>Both variants serialise the same record with the same mapper on every request, as a real handler
 * would; only what sits between the socket and that call differs.
 *
 * <p>Run with: {@code java -cp <examples class path> dev.backend.examples.bench.PipelineBench raw|router|stack|stack-log robaho|jdk PORT}
 */
public final class PipelineBench {

    /** The TechEmpower JSON-test message. */
    record Message(String message) {}

    private PipelineBench() {}

    /** Starts the variant named by {@code args[0]} on the provider {@code args[1]} and port {@code args[2]}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: PipelineBench raw|router|stack|stack-log robaho|jdk PORT");
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
            // Not a dependency of the examples (it would replace the JDK's server under HttpServer.create):
            // bench/pipeline.sh adds robaho's jar to the class path when PROVIDER=robaho.
            case "robaho" -> ServiceLoader.load(HttpServerProvider.class).stream()
                    .filter(provider -> provider.type().getName().startsWith("robaho."))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("robaho needs io.github.robaho:httpserver on the class path"))
                    .get()
                    .createHttpServer(address, 1024);
            case "jdk" -> {
                // Named, so that a provider added to the class path for the robaho runs is never picked here.
                System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
                yield HttpServer.create(address, 1024);
            }
            default -> throw new IllegalArgumentException("unknown provider " + args[1]);
        };
        server.createContext("/", handler);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
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
