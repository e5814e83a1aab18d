package dev.backend.core;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.backend.http.BackendHttp;
import dev.backend.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The engines every socket-level test runs on: backend-http, the default, and the JDK's own provider, each run
 * as backend-server runs it. Shared with backend-server's tests through this module's test jar.
 */
public enum HttpEngine {
    /** backend-http: handlers on each connection's virtual thread, no executor. */
    BACKEND,
    /** The JDK's {@code sun.net.httpserver}, one virtual thread per exchange. */
    JDK;

    /** Serves {@code app} through {@link HttpAdapter} on a free loopback port. */
    public Served serve(Handler app) {
        return serveExchanges(HttpAdapter.of(app), HttpServerOptions.defaults());
    }

    /** Serves {@code handler} on a free loopback port; {@code options} apply to backend-http only. */
    public Served serveExchanges(HttpHandler handler, HttpServerOptions options) {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try {
            HttpServer server;
            ExecutorService executor = null;
            if (this == BACKEND) {
                server = BackendHttp.create(address, 0, options);
            } else {
                // backend-http is a provider on the test class path too: name the JDK's.
                System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
                server = HttpServer.create(address, 0);
                if (!server.getClass().getName().startsWith("sun.net.httpserver.")) {
                    server.stop(0);
                    throw new IllegalStateException("this JVM's HttpServer.create gives " + server.getClass().getName());
                }
                executor = Executors.newVirtualThreadPerTaskExecutor();
                server.setExecutor(executor);
            }
            server.createContext("/", handler);
            server.start();
            return new Served(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a test server", e);
        }
    }

    /** A started server; closing it stops it at once. */
    public static final class Served implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor;

        private Served(HttpServer server, ExecutorService executor) {
            this.server = server;
            this.executor = executor;
        }

        /** The bound port. */
        public int port() {
            return server.getAddress().getPort();
        }

        /** The server, to stop it with a delay of one's own. */
        public HttpServer server() {
            return server;
        }

        @Override
        public void close() {
            server.stop(0);
            if (executor != null) {
                executor.close();
            }
        }
    }
}
