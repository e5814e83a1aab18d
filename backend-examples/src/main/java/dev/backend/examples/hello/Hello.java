package dev.backend.examples.hello;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** Hello world on backend-core alone. Run with: {@code backend-examples/run hello}, then {@code curl localhost:8080/hello/you} */
public final class Hello {

    private Hello() {}

    /** The application: one route. Tests run it in process with {@code TestClient}. */
    public static Handler app() {
        return Router.create()
                .get("/hello/{name}", request -> Response.text("Hello, " + request.path("name") + "!"))
                .build();
    }

    /** Serves {@link #app()} on port 8080, one virtual thread per request. */
    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/", HttpAdapter.of(app()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }
}
