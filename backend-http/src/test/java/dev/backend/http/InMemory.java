package dev.backend.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The whole request loop of one connection (parser, exchange, handler, response writer) run on the calling
 * thread over bytes in memory: fast and deterministic, for table tests and fuzzing.
 */
final class InMemory {

    final Engine engine;
    final HttpServer server;

    InMemory(HttpServerOptions options) {
        try {
            engine = new Engine(options, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = new PlainServer(engine);
    }

    /**
     * A server with {@code /echo} (reads the body, answers with method, target, body length and the {@code Host}
     * the handler sees) and {@code /} (answers without reading the body).
     */
    static InMemory echo(HttpServerOptions options) {
        InMemory memory = new InMemory(options);
        memory.server.createContext("/", exchange -> answer(exchange, 200, "root " + exchange.getRequestMethod()));
        memory.server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            answer(exchange, 200, exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body.length
                    + " host=" + exchange.getRequestHeaders().getFirst("Host"));
        });
        return memory;
    }

    static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Everything the server writes for {@code input}, read in slices of {@code slice} bytes. */
    MemoryTransport run(byte[] input, int slice) {
        MemoryTransport transport = new MemoryTransport(input, slice);
        new Connection(engine, transport, false).run();
        return transport;
    }

    String serve(String input) {
        return run(input.getBytes(StandardCharsets.ISO_8859_1), Integer.MAX_VALUE).output
                .toString(StandardCharsets.ISO_8859_1);
    }
}
