package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backend.server.Config;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service's own migration, loaded from its packaged location as the jar loads it. */
class UsersMigrationTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void makesEmailsUniqueCaseInsensitivelyAndIndexesTheListOrder() throws SQLException {
        DataSource ds = DB.dataSource();
        Migrator.create(ds, Main.MIGRATIONS, Config.fromEnvironment(Map.of()).migrations()).migrate();

        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), 'Alice@Example.com', 'Alice')");
            SQLException duplicate = assertThrows(SQLException.class, () -> s.execute(
                    "INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), 'alice@example.COM', 'Other')"));
            assertEquals("23505", duplicate.getSQLState());
        }
        assertEquals(List.of("Alice@Example.com"), column(ds, "SELECT email FROM users WHERE lower(email) = lower('ALICE@example.com')"));
        assertEquals(List.of("CREATE INDEX users_created_at_id_idx ON public.users USING btree (created_at DESC, id DESC)"),
                column(ds, "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_created_at_id_idx'"));
        assertFalse(column(ds, "SELECT column_default FROM information_schema.columns WHERE table_schema = "
                + "current_schema() AND table_name = 'users' AND column_name = 'created_at'").getFirst().isEmpty());
    }

    private static List<String> column(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }
}
