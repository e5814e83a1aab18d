package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Servers on a free loopback port: this engine, or the JDK's own for comparison. */
final class TestServers {

    private TestServers() {
    }

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** This engine with {@code options}, not started. */
    static HttpServer backend(HttpServerOptions options) {
        try {
            return BackendHttp.create(anyPort(), 0, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDK's built-in server (the surefire configuration makes it the JVM's provider), not started. */
    static HttpServer jdk() {
        try {
            HttpServer server = HttpServer.create(anyPort(), 0);
            assertTrue(server.getClass().getName().startsWith("sun.net.httpserver."), server.getClass().getName());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int port(HttpServer server) {
        return server.getAddress().getPort();
    }
}
