package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TestDatabase and TestClient in a project whose tests run on JUnit Jupiter 5, the README's set-up. */
class OnJUnit5Test {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> execute(dataSource, "CREATE TABLE visits (id serial PRIMARY KEY)"))
            .withResetBeforeEachTest();

    @Test
    void runsOnTheJUnitTheProjectDeclares() {
        assertEquals(System.getProperty("junit5.version"), Test.class.getPackage().getImplementationVersion());
    }

    /** Run twice: the reset before each test takes the first run's row away. */
    @RepeatedTest(2)
    void eachTestStartsFromTheMigratedDatabase() {
        TestClient client = TestClient.of(Router.create().post("/visits", request -> {
            execute(DB.dataSource(), "INSERT INTO visits DEFAULT VALUES");
            try (Connection connection = DB.dataSource().getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet count = statement.executeQuery("SELECT count(*) FROM visits")) {
                count.next();
                return Response.text(Long.toString(count.getLong(1)));
            }
        }).build());

        TestResponse visited = client.post("/visits", "");

        assertEquals(200, visited.status(), visited.text());
        assertEquals("1", visited.text());
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
