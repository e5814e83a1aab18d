package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// docs/testing.md shows this class whole: TestDatabase at its simplest.
// tag::test-database[]
class UserRepositoryTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void insertsAUser() throws Exception {
        try (Connection connection = DB.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)");
            assertEquals(1, statement.executeUpdate("INSERT INTO users VALUES (1, 'a@example.com')"));
        }
    }
}
// end::test-database[]
