package dev.backend.server.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSplitterTest {

    private static List<String> split(String sql) {
        return SqlSplitter.split(sql).stream().map(SqlSplitter.Statement::sql).toList();
    }

    @Test
    void splitsOnSemicolonsAndDropsEmptyStatementsAndTrailingWhitespace() {
        assertEquals(List.of("CREATE TABLE a (id int)", "CREATE TABLE b (id int)", "SELECT 1"),
                split("CREATE TABLE a (id int);\n;;\n  CREATE TABLE b (id int)  ;\nSELECT 1\n\n"));
    }

    @Test
    void keepsSemicolonsInsideStringLiteralsWithDoubledQuotes() {
        assertEquals(List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine', '')", "SELECT ';'"),
                split("INSERT INTO t VALUES ('a;b', 'it''s; fine', '');SELECT ';';"));
    }

    @Test
    void treatsBackslashAsPlainInStandardStringsButAsEscapeInEStrings() {
        assertEquals(List.of("SELECT 'C:\\'", "SELECT 2"), split("SELECT 'C:\\'; SELECT 2;"));
        assertEquals(List.of("SELECT E'it\\'s; \\\\'", "SELECT e'\\';'", "SELECT 3"),
                split("SELECT E'it\\'s; \\\\'; SELECT e'\\';'; SELECT 3"));
    }

    @Test
    void anIdentifierEndingInEIsNotAnEscapeStringPrefix() {
        // "type'..." is a typed literal; the backslash is plain, so the string ends at the second quote.
        assertEquals(List.of("SELECT type'a\\'", "SELECT 2"), split("SELECT type'a\\'; SELECT 2"));
    }

    @Test
    void keepsSemicolonsInsideQuotedIdentifiers() {
        assertEquals(List.of("CREATE TABLE \"we;ird\"\"name\" (\"a;b\" int)", "SELECT 1"),
                split("CREATE TABLE \"we;ird\"\"name\" (\"a;b\" int); SELECT 1"));
    }

    @Test
    void keepsDollarQuotedBodiesWholeWithAndWithoutTags() {
        String function = """
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                  RAISE NOTICE 'a; $$ inside; $other$';
                  RETURN NEW;
                END;
                $fn$""";
        String block = "DO $$ BEGIN PERFORM 1; END $$";
        assertEquals(List.of(function, block, "SELECT 1"), split(function + ";\n" + block + ";\nSELECT 1;"));
    }

    @Test
    void positionalParametersAndDollarsInIdentifiersStartNoQuote() {
        assertEquals(List.of("PREPARE p(int) AS SELECT $1", "SELECT a$b$ FROM t", "SELECT 2"),
                split("PREPARE p(int) AS SELECT $1; SELECT a$b$ FROM t; SELECT 2"));
    }

    @Test
    void ignoresSemicolonsInLineAndNestedBlockComments() {
        String sql = """
                -- leading comment; not a statement
                SELECT 1 -- trailing; comment
                ;
                /* block; /* nested; */ still comment; */ SELECT 2;
                SELECT 3 /* inside; */ + 4;
                -- only a comment at the end;
                """;
        assertEquals(List.of("SELECT 1 -- trailing; comment", "SELECT 2", "SELECT 3 /* inside; */ + 4"), split(sql));
    }

    @Test
    void keepsSemicolonsInsideParentheses() {
        assertEquals(List.of("CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); NOTIFY t)"),
                split("CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); NOTIFY t);"));
    }

    @Test
    void keepsSqlStandardFunctionBodiesWhole() {
        String function = """
                CREATE OR REPLACE FUNCTION grade(n int) RETURNS text LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN n > 5 THEN 'high' ELSE 'low' END;
                  SELECT 'unreached';
                END""";
        String procedure = "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END";
        assertEquals(List.of(function, procedure, "SELECT CASE WHEN true THEN 1 END", "BEGIN", "COMMIT"),
                split(function + ";\n" + procedure + ";\nSELECT CASE WHEN true THEN 1 END; BEGIN; COMMIT;"));
    }

    @Test
    void reportsStatementOffsetsAndLines() {
        List<SqlSplitter.Statement> statements = SqlSplitter.split("-- header\n\nSELECT 1;\n  SELECT\n  2;");
        assertEquals(new SqlSplitter.Statement("SELECT 1", 11, 3), statements.get(0));
        assertEquals(new SqlSplitter.Statement("SELECT\n  2", 23, 4), statements.get(1));
        assertEquals(5, SqlSplitter.lineAt("-- header\n\nSELECT 1;\n  SELECT\n  2;", 33));
    }

    @Test
    void rejectsUnterminatedQuotesAndCommentsNamingTheLine() {
        assertMessage("unterminated string literal starting at line 2", "SELECT 1;\nSELECT 'oops;\n");
        assertMessage("unterminated quoted identifier starting at line 1", "SELECT \"x;");
        assertMessage("unterminated dollar-quoted string $fn$ starting at line 3", "\n\nDO $fn$ BEGIN END $$;");
        assertMessage("unterminated block comment starting at line 1", "/* a /* b */ SELECT 1;");
        assertMessage("unterminated escape string literal starting at line 1", "SELECT E'\\';");
    }

    private static void assertMessage(String expected, String sql) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlSplitter.split(sql));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
