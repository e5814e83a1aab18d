package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handlers, routes and attributes docs/pipeline.md shows do what the page says they do. */
class PipelineSnippetsTest {

    private final TestClient client = TestClient.of(UsersExample.app());

    @Test
    void aCreatedUserIsFoundAtItsLocation() {
        TestResponse created = client.post("/api/v1/users", Map.of("email", "ada@example.com", "name", "Ada"));

        assertEquals(201, created.status());
        TestResponse found = client.get(created.header("Location").orElseThrow());
        assertEquals(200, found.status());
        assertEquals("ada@example.com", found.json().get("email").asString());
    }

    @Test
    void extractionFailuresAreTheClientsErrors() {
        assertEquals(400, client.get("/api/v1/users/not-a-uuid").status());
        assertEquals(422, client.post("/api/v1/users", Map.of("email", "ada@example.com")).status());
        assertEquals(404, client.get("/api/v1/users/00000000-0000-0000-0000-000000000000").status());
        assertEquals(Optional.of("No route for GET /nowhere"), client.get("/nowhere").error());
    }

    @Test
    void theHandlerReadsTheAttributeTheMiddlewareSet() {
        TestClient greeted = TestClient.of(PipelineSnippets.identify()
                .wrap(Router.create().get("/hello", PipelineSnippets::hello).build()));

        assertEquals("Hello, alice", greeted.get("/hello").json().get("message").asString());
    }

    @Test
    void aFileUnderTheBaseIsServedAndNothingOutsideIt(@TempDir Path dir) throws IOException {
        Path base = Files.createDirectories(dir.resolve("files"));
        Files.writeString(Files.createDirectories(base.resolve("sub")).resolve("a.txt"), "inside");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "outside");
        Files.writeString(Files.createDirectories(dir.resolve("files2")).resolve("secret.txt"), "next door");
        TestClient files = TestClient.of(PipelineSnippets.files(base).build());

        assertEquals("inside", files.get("/files/sub/a.txt").text());
        assertEquals("inside", files.get("/files/sub%2F..%2Fsub/a.txt").text());
        for (String target : List.of("/files/" + secret, "/files/%2F" + secret.toString().substring(1),
                "/files/..%2Fsecret.txt", "/files/sub%2F..%2F..%2Fsecret.txt", "/files/..%2Ffiles2%2Fsecret.txt",
                "/files/sub", "/files/missing.txt")) {
            assertEquals(404, files.get(target).status(), target);
        }
    }
}
