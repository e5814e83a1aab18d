package dev.backend.server.migration;

import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Shared set-up for migration tests: each test gets its own schema in the class's database (the history
 * table lives in the current schema), and writes its migration files to a temporary directory.
 */
public final class Fixtures {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    /** Default switches with a short lock timeout, so a stuck test fails quickly. */
    public static final Config.Migrations SETTINGS = settings(false, false);

    private Fixtures() {}

    public static Config.Migrations settings(boolean outOfOrder, boolean ignoreMissing) {
        return new Config.Migrations(Optional.empty(), Duration.ofSeconds(30), outOfOrder, ignoreMissing);
    }

    /** Creates a new, empty schema and returns its name. */
    public static String newSchema(TestDatabase db) {
        String schema = "m" + SCHEMAS.incrementAndGet() + "_" + ProcessHandle.current().pid();
        update(db, "CREATE SCHEMA " + schema);
        return schema;
    }

    /** A data source whose connections work in {@code schema}. */
    public static PGSimpleDataSource dataSource(TestDatabase db, String schema) {
        PGSimpleDataSource dataSource = (PGSimpleDataSource) db.dataSource();
        dataSource.setCurrentSchema(schema);
        return dataSource;
    }

    public static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void update(TestDatabase db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void update(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the migration lock on {@code c}, as another instance's run would hold it. */
    public static void lock(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + Migrator.LOCK_KEY + ")");
        }
    }

    public static void unlock(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + Migrator.LOCK_KEY + ")");
        }
    }

    /**
     * Polls until {@code n} sessions of {@code c}'s database queue for the migration lock; a deadline, not a
     * sleep, decides failure.
     */
    public static void awaitLockWaiters(Connection c, int n) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int waiting = 0;
        while (System.nanoTime() < deadline) {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    + "AND NOT granted AND (classid::bigint << 32) | objid::bigint = ? "
                    + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                s.setLong(1, Migrator.LOCK_KEY);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    waiting = rs.getInt(1);
                }
            }
            if (waiting >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("only " + waiting + " of " + n + " runners queued for the migration lock within 60 s");
    }

    /** The first column of every row, as text. */
    public static List<String> column(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
