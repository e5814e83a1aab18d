package dev.backend.server.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EarlierSplitterTest {

    private static List<Integer> skippedLines(String content) {
        Script script = Script.of(Script.parseName("V1__t.sql").orElseThrow(), "V1__t.sql", content);
        return EarlierSplitter.skipped(script).stream().map(SqlSplitter.Statement::line).toList();
    }

    @Test
    void findsTheStatementsACrEndedCommentHidUntilTheNextLf() {
        // The file: the comment ran to the end, hiding everything.
        assertEquals(List.of(2), skippedLines("-- create the audit table\rCREATE TABLE audit(id int);\r"));
        // Statements before the comment ran; the comment hid those up to the LF, the ones after it ran.
        assertEquals(List.of(3, 4), skippedLines("SELECT 1;\r-- note\rSELECT 2;\rSELECT 3;\nSELECT 4;\nSELECT 5;"));
        assertEquals(List.of(3), skippedLines("SELECT 1; /* a\r */ -- b\rSELECT 2; -- c\nSELECT 3;"));
    }

    @Test
    void findsNothingWhereTheEarlierSplitterSentEveryStatement() {
        assertEquals(List.of(), skippedLines("-- note\r\nSELECT 1;\r\n-- more\nSELECT 2;"));
        // Inside a statement, the comment went to the server with it, and was read there correctly.
        assertEquals(List.of(), skippedLines("SELECT 1 -- one\r, 2;\rSELECT 3;"));
        assertEquals(List.of(), skippedLines("SELECT 1;\r/* -- not a line comment\r */ SELECT 2;"));
    }
}
