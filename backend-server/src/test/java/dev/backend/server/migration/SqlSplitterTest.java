package dev.backend.server.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
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
        assertEquals(new SqlSplitter.Statement("SELECT 1", 11, 3, true), statements.get(0));
        assertEquals(new SqlSplitter.Statement("SELECT\n  2", 23, 4, true), statements.get(1));
        assertEquals(5, SqlSplitter.lineAt("-- header\n\nSELECT 1;\n  SELECT\n  2;", 33));
    }

    @Test
    void endsLineCommentsAtACarriageReturnAsPostgresDoes() {
        // The old-Mac file: the comment ends at the CR, so the CREATE TABLE is a statement on line 2.
        assertEquals(List.of(new SqlSplitter.Statement("CREATE TABLE audit(id int)", 26, 2, true)),
                SqlSplitter.split("-- create the audit table\rCREATE TABLE audit(id int);\r"));
        assertEquals(List.of("SELECT 1 -- one", "SELECT 2"), split("SELECT 1 -- one\r;\r\n-- two\r\nSELECT 2"));
    }

    @Test
    void countsLinesEndedByCrLfLfOrALoneCr() {
        List<SqlSplitter.Statement> statements = SqlSplitter.split("SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT\r4;");
        assertEquals(List.of(1, 2, 3, 4), statements.stream().map(SqlSplitter.Statement::line).toList());
        assertEquals(5, SqlSplitter.lineAt("a\r\nb\rc\nd\re", 12));
        assertEquals(3, SqlSplitter.lineAt("a\r\nb\r", 6));
    }

    @Test
    void treatsFormFeedAndVerticalTabAsWhitespaceButNotAsLineBreaks() {
        assertEquals(List.of(new SqlSplitter.Statement("SELECT\f1", 2, 1, true)),
                SqlSplitter.split("\f\u000BSELECT\f1\u000B;\u000B"));
        assertEquals(List.of("SELECT 1 -- a\fb", "SELECT 2"), split("SELECT 1 -- a\fb\n; SELECT 2"));
    }

    @Test
    void readsBackslashesInPlainStringsByStandardConformingStrings() {
        assertEquals(List.of("SELECT 'a\\'", "SELECT 2"), split("SELECT 'a\\'; SELECT 2", true));
        assertEquals(List.of("SELECT 'a\\'; SELECT 2'", "SELECT 3"), split("SELECT 'a\\'; SELECT 2'; SELECT 3", false));
        // N'' is a plain string with a NATIONAL CHARACTER label: the same rule.
        assertEquals(List.of("SELECT N'a\\'", "SELECT 2"), split("SELECT N'a\\'; SELECT 2", true));
        assertEquals(List.of("SELECT n'a\\'; SELECT 2'", "SELECT 3"), split("SELECT n'a\\'; SELECT 2'; SELECT 3", false));
    }

    @Test
    void neverTakesABackslashAsAnEscapeInUnicodeBitOrHexStrings() {
        for (boolean standard : List.of(true, false)) {
            assertEquals(List.of("SELECT U&'\\'", "SELECT u&'d\\0061t\\+000061'", "SELECT B'1\\'", "SELECT x'F\\'",
                    "SELECT 2"), split("SELECT U&'\\'; SELECT u&'d\\0061t\\+000061'; SELECT B'1\\'; SELECT x'F\\'; "
                    + "SELECT 2", standard));
        }
    }

    @Test
    void aBitStringHasNoDoubledQuoteButTheNextQuoteStartsAPlainString() {
        // B'10' then '0;1': scan.l ends the bit string at the second quote and starts a new string at the third.
        assertEquals(List.of("SELECT B'10''0;1'", "SELECT 2"), split("SELECT B'10''0;1'; SELECT 2"));
        assertEquals(List.of("SELECT B'10''\\';'", "SELECT 2"), split("SELECT B'10''\\';'; SELECT 2", false));
    }

    @Test
    void continuesAStringAcrossALineBreakInItsOwnKind() {
        // E'a' continued on the next line is still an escape string, so \' does not end it.
        assertEquals(List.of("SELECT E'a'\n'\\';'", "SELECT 2"), split("SELECT E'a'\n'\\';'; SELECT 2"));
        assertEquals(List.of("SELECT E'a' -- note\r  '\\';'", "SELECT 2"),
                split("SELECT E'a' -- note\r  '\\';'; SELECT 2"));
        // Without a line break there is no continuation: a new, plain string starts.
        assertEquals(List.of("SELECT E'a' '\\'", "SELECT 2"), split("SELECT E'a' '\\'; SELECT 2"));
        // A block comment does not continue a string either.
        assertEquals(List.of("SELECT E'a' /* */\n'\\'", "SELECT 2"), split("SELECT E'a' /* */\n'\\'; SELECT 2"));
    }

    @Test
    void keepsSemicolonsInUnicodeQuotedIdentifiers() {
        assertEquals(List.of("SELECT 1 AS U&\"a;\"\"b\"", "SELECT 2"), split("SELECT 1 AS U&\"a;\"\"b\"; SELECT 2"));
        // U& not followed by a quote is the identifier U and the operator &.
        assertEquals(List.of("SELECT u &'a;'", "SELECT 2"), split("SELECT u &'a;'; SELECT 2"));
    }

    @Test
    void startsADollarQuoteOnlyWherePostgresDoes() {
        assertEquals(List.of("SELECT $_1$;$_1$", "SELECT $été$ ; $été$", "SELECT $a$ $b$;$b$ $a$"),
                split("SELECT $_1$;$_1$; SELECT $été$ ; $été$; SELECT $a$ $b$;$b$ $a$;"));
        // A parameter with junk glued to it, a number with an identifier glued to it: errors for the server,
        // but no dollar quote, so the statements still end where PostgreSQL sees them end.
        assertEquals(List.of("SELECT $1abc$x$", "SELECT 1a$b$", "SELECT 2"),
                split("SELECT $1abc$x$; SELECT 1a$b$; SELECT 2;"));
        // A parameter followed by a tag, and a number followed by one, do start one.
        assertEquals(List.of("SELECT $1$a$;$a$", "SELECT 1$$;$$"), split("SELECT $1$a$;$a$; SELECT 1$$;$$;"));
        // $abc without a closing $ is a lone $ then the word abc.
        assertEquals(List.of("SELECT $abc", "SELECT 2"), split("SELECT $abc; SELECT 2"));
    }

    @Test
    void commentsHideEachOthersMarkersAndQuotes() {
        assertEquals(List.of("SELECT 1", "SELECT 2", "SELECT 3"),
                split("/* it's -- ; */ SELECT 1; -- /* '\nSELECT 2; /**/ /* ** / */ SELECT 3;"));
    }

    @Test
    void refusesPsqlMetaCommandsNamingTheLine() {
        assertMessage("line 2: \\set is a psql meta-command", "SELECT 1;\n\\set ON_ERROR_STOP on\nSELECT 2;");
        assertMessage("line 1: \\; is a psql meta-command", "SELECT 1 \\; SELECT 2;");
        assertMessage("line 3: \\i is a psql meta-command", "SELECT 1;\r\r\\i other.sql");
        assertMessage("(pg_dump writes these around a plain-text dump: delete both lines)",
                "\\restrict abc123\nCREATE TABLE t (id int);\n\\unrestrict abc123\n");
        // A backslash inside a string, identifier, comment or dollar quote is just a character.
        assertEquals(List.of("SELECT 'C:\\'", "SELECT E'\\\\'", "SELECT \"a\\b\"", "SELECT $$\\x$$"),
                split("SELECT 'C:\\'; SELECT E'\\\\'; -- \\set\nSELECT \"a\\b\"; /* \\i */ SELECT $$\\x$$;"));
    }

    @Test
    void refusesCopyFromStdinWhoseRowsOnlyPsqlSends() {
        assertMessage("line 2: COPY ... FROM STDIN reads its rows from the lines that follow it",
                "SELECT 1;\nCOPY public.t (a, b) FROM stdin;\n1\t'x\n\\.\n");
        assertMessage("line 1: COPY ... FROM STDIN", "copy t from STDIN");
        assertEquals(List.of("COPY t TO STDOUT", "COPY (SELECT 'from stdin') TO '/tmp/x'", "COPY t FROM '/tmp/stdin'"),
                split("COPY t TO STDOUT; COPY (SELECT 'from stdin') TO '/tmp/x'; COPY t FROM '/tmp/stdin';"));
    }

    @Test
    void rejectsUnterminatedQuotesAndCommentsNamingTheLine() {
        assertMessage("unterminated string literal starting at line 2", "SELECT 1;\nSELECT 'oops;\n");
        assertMessage("unterminated quoted identifier starting at line 1", "SELECT \"x;");
        assertMessage("unterminated quoted identifier starting at line 1", "SELECT U&\"x;");
        assertMessage("unterminated dollar-quoted string $fn$ starting at line 3", "\n\nDO $fn$ BEGIN END $$;");
        assertMessage("unterminated block comment starting at line 1", "/* a /* b */ SELECT 1;");
        assertMessage("unterminated escape string literal starting at line 1", "SELECT E'\\';");
        assertMessage("unterminated string literal starting at line 2", "SELECT 1;\rSELECT U&'x;");
        assertMessage("unterminated bit string literal starting at line 1", "SELECT b'01;");
        assertMessage("unterminated hexadecimal string literal starting at line 1", "SELECT X'0F;");
        assertMessage("unterminated string literal starting at line 1 (read with standard_conforming_strings off)",
                "SELECT 'C:\\';", false);
    }

    @Test
    void rejectsAParenthesisOrBeginAtomicBodyLeftOpenNamingWhereItOpened() {
        assertMessage("the '(' on line 2 is never closed", "SELECT 1;\nCREATE TABLE t (id int;\nSELECT 2;");
        assertMessage("the BEGIN on line 2 has no END",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n");
    }

    @Test
    void predictsStandardConformingStringsFromTheStatementsThatSetIt() {
        String sql = """
                SET standard_conforming_strings = off;
                SELECT 'a\\'; b';
                set local "standard_conforming_strings" to 'on';
                SELECT 'C:\\';
                SET SESSION standard_conforming_strings TO false;
                RESET standard_conforming_strings;
                SET standard_conforming_strings = of;
                RESET ALL;
                SELECT 'C:\\';
                """;
        assertEquals(List.of(true, false, false, true, true, false, true, false, true),
                SqlSplitter.split(sql).stream().map(SqlSplitter.Statement::standardConformingStrings).toList());
        assertEquals(Optional.of(false), SqlSplitter.settingAfter("SET standard_conforming_strings = 0"));
        assertEquals(Optional.of(true), SqlSplitter.settingAfter("SET standard_conforming_strings TO DEFAULT"));
        assertEquals(Optional.of(true), SqlSplitter.settingAfter("set standard_conforming_strings=ye"));
        assertEquals(Optional.empty(), SqlSplitter.settingAfter("SET standard_conforming_strings = o"));
        assertEquals(Optional.empty(), SqlSplitter.settingAfter("SET standard_conforming_strings_x = off"));
        assertEquals(Optional.empty(), SqlSplitter.settingAfter("SELECT set_config('standard_conforming_strings', "
                + "'off', false)"));
        assertMessage("unterminated string literal starting at line 2 (read with standard_conforming_strings off)",
                "SET standard_conforming_strings = off;\nSELECT 'C:\\';\n");
    }

    @Test
    void continuesAfterAnOffsetWithTheGivenSetting() {
        String sql = "SET standard_conforming_strings = off;\nSELECT 'a\\'; b';\nSELECT 2;";
        assertEquals(List.of(new SqlSplitter.Statement("SELECT 'a\\'; b'", 39, 2, false), new SqlSplitter.Statement(
                "SELECT 2", 56, 3, false)), SqlSplitter.split(sql, 37, false));
    }

    private static List<String> split(String sql, boolean standardConformingStrings) {
        return SqlSplitter.split(sql, 0, standardConformingStrings).stream().map(SqlSplitter.Statement::sql).toList();
    }

    private static void assertMessage(String expected, String sql) {
        assertMessage(expected, sql, true);
    }

    private static void assertMessage(String expected, String sql, boolean standardConformingStrings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SqlSplitter.split(sql, 0, standardConformingStrings));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
