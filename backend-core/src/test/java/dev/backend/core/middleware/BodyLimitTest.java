package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BodyLimitTest {

    private static final Handler ECHO = request -> Response.text(request.bodyText());

    @Test
    void answers413ForADeclaredLengthOverTheLimitWithoutRunningTheHandler() {
        AtomicBoolean ran = new AtomicBoolean();
        Handler app = BodyLimit.of(10).wrap(request -> {
            ran.set(true);
            return Response.noContent();
        });

        TestResponse response = TestClient.of(app).send(Request.builder("POST", "/").body("x".repeat(11)));

        assertEquals(413, response.status());
        assertEquals("Request body is larger than the limit of 10 bytes", response.error().orElseThrow());
        assertFalse(ran.get());
    }

    @Test
    void readsABodyUpToTheLimit() {
        TestClient client = TestClient.of(BodyLimit.of(10).wrap(ECHO));

        assertEquals("x".repeat(10), client.send(Request.builder("POST", "/").body("x".repeat(10))).text());
    }

    @Test
    void answers413WhenMoreIsReadThanALyingLengthDeclared() {
        // The declared length passes the check; the bytes actually read are counted too.
        Handler app = BodyLimit.of(10).wrap(Router.create().post("/", ECHO).build());

        TestResponse response = TestClient.of(app).send(Request.builder("POST", "/")
                .header("Content-Length", "5").body("x".repeat(50)));

        assertEquals(413, response.status());
    }

    @Test
    void aRouteLevelLimitTightensTheGlobalOneForThatRoute() {
        Router avatars = Router.create().post("/avatar", ECHO).layer(BodyLimit.of(10));
        Handler app = BodyLimit.of(100).wrap(Router.create().post("/note", ECHO).merge(avatars).build());
        TestClient client = TestClient.of(app);

        assertEquals(413, client.send(Request.builder("POST", "/avatar").body("x".repeat(50))).status());
        assertEquals(200, client.send(Request.builder("POST", "/note").body("x".repeat(50))).status());
    }

    @Test
    void rejectsANegativeLimit() {
        assertThrows(IllegalArgumentException.class, () -> BodyLimit.of(-1));
    }
}
