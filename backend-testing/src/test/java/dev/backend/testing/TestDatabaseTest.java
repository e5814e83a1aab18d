package dev.backend.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestDatabaseTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void connectsToItsOwnEmptyDatabase() throws Exception {
        try (Connection connection = DB.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertEquals(DB.name(), rs.getString(1));
            assertEquals(0, rs.getInt(2));
        }
    }

    @Test
    void namesTheDatabaseAfterTheClass() {
        assertTrue(DB.name().startsWith("test_testdatabasetest_"), DB.name());
        assertTrue(DB.url().startsWith("postgres://postgres@"), DB.url());
    }

    @Test
    void parsesBothUrlForms() {
        PostgresServer.External a = PostgresServer.External.parse("postgres://u:p%40ss@db.example:6543/app?sslmode=disable");
        PostgresServer.External b = PostgresServer.External.parse("jdbc:postgresql://db.example/app?user=u&password=p%40ss");

        assertEquals(new PostgresServer.External("db.example", 6543, "u", "p@ss", "app"), a);
        assertEquals(new PostgresServer.External("db.example", 5432, "u", "p@ss", "app"), b);
    }
}
