package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.server.Config;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// docs/testing.md shows this class whole: the README's GreetingService, tested in process on real PostgreSQL.
// tag::greeting-service-test[]
class GreetingServiceTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> Migrator.create(dataSource, GreetingService.MIGRATIONS,
                    Config.defaults().migrations()).migrate())
            .withResetBeforeEachTest();

    private final TestClient client =
            TestClient.of(GreetingService.server().config(Config.defaults()).handler(DB.dataSource()));

    @Test
    void aGreetingIsReadFromPostgres() {
        TestResponse found = client.get("/greetings/1");

        assertEquals(200, found.status());
        assertEquals("Hello from PostgreSQL", found.json().get("text").asString());
        assertEquals(Optional.of("nosniff"), found.header("X-Content-Type-Options"));   // the standard stack ran
    }

    @Test
    void anUnknownGreetingIsA404WithAJsonError() {
        assertEquals(Optional.of("Greeting 99 not found"), client.get("/greetings/99").error());
    }
}
// end::greeting-service-test[]
