package dev.backend.server.migration;

import static dev.backend.server.migration.Fixtures.SETTINGS;
import static dev.backend.server.migration.Fixtures.column;
import static dev.backend.server.migration.Fixtures.update;
import static dev.backend.server.migration.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.backend.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.core.BaseConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * A migration runs exactly what its file says, against real PostgreSQL: line endings, strings, empty files, and
 * files an earlier version did not run whole.
 */
class MigrationTextTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path dir;

    private PGSimpleDataSource ds;

    @BeforeEach
    void freshSchema() {
        ds = Fixtures.dataSource(DB, Fixtures.newSchema(DB));
    }

    private Migrator migrator(DataSource dataSource) {
        return Migrator.create(dataSource, MigrationSource.directory(dir), SETTINGS);
    }

    @Test
    void theOldMacFileOfTheIssueCreatesItsTable() {
        write(dir, "V1__audit.sql", "-- create the audit table\rCREATE TABLE audit(id int);\r");

        assertEquals(1, migrator(ds).migrate());

        assertEquals(List.of("t"), column(ds, "SELECT to_regclass('audit') IS NOT NULL"));
        assertEquals(List.of("1|true"), column(ds, "SELECT version || '|' || success FROM schema_migrations"));
    }

    @Test
    void refusesAFileWithNoStatementNamingItAndAppliesNothing() {
        write(dir, "V1__table.sql", "CREATE TABLE t (id int);");
        write(dir, "V2__empty.sql", "");
        write(dir, "V3__comments.sql", "-- migrate:no-transaction\r\n/* nothing /* here */ */\n;\f;\r");

        MigrationException e = assertThrows(MigrationException.class, () -> migrator(ds).migrate());

        assertTrue(e.getMessage().contains("V2 (empty): V2__empty.sql has no SQL statement to run (it is empty, or "
                + "only comments and whitespace)"), e.getMessage());
        assertTrue(e.getMessage().contains("V3 (comments): V3__comments.sql has no SQL statement"), e.getMessage());
        assertEquals(List.of("f"), column(ds, "SELECT to_regclass('t') IS NOT NULL"));
        assertEquals(List.of("0"), column(ds, "SELECT count(*) FROM schema_migrations"));
    }

    @Test
    void anEmptyFileRecordedAsAppliedBeforeStaysApplied() {
        assertEquals(0, migrator(ds).migrate());
        // An older version applied such files; its history row must not block later runs.
        write(dir, "V1__empty.sql", "-- placeholder\n");
        update(ds, "INSERT INTO schema_migrations (version, description, checksum, execution_ms, success) VALUES "
                + "('1', 'empty', '" + Script.checksum("-- placeholder\n") + "', 0, true)");
        write(dir, "V2__table.sql", "CREATE TABLE t (id int);");

        assertEquals(1, migrator(ds).migrate());
        assertEquals(List.of(MigrationStatus.State.APPLIED, MigrationStatus.State.APPLIED),
                migrator(ds).status().entries().stream().map(MigrationStatus.Entry::state).toList());
    }

    @Test
    void refusesAMigrationAnEarlierVersionRecordedAsAppliedWithoutRunningItUntilRepaired() throws Exception {
        String file = "-- create the audit table\rCREATE TABLE audit(id int);\r";
        assertEquals(0, Migrator.create(ds, MigrationSource.directory(Files.createDirectory(dir.resolve("none"))),
                SETTINGS).migrate());
        // What the earlier version left behind: a history row for a file of which nothing ran.
        update(ds, "INSERT INTO schema_migrations (version, description, checksum, execution_ms, success) VALUES "
                + "('1', 'audit', '" + Script.checksum(file) + "', 0, true)");
        write(dir, "V1__audit.sql", file);
        write(dir, "V2__later.sql", "CREATE TABLE later (id int);");

        MigrationException e = assertThrows(MigrationException.class, () -> migrator(ds).migrate());

        String schema = column(ds, "SELECT current_schema()").getFirst();
        assertEquals("V1 (audit) is recorded as applied, but the statement on line 2 of V1__audit.sql never ran: its "
                + "lines end in CR, and the version that applied it read a -- comment as running on to the next LF. "
                + "Nothing of it ran, so delete its history row so it runs whole: DELETE FROM " + schema
                + ".schema_migrations WHERE version = '1'", e.getMessage());
        assertEquals(List.of(MigrationStatus.State.INCOMPLETE, MigrationStatus.State.PENDING),
                migrator(ds).status().entries().stream().map(MigrationStatus.Entry::state).toList());
        assertEquals(List.of("f"), column(ds, "SELECT to_regclass('later') IS NOT NULL"));

        update(ds, "DELETE FROM schema_migrations WHERE version = '1'");
        assertEquals(2, migrator(ds).migrate());
        assertEquals(List.of("t"), column(ds, "SELECT to_regclass('audit') IS NOT NULL"));
    }

    @Test
    void readsAFileThatSetsStandardConformingStringsTheWayItSaysFromThere() {
        write(dir, "V1__escapes.sql", """
                CREATE TABLE t (n int, s text);
                SET standard_conforming_strings = off;
                INSERT INTO t VALUES (1, 'a\\';b');
                SET standard_conforming_strings = on;
                INSERT INTO t VALUES (2, 'C:\\');
                """);

        migrator(ds).migrate();

        assertEquals(List.of("a';b", "C:\\"), column(ds, "SELECT s FROM t ORDER BY n"));
    }

    /** Valid either way, but one statement with standard_conforming_strings off, three with it on. */
    private static final String EITHER_WAY = "INSERT INTO t VALUES ('a\\'); SELECT 1; --');\n";

    @Test
    void readsTheRestOfAFileAgainWhereTheServerReportsAChangeItsTextDoesNotShow() {
        write(dir, "V1__escapes.sql", "CREATE TABLE t (s text);\n"
                + "SELECT set_config('standard_conforming_strings', 'off', false);\n" + EITHER_WAY);

        migrator(ds).migrate();

        assertEquals(List.of("a'); SELECT 1; --"), column(ds, "SELECT s FROM t"));
    }

    @Test
    void readsAFileWithTheSettingTheSessionStartsWith() {
        ds.setOptions("-c standard_conforming_strings=off");
        write(dir, "V1__escapes.sql", "CREATE TABLE t (s text);\n" + EITHER_WAY);

        migrator(ds).migrate();

        assertEquals(List.of("a'); SELECT 1; --"), column(ds, "SELECT s FROM t"));
    }

    @Test
    void aFileThatCannotBeReadTheWayTheSessionReadsItIsRolledBackNamingTheLine() {
        ds.setOptions("-c standard_conforming_strings=off");
        write(dir, "V1__windows_path.sql", "CREATE TABLE t (s text);\nINSERT INTO t VALUES ('C:\\');\n");

        MigrationException e = assertThrows(MigrationException.class, () -> migrator(ds).migrate());

        assertEquals("Migration V1__windows_path.sql cannot be read the way the session reads it, with "
                + "standard_conforming_strings off from the start: unterminated string literal starting at line 2 (read "
                + "with standard_conforming_strings off). Rolled back: nothing of it was applied.", e.getMessage());
        assertEquals(List.of("f"), column(ds, "SELECT to_regclass('t') IS NOT NULL"));
    }

    @Test
    void sendsAStringContinuedOnTheNextLineAsOneString() {
        // pgJDBC's own lexer, used in its default query mode, would end the second part at \' and split at ;.
        write(dir, "V1__continued.sql", "CREATE TABLE t AS SELECT E'a'\r'\\';b' AS s;\r");

        migrator(ds).migrate();

        assertEquals(List.of("a';b"), column(ds, "SELECT s FROM t"));
    }

    @Test
    void sendsTwoQuestionMarksAsWritten() {
        // pgJDBC's default query mode turns ?? into ?: this would create, and use, an operator named ?.
        write(dir, "V1__operator.sql", """
                CREATE FUNCTION plus(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;
                CREATE OPERATOR ?? (LEFTARG = int, RIGHTARG = int, FUNCTION = plus);
                CREATE TABLE t AS SELECT 1 ?? 2 AS n;
                """);

        migrator(ds).migrate();

        assertEquals(List.of("3"), column(ds, "SELECT n FROM t"));
        assertEquals(List.of("??"), column(ds, "SELECT oprname FROM pg_operator WHERE oprcode = 'plus'::regproc"));
    }

    @Test
    void givesThePoolItsConnectionBackInTheQueryModeItHad() throws SQLException {
        write(dir, "V1__table.sql", "CREATE TABLE t (id int);");
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            migrator(pool).migrate();

            try (Connection c = pool.getConnection()) {
                assertEquals(PreferQueryMode.EXTENDED, c.unwrap(BaseConnection.class).getPreferQueryMode());
            }
        }
    }
}
