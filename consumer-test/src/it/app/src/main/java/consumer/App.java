package consumer;

import dev.backend.core.AppError;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.server.BackendServer;
import dev.backend.server.migration.MigrationSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A small service as a user writes one: configured by the environment, with its own migrations. */
public final class App {

    record Greeting(long id, String text) {}

    record NewGreeting(String text) {}

    /** Its migrations, under its own package. */
    static final MigrationSource MIGRATIONS = MigrationSource.classpath("consumer/migrations");

    private App() {}

    public static void main(String[] args) {
        server().start().stopOnSignals();
    }

    /** The service, configured from the environment unless given a configuration (as the tests do). */
    static BackendServer.Builder server() {
        return BackendServer.builder().migrations(MIGRATIONS).routes(App::routes);
    }

    static Router routes(DataSource dataSource) {
        return Router.create()
                .get("/greetings/{id}", request -> find(dataSource, request.pathLong("id")))
                .post("/greetings", request -> create(dataSource, request));
    }

    private static Response find(DataSource dataSource, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT text FROM greetings WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next()
                        ? Response.json(new Greeting(id, rs.getString(1)))
                        : AppError.notFound("Greeting " + id + " not found").toResponse();
            }
        }
    }

    private static Response create(DataSource dataSource, Request request) throws SQLException {
        NewGreeting input = request.json(NewGreeting.class);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO greetings (text) VALUES (?) RETURNING id")) {
            insert.setString(1, input.text());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return Response.json(201, new Greeting(rs.getLong(1), input.text()));
            }
        }
    }
}
