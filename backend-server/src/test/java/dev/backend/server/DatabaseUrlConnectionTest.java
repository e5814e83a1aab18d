package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

/** A DATABASE_URL in libpq's forms reaches real PostgreSQL through pgJDBC with every setting it names. */
class DatabaseUrlConnectionTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static List<String> session(String databaseUrl) throws SQLException {
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", databaseUrl));
        try (ConnectionPool pool = ConnectionPool.open(config.database().withPoolSize(0, 1),
                config.database().url().orElseThrow());
                Connection c = pool.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database(), current_setting('application_name'), "
                        + "current_setting('search_path'), current_setting('statement_timeout')")) {
            rs.next();
            return List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    Integer.toString(c.unwrap(PGConnection.class).getPrepareThreshold()));
        }
    }

    @Test
    void connectsWithTheUriFormAndEveryParameterItNames() throws SQLException {
        String url = DB.url() + "?application_name=url%20test&options=-c%20search_path%3Dapp,public%20-c%20"
                + "statement_timeout%3D7s&connect_timeout=5&sslmode=disable&prepareThreshold=0";

        assertEquals(List.of(DB.name(), "url test", "app,public", "7s", "0"), session(url));
    }

    @Test
    void connectsWithTheKeywordValueForm() throws SQLException {
        URI uri = URI.create(DB.jdbcUrl().substring("jdbc:".length()));
        String url = "host=" + uri.getHost() + " port=" + uri.getPort() + " dbname=" + DB.name() + " user="
                + DB.user() + (DB.password().isEmpty() ? "" : " password='" + DB.password().replace("'", "\\'") + "'")
                + " fallback_application_name='key value' options='-c statement_timeout=3s'";

        assertEquals(List.of(DB.name(), "key value", "\"$user\", public", "3s", "5"), session(url));
    }
}
