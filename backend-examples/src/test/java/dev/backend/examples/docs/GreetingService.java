package dev.backend.examples.docs;

// The README's service on BackendServer, tested by GreetingServiceTest (docs/testing.md shows that test).
// tag::greeting-service[]
import dev.backend.core.AppError;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.server.BackendServer;
import dev.backend.server.migration.MigrationSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

public final class GreetingService {

    static final MigrationSource MIGRATIONS = MigrationSource.classpath("com/example/greetings/migrations");

    record Greeting(long id, String text) {}

    public static void main(String[] args) throws InterruptedException {
        BackendServer server = server().start();    // configured from the environment: PORT, DATABASE_URL, ...
        server.stopOnSignals();                      // SIGTERM or SIGINT: drain, then stop
        server.awaitStop();
    }

    static BackendServer.Builder server() {
        return BackendServer.builder()
                .migrations(MIGRATIONS)
                .routes(dataSource -> Router.create()
                        .get("/greetings/{id}", request -> find(dataSource, request.pathLong("id"))));
    }

    static Response find(DataSource dataSource, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT text FROM greetings WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? Response.json(new Greeting(id, row.getString(1)))
                        : AppError.notFound("Greeting " + id + " not found").toResponse();
            }
        }
    }
}
// end::greeting-service[]
