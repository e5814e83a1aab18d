package dev.backend.server.migration;

import static dev.backend.server.migration.Fixtures.SETTINGS;
import static dev.backend.server.migration.Fixtures.column;
import static dev.backend.server.migration.Fixtures.update;
import static dev.backend.server.migration.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.migration.MigrationStatus.State;
import dev.backend.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MigratorTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path dir;

    private DataSource ds;

    @BeforeEach
    void freshSchema() {
        ds = Fixtures.dataSource(DB, Fixtures.newSchema(DB));
    }

    private Migrator migrator() {
        return Migrator.create(ds, MigrationSource.directory(dir), SETTINGS);
    }

    private List<State> states() {
        return migrator().status().entries().stream().map(MigrationStatus.Entry::state).toList();
    }

    @Test
    void appliesInNumericVersionOrderAndRecordsEachInTheHistory() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (id serial PRIMARY KEY, version text NOT NULL);");
        write(dir, "V1.10__ten.sql", "INSERT INTO log (version) VALUES ('1.10');");
        write(dir, "V1.9__nine.sql", "INSERT INTO log (version) VALUES ('1.9');");
        write(dir, "V2__two.sql", "INSERT INTO log (version) VALUES ('2');");

        assertEquals(4, migrator().migrate());

        assertEquals(List.of("1.9", "1.10", "2"), column(ds, "SELECT version FROM log ORDER BY id"));
        assertEquals(List.of("1|create log|true", "1.10|ten|true", "1.9|nine|true", "2|two|true"), column(ds,
                "SELECT version || '|' || description || '|' || success FROM schema_migrations ORDER BY version"));
        String checksum = ScriptLoader.load(MigrationSource.directory(dir)).getFirst().checksum();
        assertEquals(List.of(checksum), column(ds, "SELECT checksum FROM schema_migrations WHERE version = '1'"));
        assertEquals(List.of("4"), column(ds, "SELECT count(*) FROM schema_migrations "
                + "WHERE installed_on IS NOT NULL AND execution_ms >= 0"));
        assertEquals(List.of(State.APPLIED, State.APPLIED, State.APPLIED, State.APPLIED), states());
    }

    @Test
    void aSecondRunIsANoOp() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (id serial PRIMARY KEY, version text NOT NULL);");
        write(dir, "V2__insert.sql", "INSERT INTO log (version) VALUES ('2');");
        assertEquals(2, migrator().migrate());
        List<String> history = column(ds, "SELECT version || installed_on FROM schema_migrations ORDER BY version");

        assertEquals(0, migrator().migrate());

        assertEquals(List.of("1"), column(ds, "SELECT count(*) FROM log"));
        assertEquals(history, column(ds, "SELECT version || installed_on FROM schema_migrations ORDER BY version"));
    }

    @Test
    void refusesAChangedMigrationNamingVersionAndBothChecksumsAndAppliesNothing() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        migrator().migrate();
        String applied = ScriptLoader.load(MigrationSource.directory(dir)).getFirst().checksum();
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text, extra int);");
        write(dir, "V2__insert.sql", "INSERT INTO log VALUES ('2');");
        String changed = ScriptLoader.load(MigrationSource.directory(dir)).getFirst().checksum();

        MigrationException e = assertThrows(MigrationException.class, () -> migrator().migrate());

        assertEquals("V1 (create log) was changed after it was applied: the database recorded checksum " + applied
                + ", V1__create_log.sql now has " + changed
                + ". Restore the file as it was applied, and put new changes in a new migration", e.getMessage());
        assertEquals(List.of("0"), column(ds, "SELECT count(*) FROM log"));
        assertEquals(List.of(State.CHANGED, State.PENDING), states());
    }

    @Test
    void refusesWhenAnAppliedMigrationIsMissingUnlessTold() throws Exception {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        write(dir, "V2__insert.sql", "INSERT INTO log VALUES ('2');");
        migrator().migrate();
        Files.delete(dir.resolve("V2__insert.sql"));
        write(dir, "V3__insert.sql", "INSERT INTO log VALUES ('3');");

        MigrationException e = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertTrue(e.getMessage().startsWith("V2 (insert) was applied on "), e.getMessage());
        assertTrue(e.getMessage().endsWith("but no file for it is in " + dir.toAbsolutePath() + ". Restore the file, or "
                + "set MIGRATIONS_IGNORE_MISSING=true if it was removed on purpose"), e.getMessage());
        assertEquals(List.of(State.APPLIED, State.MISSING, State.PENDING), states());

        assertEquals(1, Migrator.create(ds, MigrationSource.directory(dir), Fixtures.settings(false, true)).migrate());
        assertEquals(List.of("2", "3"), column(ds, "SELECT version FROM log ORDER BY version"));
    }

    @Test
    void refusesAnOutOfOrderMigrationUnlessTold() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        write(dir, "V3__three.sql", "INSERT INTO log VALUES ('3');");
        migrator().migrate();
        write(dir, "V2__two.sql", "INSERT INTO log VALUES ('2');");
        write(dir, "V4__four.sql", "INSERT INTO log VALUES ('4');");

        MigrationException e = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertEquals("V2 (two) is not applied but is lower than the latest applied version 3 (out of order). "
                + "Give it a version above 3, or set MIGRATIONS_OUT_OF_ORDER=true to apply it anyway", e.getMessage());
        assertEquals(List.of(State.APPLIED, State.OUT_OF_ORDER, State.APPLIED, State.PENDING), states());
        assertEquals(List.of("3"), column(ds, "SELECT version FROM log"));

        assertEquals(2, Migrator.create(ds, MigrationSource.directory(dir), Fixtures.settings(true, false)).migrate());
        assertEquals(List.of("3", "2", "4"), column(ds, "SELECT version FROM log ORDER BY ctid"));
    }

    @Test
    void aFailingMigrationRollsBackRecordsNothingAndNamesFileAndLine() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        write(dir, "V2__broken.sql", """
                CREATE TABLE half (id int);
                INSERT INTO log VALUES ('2');
                -- café, naïve, 😀: characters before the error must not shift the line
                SELECT 'é😀',
                       version,
                       no_such_column
                FROM log;
                INSERT INTO log VALUES ('unreached');
                """);

        MigrationException e = assertThrows(MigrationException.class, () -> migrator().migrate());

        assertEquals("Migration V2__broken.sql failed at line 6 (statement 3 of 4, starting at line 4): "
                + "ERROR: column \"no_such_column\" does not exist [42703]. Rolled back: nothing of it was applied.",
                e.getMessage());
        assertEquals(List.of("1"), column(ds, "SELECT version FROM schema_migrations"));
        assertEquals(List.of("0"), column(ds, "SELECT count(*) FROM log"));
        assertEquals(List.of("f"), column(ds, "SELECT to_regclass('half') IS NOT NULL"));
        assertEquals(List.of(State.APPLIED, State.PENDING), states());
    }

    @Test
    void aSyntaxErrorNamesItsLineAndAnErrorWithoutPositionNamesTheStatement() {
        write(dir, "V1__syntax.sql", "CREATE TABLE ok (id int);\n\nCREATE TABLE bad (\n  id int,\n  name text,,\n);\n");
        MigrationException syntax = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertTrue(syntax.getMessage().startsWith("Migration V1__syntax.sql failed at line 5 (statement 2 of 2, "
                + "starting at line 3): ERROR: syntax error at or near \",\" [42601]"), syntax.getMessage());

        write(dir, "V1__syntax.sql", "SELECT 1;\nDO $$\nBEGIN\n  PERFORM 1 / 0;\nEND\n$$;\n");
        MigrationException runtime = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertTrue(runtime.getMessage().startsWith("Migration V1__syntax.sql failed at line 2 (statement 2 of 2, "
                + "starting at line 2): ERROR: division by zero [22012]"), runtime.getMessage());
    }

    @Test
    void runsANoTransactionFileOutsideATransactionForCreateIndexConcurrently() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        write(dir, "V2__index.sql", """
                -- migrate:no-transaction
                CREATE INDEX CONCURRENTLY log_version_idx ON log (version);
                CREATE INDEX CONCURRENTLY log_upper_idx ON log (upper(version));
                """);

        assertEquals(2, migrator().migrate());

        assertEquals(List.of("log_upper_idx|true", "log_version_idx|true"), column(ds, "SELECT c.relname || '|' || i.indisvalid "
                + "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE i.indrelid = 'log'::regclass ORDER BY 1"));
        assertEquals(List.of("2|true"), column(ds, "SELECT version || '|' || success FROM schema_migrations WHERE version = '2'"));
    }

    @Test
    void concurrentlyInsideATransactionFailsWithAHintAboutTheDirective() {
        write(dir, "V1__index.sql", "CREATE TABLE log (version text);\nCREATE INDEX CONCURRENTLY i ON log (version);\n");
        MigrationException e = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertTrue(e.getMessage().contains("failed at line 2"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Put '-- migrate:no-transaction' on the first line of the file to run it "
                + "outside a transaction."), e.getMessage());
    }

    @Test
    void aFailedNoTransactionMigrationBlocksLaterRunsUntilRepaired() {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text, code int); INSERT INTO log VALUES ('a', 1), ('b', 1);");
        write(dir, "V2__indexes.sql", """
                -- migrate:no-transaction
                CREATE INDEX CONCURRENTLY log_version_idx ON log (version);
                CREATE UNIQUE INDEX CONCURRENTLY log_code_key ON log (code);
                """);

        MigrationException first = assertThrows(MigrationException.class, () -> migrator().migrate());
        assertTrue(first.getMessage().startsWith("Migration V2__indexes.sql failed at line 3 (statement 2 of 2, "
                + "starting at line 3): ERROR: could not create unique index \"log_code_key\" [23505]"), first.getMessage());
        assertTrue(first.getMessage().contains("recorded as failed"), first.getMessage());
        assertEquals(List.of("1|true", "2|false"), column(ds, "SELECT version || '|' || success FROM schema_migrations ORDER BY 1"));
        // The first statement stays applied: there was no transaction to roll back.
        assertEquals(List.of("t"), column(ds, "SELECT to_regclass('log_version_idx') IS NOT NULL"));

        MigrationException blocked = assertThrows(MigrationException.class, () -> migrator().migrate());
        String schema = column(ds, "SELECT current_schema()").getFirst();
        assertTrue(blocked.getMessage().startsWith("V2 (indexes) failed on "), blocked.getMessage());
        assertTrue(blocked.getMessage().endsWith("outside a transaction, so part of it may be applied. Repair the "
                + "database by hand, then delete its history row so it runs again: DELETE FROM " + schema
                + ".schema_migrations WHERE version = '2'"), blocked.getMessage());
        assertEquals(List.of(State.APPLIED, State.FAILED), states());

        // The documented repair: undo the half-done work, fix the cause, delete the row, run again.
        update(ds, "DROP INDEX IF EXISTS log_version_idx");
        update(ds, "DROP INDEX IF EXISTS log_code_key");
        update(ds, "UPDATE log SET code = 2 WHERE version = 'b'");
        update(ds, "DELETE FROM schema_migrations WHERE version = '2'");
        assertEquals(1, migrator().migrate());
        assertEquals(List.of(State.APPLIED, State.APPLIED), states());
    }

    @Test
    void runsDollarQuotedFunctionBodiesAndSqlStandardBodies() {
        write(dir, "V1__functions.sql", """
                CREATE TABLE log (version text, note text);

                CREATE FUNCTION note_it() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                  NEW.note := 'noted; ' || $$inner $ quote;$$;
                  RETURN NEW;
                END;
                $fn$;

                CREATE TRIGGER log_note BEFORE INSERT ON log FOR EACH ROW EXECUTE FUNCTION note_it();

                CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql IMMUTABLE
                BEGIN ATOMIC
                  SELECT CASE WHEN n IS NULL THEN 0 ELSE n * 2 END;
                END;

                DO $$
                BEGIN
                  INSERT INTO log (version) VALUES (twice(21)::text);
                END
                $$;
                """);

        migrator().migrate();

        assertEquals(List.of("42|noted; inner $ quote;"), column(ds, "SELECT version || '|' || note FROM log"));
    }

    @Test
    void keepsSemicolonsInStringsIdentifiersAndComments() {
        write(dir, "V1__semicolons.sql", """
                /* A header; with /* a nested; */ comment; */
                CREATE TABLE "odd;name" ("a;b" text); -- a trailing; comment
                INSERT INTO "odd;name" VALUES ('one; two'), ('it''s; three'), (E'four\\'s; \\\\ five');
                -- INSERT INTO "odd;name" VALUES ('commented out');
                INSERT INTO "odd;name" VALUES ($$six; $$ || $x$seven;$x$);
                """);

        migrator().migrate();

        assertEquals(List.of("one; two", "it's; three", "four's; \\ five", "six; seven;"),
                column(ds, "SELECT \"a;b\" FROM \"odd;name\" ORDER BY ctid"));
    }

    @Test
    void keepsMultiActionRulesInParenthesesWhole() {
        write(dir, "V1__rule.sql", """
                CREATE TABLE audit (n int);
                CREATE VIEW v AS SELECT 1 AS n;
                CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD (
                  INSERT INTO audit VALUES (NEW.n);
                  INSERT INTO audit VALUES (NEW.n + 1)
                );
                INSERT INTO v VALUES (10);
                """);

        migrator().migrate();

        assertEquals(List.of("10", "11"), column(ds, "SELECT n FROM audit ORDER BY n"));
    }
}
