package dev.backend.server;

import dev.backend.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The PostgreSQL backends serving backend-server's pool on a test database: the same set before and after a
 * request means no pooled connection was replaced. Public, in the test jar, for reference-service's tests.
 */
public final class PoolBackends {

    private PoolBackends() {
    }

    /** The process ids of the connections named {@code backend-server} on {@code db}'s database. */
    public static Set<Integer> of(TestDatabase db) throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection connection = db.connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'backend-server' AND datname = ?")) {
            query.setString(1, db.name());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getInt(1));
                }
            }
        }
        return pids;
    }
}
