package dev.backend.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * This engine as a {@code com.sun.net.httpserver} provider: found by {@link HttpServerProvider#provider()} through
 * {@link java.util.ServiceLoader} when this module is on the class or module path, or named with {@code
 * -Dcom.sun.net.httpserver.HttpServerProvider=dev.backend.http.BackendHttpServerProvider}.
 *
 * <p>Each server takes its limits from {@link HttpServerOptions#fromSystemProperties()} when it is created;
 * {@link BackendHttp} creates them with explicit options. {@link #createHttpsServer} serves TLS through the
 * {@link com.sun.net.httpserver.HttpsConfigurator} set before start.
 */
public final class BackendHttpServerProvider extends HttpServerProvider {

    /** Called by the service loader. */
    public BackendHttpServerProvider() {
    }

    @Override
    public HttpServer createHttpServer(InetSocketAddress address, int backlog) throws IOException {
        return BackendHttp.create(address, backlog, HttpServerOptions.fromSystemProperties());
    }

    @Override
    public HttpsServer createHttpsServer(InetSocketAddress address, int backlog) throws IOException {
        return BackendHttp.createHttps(address, backlog, HttpServerOptions.fromSystemProperties());
    }
}
