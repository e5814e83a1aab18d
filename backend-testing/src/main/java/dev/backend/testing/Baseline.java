package dev.backend.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The data a database held right after its migrations, and the way back to it: every table the migrations
 * created is emptied with one {@code TRUNCATE}, the rows they inserted (the history table's, seed data) are
 * copied back with binary {@code COPY}, and every sequence is set to the value it had.
 *
 * <p>{@code TRUNCATE} rather than {@code DELETE}: it runs no row triggers of the application's and needs no
 * order between tables that reference each other. Tables created later, by tests, are left alone, and so
 * is the schema: a test that changes it changes it for the tests after it.
 */
final class Baseline {

    /** Tables and sequences of the application: not the catalogs', not a temporary one, not an extension's. */
    private static final String OWNED = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
            + "AND c.relpersistence <> 't' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
            + "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')";

    private static final String TABLES = "SELECT c.oid, format('%I.%I', n.nspname, c.relname), c.relkind = 'r' "
            + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
            + OWNED + " ORDER BY 2";

    private static final String REFERENCES = "SELECT conrelid, confrelid FROM pg_constraint "
            + "WHERE contype = 'f' AND conrelid <> confrelid";

    private static final String SEQUENCES = "SELECT 'SELECT ' || string_agg(format('setval(%L, %s, %s)', "
            + "format('%I.%I', n.nspname, c.relname), coalesce(pg_sequence_last_value(c.oid), s.seqstart), "
            + "(pg_sequence_last_value(c.oid) IS NOT NULL)::text), ', ') FROM pg_sequence s "
            + "JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + OWNED;

    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** A table with the rows the migrations left in it, in PostgreSQL's binary COPY format. */
    private record Rows(String table, byte[] copy) {}

    private final Optional<String> truncate;
    private final List<Rows> rows;
    private final Optional<String> sequences;

    private Baseline(Optional<String> truncate, List<Rows> rows, Optional<String> sequences) {
        this.truncate = truncate;
        this.rows = rows;
        this.sequences = sequences;
    }

    /** Records what the database behind {@code connection} holds now. */
    static Baseline take(Connection connection) throws SQLException {
        Map<Long, String> tables = new LinkedHashMap<>();
        Set<Long> copyable = new HashSet<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(TABLES)) {
            while (rs.next()) {
                tables.put(rs.getLong(1), rs.getString(2));
                if (rs.getBoolean(3)) {
                    copyable.add(rs.getLong(1));
                }
            }
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        Map<Long, Rows> filled = new LinkedHashMap<>();
        for (Map.Entry<Long, String> table : tables.entrySet()) {
            if (copyable.contains(table.getKey())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                long count = copyOut(copy, "COPY " + table.getValue() + " TO STDOUT (FORMAT binary)", out);
                if (count > 0) {
                    filled.put(table.getKey(), new Rows(table.getValue(), out.toByteArray()));
                }
            }
        }
        Optional<String> sequences;
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(SEQUENCES)) {
            rs.next();
            sequences = Optional.ofNullable(rs.getString(1)); // null when there is no sequence
        }
        Optional<String> truncate = tables.isEmpty()
                ? Optional.empty()
                : Optional.of("TRUNCATE " + String.join(", ", tables.values()));
        return new Baseline(truncate, referencedFirst(connection, filled), sequences);
    }

    /**
     * Puts the database behind {@code connection} back as it was when this baseline was taken, in one
     * transaction.
     *
     * @throws IllegalStateException when another connection holds a lock on a table for longer than {@code
     *     lockTimeout}, as a transaction left open does
     */
    void restore(Connection connection, Duration lockTimeout) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            // A transaction a test left open would otherwise block the TRUNCATE forever.
            statement.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
            if (truncate.isPresent()) {
                statement.execute(truncate.get());
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (Rows table : rows) {
                try {
                    copy.copyIn("COPY " + table.table() + " FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(table.copy()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (sequences.isPresent()) {
                statement.execute(sequences.get());
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw new IllegalStateException("Could not reset database " + connection.getCatalog() + " within "
                        + lockTimeout.toMillis() + " ms: another connection holds a lock on its tables (a transaction "
                        + "left open by a test, or by a server still running one?)", e);
            }
            throw e;
        } catch (RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private static long copyOut(CopyManager copy, String sql, ByteArrayOutputStream out) throws SQLException {
        try {
            return copy.copyOut(sql, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The filled tables ordered so that a table comes after those its foreign keys point to, as the rows are
     * checked while they are copied back. Tables in a cycle of references keep their name order.
     */
    private static List<Rows> referencedFirst(Connection connection, Map<Long, Rows> filled) throws SQLException {
        Map<Long, Set<Long>> pointsTo = new HashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(REFERENCES)) {
            while (rs.next()) {
                if (filled.containsKey(rs.getLong(1)) && filled.containsKey(rs.getLong(2))) {
                    pointsTo.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getLong(2));
                }
            }
        }
        List<Rows> ordered = new ArrayList<>(filled.size());
        Set<Long> placed = new HashSet<>();
        while (placed.size() < filled.size()) {
            boolean progress = false;
            for (Map.Entry<Long, Rows> table : filled.entrySet()) {
                if (!placed.contains(table.getKey())
                        && placed.containsAll(pointsTo.getOrDefault(table.getKey(), Set.of()))) {
                    ordered.add(table.getValue());
                    placed.add(table.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                filled.forEach((oid, table) -> {
                    if (placed.add(oid)) {
                        ordered.add(table);
                    }
                });
            }
        }
        return ordered;
    }
}
