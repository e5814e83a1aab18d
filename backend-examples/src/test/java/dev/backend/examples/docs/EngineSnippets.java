package dev.backend.examples.docs;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.http.BackendHttp;
import dev.backend.http.HttpServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The snippets of docs/http-engine.md. */
final class EngineSnippets {

    private EngineSnippets() {}

    static HttpServer explicitOptions(Handler app) throws IOException {
        // tag::backend-http-create[]
        HttpServer server = BackendHttp.create(new InetSocketAddress(8080), 0,
                HttpServerOptions.defaults().withMaxConnections(2_000));
        server.createContext("/", HttpAdapter.of(app));
        server.start();
        // end::backend-http-create[]
        return server;
    }
}
