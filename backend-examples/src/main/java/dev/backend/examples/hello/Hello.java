package dev.backend.examples.hello;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * Hello world on backend-core alone. {@code HttpServer.create} serves it with the first {@code
 * com.sun.net.httpserver} provider on the class path: with backend-core alone that is the JDK's built-in server
 * ({@code sun.net.httpserver}); in this module, whose other examples bring backend-server and with it backend-http,
 * it is backend-http's engine. The start-up line says which. Run with: {@code backend-examples/run hello}, then
 * {@code curl localhost:8080/hello/you} ({@code PORT} picks another port).
 */
public final class Hello {

    private Hello() {}

    /** The application: one route. Tests run it in process with {@code TestClient}. */
    public static Handler app() {
        return Router.create()
                .get("/hello/{name}", request -> Response.text("Hello, " + request.path("name") + "!"))
                .build();
    }

    /** Serves {@link #app()} on {@code port} (0 for any free one), one virtual thread per request. */
    public static HttpServer serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", HttpAdapter.of(app()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    /**
     * Serves on {@code PORT}, 8080 by default, and says which server implementation answers; a port already in
     * use is one line naming it and {@code PORT}, and exit code 1.
     */
    public static void main(String[] args) throws IOException {
        int port = Optional.ofNullable(System.getenv("PORT")).map(Integer::parseInt).orElse(8080);
        HttpServer server;
        try {
            server = serve(port);
        } catch (BindException e) {
            // A stack trace would bury the one thing to do: pick another port.
            System.err.println(portInUse(port));
            System.exit(1);
            return;
        }
        System.out.println("Hello listening on port " + server.getAddress().getPort() + " ("
                + server.getClass().getName() + ")");
    }

    /** What a user reads when {@code port} is taken (by {@code ./serve}, say). */
    public static String portInUse(int port) {
        return "Port " + port + " is already in use: run with PORT=<another port>, such as PORT=8081 (PORT=0 picks a free one)";
    }
}
