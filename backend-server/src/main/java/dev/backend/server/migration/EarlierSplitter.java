package dev.backend.server.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * What the splitter of earlier versions left out of a file, so that a migration it recorded as applied while
 * part of it never ran is not taken as done.
 *
 * <p>That splitter ended a {@code --} comment only at an LF. In a file whose lines end in a lone CR (old Mac),
 * a comment between statements therefore ran on to the next LF, or to the end of the file, and the statements
 * it covered were never sent: {@code -- create the audit table\rCREATE TABLE audit(id int);\r} was recorded as
 * applied with nothing run. A comment inside a statement did no such harm: the statement's text went to the
 * server whole, and was read there correctly.
 */
final class EarlierSplitter {

    private EarlierSplitter() {}

    /** The statements of {@code script} that the earlier splitter hid in a comment, in file order. */
    static List<SqlSplitter.Statement> skipped(Script script) {
        String text = script.sql();
        List<SqlSplitter.Statement> skipped = new ArrayList<>();
        int gap = 0;
        int hiddenUntil = 0;
        for (SqlSplitter.Statement statement : script.statements()) {
            // Between two statements there are only whitespace, ';' and comments.
            int i = gap;
            while (i < statement.offset()) {
                if (text.startsWith("--", i)) {
                    int end = i + 2;
                    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                        end++;
                    }
                    if (end < text.length() && text.charAt(end) == '\r') {
                        int earlierEnd = text.indexOf('\n', end);
                        hiddenUntil = Math.max(hiddenUntil, earlierEnd < 0 ? text.length() : earlierEnd);
                    }
                    i = end;
                } else if (text.startsWith("/*", i)) {
                    i = blockCommentEnd(text, i);
                } else {
                    i++;
                }
            }
            if (statement.offset() < hiddenUntil) {
                skipped.add(statement);
            }
            gap = statement.offset() + statement.sql().length();
        }
        return List.copyOf(skipped);
    }

    private static int blockCommentEnd(String text, int from) {
        int depth = 0;
        int i = from;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith("*/", i)) {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return i;
    }
}
