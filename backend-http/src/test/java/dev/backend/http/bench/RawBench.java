package dev.backend.http.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backend.http.BackendHttp;
import dev.backend.http.HttpServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The server {@code bench/engine.sh} drives with wrk: one hand-written {@code HttpHandler} answering {@code GET
 * /json}, on the provider named by the first argument, so the engines are compared under the same handler.
 *
 * <ul>
 * <li>{@code jdk}: the JDK's built-in server with a virtual-thread-per-task executor (the baseline of issue 10);
 * <li>{@code backend}: this module's engine, handlers inline on each connection's virtual thread;
 * <li>{@code backend-executor}: this module's engine with the same executor as the JDK's, one task per exchange.
 * </ul>
 *
 * <p>Run with: {@code java -cp backend-http/target/classes:backend-http/target/test-classes
 * dev.backend.http.bench.RawBench jdk|backend|backend-executor PORT}
 */
public final class RawBench {

    private RawBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: RawBench jdk|backend|backend-executor PORT");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        HttpServer server = switch (args[0]) {
            case "jdk" -> {
                System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
                yield HttpServer.create(address, 1024);
            }
            case "backend", "backend-executor" -> BackendHttp.create(address, 1024, HttpServerOptions.defaults());
            default -> throw new IllegalArgumentException("unknown provider " + args[0]);
        };
        server.createContext("/", RawBench::handle);
        if (!args[0].equals("backend")) {
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        }
        server.start();
        System.out.println("RawBench " + args[0] + " on " + server.getClass().getName() + " port "
                + server.getAddress().getPort());
    }

    /** What a careful hand-written handler does: route by path, serialise, send with a length. */
    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/json")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = ("{\"message\":\"" + "Hello, World!" + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
