package dev.backend.server.migration;

import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
