package dev.backend.examples.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ApiKeyExampleTest {

    private final TestClient client = TestClient.of(ApiKeyExample.app(Map.of("alice", "key-a", "bob", "key-b"), 1, 3));

    private TestResponse call(String key) {
        return client.send(Request.builder("GET", "/api/hello").header(ApiKeyAuth.HEADER, key));
    }

    @Test
    void answers401WithoutOrWithAnUnknownKey() {
        TestResponse missing = client.get("/api/hello");
        TestResponse unknown = call("key-c");

        assertEquals(401, missing.status());
        assertEquals("Missing X-Api-Key header", missing.error().orElseThrow());
        assertEquals(401, unknown.status());
        assertEquals("Unknown API key", unknown.error().orElseThrow());
    }

    @Test
    void every401ChallengesTheClientToSendTheKeyHeader() {
        for (TestResponse refused : List.of(client.get("/api/hello"), call("key-c"), call(""))) {
            assertEquals(401, refused.status());
            assertEquals("ApiKey header=\"X-Api-Key\"", refused.header("WWW-Authenticate").orElseThrow());
        }
    }

    @Test
    void answers401ToTwoKeysEvenIfOneIsKnown() {
        TestResponse two = client.send(Request.builder("GET", "/api/hello")
                .header(ApiKeyAuth.HEADER, "key-a").header(ApiKeyAuth.HEADER, "key-c"));

        assertEquals(401, two.status(), "which key counts is ambiguous");
        assertEquals("Send one X-Api-Key header", two.error().orElseThrow());
    }

    @Test
    void letsAKnownKeyThrough() {
        assertEquals(200, call("key-a").status());
    }

    @Test
    void theHandlerKnowsWhichClientCalled() {
        assertEquals("Hello, alice", call("key-a").json().get("message").asString());
        assertEquals("Hello, bob", call("key-b").json().get("message").asString());
    }

    @Test
    void theCheckAttachesTheClientsNameNotItsKey() {
        Handler seen = new ApiKeyAuth(Map.of("alice", "key-a"))
                .wrap(request -> Response.text(request.attribute(ApiKeyAuth.CLIENT).orElse("none")));

        assertEquals("alice", TestClient.of(seen).send(Request.builder("GET", "/").header(ApiKeyAuth.HEADER, "key-a")).text());
    }

    @Test
    void limitsEachClientSeparatelyWith429AndRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, call("key-a").status(), "burst request " + i);
        }
        TestResponse limited = call("key-a");

        assertEquals(429, limited.status());
        assertEquals("1", limited.header("Retry-After").orElseThrow());
        assertEquals(200, call("key-b").status(), "another client has its own allowance");
    }

    @Test
    void refillsAtTheConfiguredRate() {
        AtomicLong now = new AtomicLong(0);
        RateLimit limit = new RateLimit(10, 1, request -> Optional.of("c"), now::get);
        TestClient limited = TestClient.of(limit.wrap(request -> Response.noContent()));

        assertEquals(204, limited.get("/").status());
        assertEquals(429, limited.get("/").status());
        now.addAndGet(99_000_000L);
        assertEquals(429, limited.get("/").status());
        now.addAndGet(1_000_000L);
        assertEquals(204, limited.get("/").status());
    }

    @Test
    void rejectsANonsenseConfiguration() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RateLimit(0, 1, request -> Optional.empty())).getMessage().contains("perSecond"));
    }
}
