package dev.backend.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Creates servers of this engine with explicit {@link HttpServerOptions}, for code that does not want the
 * JVM-wide provider lookup of {@link HttpServer#create(InetSocketAddress, int)}.
 *
 * <p>Threads: {@link HttpServer#start()} starts one platform thread that accepts connections and is not a daemon,
 * so the JVM stays up until {@link HttpServer#stop(int)}; every connection is served by a virtual thread of its
 * own (its bytes read by the engine's selectors, or by that thread itself under TLS), which also runs the
 * handlers unless {@link HttpServer#setExecutor} set an executor. With
 * an executor, each exchange (filters, authenticator, handler) is one task on it, and the connection's thread
 * waits for the exchange to end before it reads the next request: the executor decides where handlers run and
 * how many run at once, never how many connections are open.
 *
 * <p>{@link HttpServer#stop(int) stop(delay)} closes the listening socket and every idle connection at once, lets
 * running exchanges finish for up to {@code delay} seconds (their responses carry {@code Connection: close}), and
 * returns as soon as none runs. Once the delay is over it interrupts the handlers still running on the
 * connections' own threads (without an executor), so one blocked in a lock, a query or a sleep gives up, and
 * gives them up to half a second more to send their answers (with {@code Connection: close}; the interrupt is
 * cleared as a handler begins its response, so the answer's own writes are not cut off by it); then it closes
 * every connection, interrupting again what still runs. A stopped server cannot be started again.
 *
 * {@snippet :
 * HttpServer server = BackendHttp.create(new InetSocketAddress(8080), 0,
 *         HttpServerOptions.defaults().withMaxConnections(2_000));
 * server.createContext("/", exchange -> {
 *     byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
 *     exchange.sendResponseHeaders(200, body.length);
 *     try (OutputStream out = exchange.getResponseBody()) {
 *         out.write(body);
 *     }
 * });
 * server.start();
 * }
 */
public final class BackendHttp {

    /**
     * The exchange attribute whose value is a {@link Runnable} that abandons the request body: for a handler that
     * must answer now (a timeout) while its thread is blocked reading a body the client is still sending.
     * Run from any thread, it makes a read blocked on the body return at once with an {@link IOException}, as
     * does every later read; the handler can then send its response, which carries {@code Connection: close},
     * and the connection closes after it without reading the rest (RFC 9112 §9.6). Interrupting the reading
     * thread instead would close the socket under it (a blocked socket read on a virtual thread is ended that
     * way), so no answer could be sent. Present only while the request has a body; the JDK's provider has none.
     */
    public static final String ABORT_REQUEST_BODY = "dev.backend.http.abortRequestBody";

    private BackendHttp() {
    }

    /**
     * A plain HTTP/1.1 server, bound to {@code address} unless it is null.
     *
     * @param address where to listen, or null to {@link HttpServer#bind bind} later
     * @param backlog the listen backlog; zero or negative means the system default
     * @param options the server's limits and timeouts
     * @return the server, bound if {@code address} was given, not started
     * @throws java.net.BindException if the address cannot be bound
     * @throws IOException if the listening socket cannot be opened
     */
    public static HttpServer create(InetSocketAddress address, int backlog, HttpServerOptions options)
            throws IOException {
        PlainServer server = new PlainServer(new Engine(Objects.requireNonNull(options, "options"), false));
        bind(server, address, backlog);
        return server;
    }

    /** Binds unless {@code address} is null; a failed bind closes the listening socket it opened. */
    private static void bind(HttpServer server, InetSocketAddress address, int backlog) throws IOException {
        if (address == null) {
            return;
        }
        try {
            server.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            server.stop(0);
            throw e;
        }
    }

    /**
     * An HTTPS server: TLS over a blocking socket per connection, configured per connection by the {@link
     * com.sun.net.httpserver.HttpsConfigurator} that must be set before {@link HttpServer#start()}.
     *
     * @param address where to listen, or null to {@link HttpServer#bind bind} later
     * @param backlog the listen backlog; zero or negative means the system default
     * @param options the server's limits and timeouts; {@code requestReadTimeout} also bounds the handshake
     * @return the server, bound if {@code address} was given, not started
     * @throws java.net.BindException if the address cannot be bound
     * @throws IOException if the listening socket cannot be opened
     */
    public static HttpsServer createHttps(InetSocketAddress address, int backlog, HttpServerOptions options)
            throws IOException {
        TlsServer server = new TlsServer(new Engine(Objects.requireNonNull(options, "options"), true));
        bind(server, address, backlog);
        return server;
    }

    /**
     * How many requests {@code server} is reading or answering right now: each counts from the first byte of its
     * request line to the end of its exchange, so idle keep-alive connections do not, and a request whose head
     * is still arriving does. It is what {@link HttpServer#stop(int) stop} waits for; a server that drains
     * reports it.
     *
     * @param server a server this class created
     * @return the number of requests in progress, zero or more
     * @throws IllegalArgumentException if {@code server} is not one of this engine's
     */
    public static int requestsInProgress(HttpServer server) {
        return engine(server).busyConnections();
    }

    /**
     * From now on every response {@code server} writes says {@code Connection: close} and ends its connection
     * (RFC 9112 §9.6), as Go's {@code Server.SetKeepAlivesEnabled(false)} does: for a server about to stop, so that
     * each client opens its next connection elsewhere instead of sending a request the stop would cut off. It
     * includes responses whose handlers are already running but have not sent their headers yet, and the engine's
     * own answers ({@code OPTIONS *}); a response whose headers went out before, and so cannot say it, ends its
     * connection right behind it (after reading the rest of a body its handler left unread), where a client's pool
     * sees the close before reusing the connection, as Go's server does; a request that has already arrived behind
     * it is answered first, with {@code Connection: close} (on a plain connection: a TLS one, read with blocking
     * I/O, cannot tell whether one has arrived without waiting for it, and closes). Idle connections are left open:
     * closing one races a client that is sending on it at that moment; each closes after its next response, or when
     * its client or the idle timeout ends it. It cannot be undone; {@link HttpServer#stop(int)} implies it.
     *
     * @param server a server this class created
     * @throws IllegalArgumentException if {@code server} is not one of this engine's
     */
    public static void disableKeepAlive(HttpServer server) {
        engine(server).disableKeepAlive();
    }

    private static Engine engine(HttpServer server) {
        return switch (server) {
            case PlainServer plain -> plain.engine();
            case TlsServer tls -> tls.engine();
            default -> throw new IllegalArgumentException("not a backend-http server: " + server.getClass().getName());
        };
    }
}
