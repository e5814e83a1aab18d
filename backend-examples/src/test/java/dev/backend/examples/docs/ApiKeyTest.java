package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/middleware.md's own middleware lets a known key through and challenges everyone else. */
class ApiKeyTest {

    private final TestClient client = TestClient.of(new ApiKey(Set.of("k")).wrap(request -> Response.text("Hello")));

    @Test
    void aKnownKeyReachesTheHandler() {
        assertEquals("Hello", client.send(Request.builder("GET", "/").header("X-Api-Key", "k")).text());
    }

    @Test
    void anyOtherRequestIsA401ThatSaysWhereTheKeyGoes() {
        TestResponse refused = client.send(Request.builder("GET", "/").header("X-Api-Key", "other"));

        assertEquals(401, refused.status());
        assertEquals("Missing or unknown API key", refused.error().orElseThrow());
        assertEquals("ApiKey header=\"X-Api-Key\"", refused.header("WWW-Authenticate").orElseThrow());
    }
}
