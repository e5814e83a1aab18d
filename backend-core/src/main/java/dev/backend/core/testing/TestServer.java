package dev.backend.core.testing;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free loopback port, for the tests that are about HTTP itself (lengths,
 * keep-alive, {@code HEAD}); everything else is faster through {@link TestClient}.
 *
 * {@snippet :
 * try (TestServer server = TestServer.start(app)) {
 *     HttpResponse<String> response = HttpClient.newHttpClient().send(
 *             HttpRequest.newBuilder(server.uri("/health")).build(), BodyHandlers.ofString());
 * }
 * }
 */
public final class TestServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private TestServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves {@code app} with the default provider on a free port, one virtual thread per exchange.
     *
     * @param app the handler to serve
     * @return the started server, on the loopback address; close it to stop
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public static TestServer start(Handler app) {
        try {
            return start(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), app);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a test server", e);
        }
    }

    /**
     * Serves {@code app} on an unstarted server from any provider, bound where the caller chose.
     *
     * @param server an unstarted server, bound; this takes over its executor and root context
     * @param app the handler to serve
     * @return the started server; close it to stop
     */
    public static TestServer start(HttpServer server, Handler app) {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.createContext("/", HttpAdapter.of(app));
        server.setExecutor(executor);
        server.start();
        return new TestServer(server, executor);
    }

    /**
     * {@return the port the server is bound to}
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * {@code http://127.0.0.1:port} plus {@code pathAndQuery}.
     *
     * @param pathAndQuery the path and query, starting with {@code /}
     * @return the absolute URI
     */
    public URI uri(String pathAndQuery) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + pathAndQuery);
    }

    /** Stops at once and waits for the executor's threads to finish. */
    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
