package dev.backend.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import org.junit.jupiter.api.Test;

class HelloTest {

    private final TestClient client = TestClient.of(Hello.app());

    @Test
    void greetsByTheDecodedName() {
        TestResponse response = client.get("/hello/J%C3%BCrgen");

        assertEquals(200, response.status());
        assertEquals("Hello, Jürgen!", response.text());
    }

    @Test
    void answers404JsonElsewhere() {
        assertEquals(404, client.get("/").status());
    }

    @Test
    void runsOnTheProviderTheClassPathBringsAsDocumented() throws Exception {
        // HttpServer.create takes the first provider on the class path: backend-server, which the other examples
        // need, brings backend-http, which registers itself as one.
        HttpServer server = Hello.serve(0);
        try {
            assertTrue(server.getClass().getName().startsWith("dev.backend.http."), server.getClass().getName());
        } finally {
            server.stop(0);
        }
    }
}
