package dev.backend.server.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The history table, {@value Migrator#HISTORY_TABLE}: one row per migration that ran, in the schema that is
 * current when the run starts (the first existing schema of the {@code search_path}, usually {@code public}).
 * The name is resolved once per run and used qualified, so a migration that changes the {@code search_path}
 * cannot move the history elsewhere.
 */
final class History {

    /** One row: {@code success} is false only for a no-transaction migration that failed part way. */
    record Row(String version, String description, String checksum, Instant installedOn, long executionMillis,
            boolean success) {}

    private History() {}

    /** The qualified, quoted-where-needed table name, such as {@code public.schema_migrations}. */
    static String table(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT quote_ident(current_schema())")) {
            rs.next();
            String schema = rs.getString(1);
            if (schema == null) {
                throw new MigrationException("No schema for the migration history: none of the search_path's "
                        + "schemas exists (create one, or set the search_path, e.g. with currentSchema in the URL)");
            }
            return schema + "." + Migrator.HISTORY_TABLE;
        }
    }

    static void create(Connection connection, String table) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "version text PRIMARY KEY, "
                    + "description text NOT NULL, "
                    + "checksum text NOT NULL, "
                    + "installed_on timestamptz NOT NULL DEFAULT now(), "
                    + "execution_ms bigint NOT NULL, "
                    + "success boolean NOT NULL)");
        }
    }

    static boolean exists(Connection connection, String table) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static List<Row> read(Connection connection, String table) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, description, checksum, installed_on, execution_ms, "
                        + "success FROM " + table)) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getLong(5), rs.getBoolean(6)));
            }
        }
        return rows;
    }

    static void insert(Connection connection, String table, Script script, long executionMillis, boolean success)
            throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("INSERT INTO " + table
                + " (version, description, checksum, execution_ms, success) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, script.version().toString());
            s.setString(2, script.description());
            s.setString(3, script.checksum());
            s.setLong(4, executionMillis);
            s.setBoolean(5, success);
            s.executeUpdate();
        }
    }
}
