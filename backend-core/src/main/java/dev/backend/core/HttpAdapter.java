package dev.backend.core;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Handler} through the JDK's {@code com.sun.net.httpserver} API.
 *
 * <p>Written only against the API, so any provider works: the JDK's own, or a faster drop-in chosen on
 * the class path or with {@code -Dcom.sun.net.httpserver.HttpServerProvider=...}.
 *
 * {@snippet :
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/", HttpAdapter.of(app));
 * server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
 * server.start();
 * }
 *
 * <p>It hides the {@code sendResponseHeaders} length quirk (0 means chunked, -1 means no body): bodies
 * of known length get a {@code Content-Length}, streams of unknown length go chunked, and {@code HEAD},
 * 1xx, 204 and 304 responses are sent without a body. Framing is the adapter's alone: a {@code
 * Content-Length} or {@code Transfer-Encoding} header set on the {@link Response} is not sent, so 1xx and
 * 204 never carry a length (RFC 9110 §8.6), a 304 none that could differ from the 200's, and no answer
 * carries two framings. A {@code HEAD} gets the {@code Content-Length} its {@code GET} would send when
 * the body's length is known without producing it (RFC 9110 §9.3.2). A failure the handler did not turn into a
 * response becomes one here; a client that hangs up mid-response is logged at debug and forgotten.
 */
public final class HttpAdapter implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAdapter.class);

    private final Handler handler;

    private HttpAdapter(Handler handler) {
        this.handler = handler;
    }

    /** An {@link HttpHandler} answering every exchange with {@code handler}. */
    public static HttpAdapter of(Handler handler) {
        return new HttpAdapter(Objects.requireNonNull(handler, "handler"));
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            Request request = Request.from(exchange);
            Response response = Handler.respond(handler, request);
            write(exchange, response, request.method().equals("HEAD"));
        } catch (IOException e) {
            LOG.debug("Could not send the response to {}: {}", exchange.getRemoteAddress(), e.toString());
        } catch (RuntimeException e) {
            // A body writer failed after the headers went out: the status cannot change any more, so the
            // connection is closed (by the try) to tell the client the body is incomplete.
            LOG.error("Failed while streaming the response body", e);
        }
    }

    /** True for statuses that never carry a body. */
    static boolean forbidsBody(int status) {
        return status < 200 || status == 204 || status == 304;
    }

    private static void write(HttpExchange exchange, Response response, boolean head) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        response.forEachHeader((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                headers.add(name, value);
            }
        });
        int status = response.status();
        Response.Body body = response.body();
        if (forbidsBody(status)) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        long length = body.knownLength();
        if (head) {
            // The API ignores the length argument for HEAD but keeps a Content-Length we set ourselves,
            // so a HEAD reports what the GET would send.
            if (length >= 0) {
                headers.set("Content-Length", Long.toString(length));
            }
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        switch (body) {
            case Response.Body.Empty e -> exchange.sendResponseHeaders(status, -1);
            case Response.Body.Bytes b -> {
                byte[] bytes = b.bytes();
                if (bytes.length == 0) {
                    exchange.sendResponseHeaders(status, -1);
                } else {
                    exchange.sendResponseHeaders(status, bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            }
            case Response.Body.Stream s -> {
                // 0 asks the API for chunked encoding; an exact length of 0 must be sent as -1.
                exchange.sendResponseHeaders(status, s.length() < 0 ? 0 : s.length() == 0 ? -1 : s.length());
                if (s.length() != 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        s.writer().writeTo(out);
                    }
                }
            }
        }
    }
}
