package dev.backend.core;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.backend.core.internal.DeclaredLength;
import dev.backend.core.internal.Failures;
import dev.backend.core.internal.StatusCodes;
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
 * 204, 205 and 304 responses are sent without a body (a 205 with {@code Content-Length: 0} unless it answers a
 * {@code HEAD}, RFC 9110 §15.3.6). Framing is the adapter's alone: a {@code Content-Length} or {@code
 * Transfer-Encoding} header set on the {@link Response} is not sent, so a 204 never carries a length (RFC 9110
 * §8.6), a 304 none that could differ from the 200's, and no answer carries two framings. A {@code HEAD} gets
 * the {@code Content-Length} its {@code GET} would send when the body's length is known without producing it
 * (RFC 9110 §9.3.2). A failure the handler did not turn into a response becomes one here; a client that hangs
 * up mid-response is logged at debug and forgotten. A streamed body that fails midway is cut off, never ended as
 * if complete: see {@link #handle}.
 *
 * <p>Request framing is the client's fault and is answered as such: a {@code Content-Length} that is not one
 * run of digits is a 400 before anything is read; a body that cannot be read as framed is a 400 (a 408 when
 * the client was too slow) through {@link Request}. Both answers carry {@code Connection: close}, so no byte
 * after them is ever read as another request.
 */
public final class HttpAdapter implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAdapter.class);

    private final Handler handler;

    private HttpAdapter(Handler handler) {
        this.handler = handler;
    }

    /**
     * An {@link HttpHandler} answering every exchange with {@code handler}.
     *
     * @param handler the application, usually a built router wrapped in middleware
     * @return the adapter, to register on an {@code HttpServer} context
     */
    public static HttpAdapter of(Handler handler) {
        return new HttpAdapter(Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Answers {@code exchange}. A streamed body that fails after the headers went out is logged here and reaches the
     * engine as an {@code IOException}: the response cannot be completed, so it must not end as if it were. The
     * engine then closes the connection without the last chunk (or before the last byte of a declared length),
     * which the client sees as a truncated message (RFC 9112 §8).
     *
     * @throws IOException only when the response body failed midway
     */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            Request request = Request.from(exchange);
            Response response = request.invalidContentLength()
                    .map(AppError::toResponse)
                    .orElseGet(() -> Handler.respond(handler, request));
            if (request.bodyUnreadable()) {
                // What follows the body on this connection cannot be trusted to be the next request.
                response = response.withHeader("Connection", "close");
            }
            write(exchange, response, request.method().equals("HEAD"));
        } catch (IOException e) {
            LOG.debug("Could not send the response to {}: {}", exchange.getRemoteAddress(), e.toString());
        } catch (BodyFailed failed) {
            Throwable cause = failed.getCause();
            sendWhatWasWritten(exchange);
            cutOff(exchange);
            Failures.throwIfFatal(cause); // as Handler.respond, once the connection is cut
            if (cause instanceof IOException) {
                // Most often the client hung up; the body's own source failing looks the same from here.
                LOG.debug("Streaming the response body to {} failed: {}", exchange.getRemoteAddress(), cause.toString());
            } else {
                // A bug in the writer (a length it did not keep, say); CatchPanic, when present, logged it already
                // with the request id and handed it on as an IOException.
                LOG.error("Failed while streaming the response body", cause);
            }
            throw new IOException("the response body failed after its headers were sent", cause);
        } catch (RuntimeException e) {
            // Sending the headers failed (a header value the API refuses, say): nothing can be answered now.
            LOG.error("Failed to send the response", e);
        }
        exchange.close();
    }

    /**
     * Sends what the failed writer wrote, without ending the body: the status line, the headers and the part, so
     * the client sees a cut-off response. A writer that closed its stream without flushing (Jackson's {@code
     * writeValue} does) may have left all of it in the JDK provider's buffer, and an empty reply is what a client
     * retries on its own (RFC 9110 §9.2.2): a GET's handler would run twice.
     */
    private static void sendWhatWasWritten(HttpExchange exchange) {
        try {
            exchange.getResponseBody().flush();
        } catch (IOException | RuntimeException e) {
            // The client went away: there is nothing to send it.
        }
    }

    /**
     * Ends an exchange whose response body failed, without completing the response. The JDK's provider ends an
     * exchange only when its response body is closed; one whose handler throws instead stays counted, and its
     * {@code stop(delay)} then waits the whole delay for it. Closing the body on an interrupted thread closes the
     * provider's socket channel (an interruptible channel) before the last chunk is written: the response is cut
     * off and the exchange ends. Other engines cut the response off themselves when the handler throws.
     */
    private static void cutOff(HttpExchange exchange) {
        if (!exchange.getClass().getName().startsWith("sun.net.httpserver.")) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        Thread.currentThread().interrupt();
        try {
            exchange.getResponseBody().close();
        } catch (IOException expected) {
            // The channel closed under the write, as intended.
        } finally {
            Thread.interrupted();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A streamed body's writer failed after the headers went out. */
    private static final class BodyFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BodyFailed(Throwable cause) {
            super(cause);
        }
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
        if (StatusCodes.carriesNoContent(status)) {
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
                    OutputStream out = exchange.getResponseBody();
                    try {
                        DeclaredLength.writeBody(s.writer(), s.length(), out);
                    } catch (Throwable e) {
                        // Not closed: closing would end the body as if it were complete. An Error is caught too:
                        // the JDK's provider leaves the connection open, unanswered, when one escapes a handler.
                        throw new BodyFailed(e);
                    }
                    out.close();
                }
            }
        }
    }
}
