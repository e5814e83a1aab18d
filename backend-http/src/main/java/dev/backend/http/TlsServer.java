package dev.backend.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** The {@link HttpsServer} face of an {@link Engine} serving HTTP over TLS. */
final class TlsServer extends HttpsServer {

    private final Engine engine;

    TlsServer(Engine engine) {
        this.engine = engine;
        engine.attach(this);
    }

    Engine engine() {
        return engine;
    }

    @Override
    public void setHttpsConfigurator(HttpsConfigurator configurator) {
        engine.setHttpsConfigurator(configurator);
    }

    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return engine.httpsConfigurator();
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        engine.bind(address, backlog);
    }

    @Override
    public void start() {
        engine.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        engine.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return engine.executor();
    }

    @Override
    public void stop(int delay) {
        engine.stop(delay);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return engine.createContext(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return engine.createContext(path);
    }

    @Override
    public void removeContext(String path) {
        engine.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        engine.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return engine.address();
    }

    @Override
    public String toString() {
        return "backend-http TLS server " + engine.address();
    }
}
