package dev.backend.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
