package dev.backend.examples.docs;

// The README's hello world, as a reader copies it: the runnable example is dev.backend.examples.hello.Hello.
// tag::hello[]
import com.sun.net.httpserver.HttpServer;
import dev.backend.core.*;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

public final class Hello {
    public static void main(String[] args) throws Exception {
        Handler app = Router.create()
                .get("/hello/{name}", request -> Response.text("Hello, " + request.path("name") + "!"))
                .build();
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/", HttpAdapter.of(app));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }
}
// end::hello[]
