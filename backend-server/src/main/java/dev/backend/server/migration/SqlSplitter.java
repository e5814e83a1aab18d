package dev.backend.server.migration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL file into statements the way {@code psql} does ({@code src/fe_utils/psqlscan.l}), so a file
 * that runs under {@code psql -f} runs here the same way.
 *
 * <p>A {@code ;} ends a statement only outside of: {@code --} and (nested) {@code /* *}{@code /} comments,
 * {@code '...'} strings ({@code ''} escapes a quote; standard-conforming, so a backslash is a plain
 * character), {@code E'...'} strings (where a backslash also escapes), {@code "..."} quoted identifiers,
 * dollar-quoted bodies ({@code $$...$$}, {@code $fn$...$fn$}), parentheses, and the SQL-standard body of
 * {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END} (psql's heuristic: after such a
 * start, {@code BEGIN} opens a block, {@code CASE} inside one opens another, {@code END} closes one).
 *
 * <p>Each statement keeps its exact text (leading comments and whitespace dropped, trailing whitespace and the
 * {@code ;} too) and its offset in the file, so an error position PostgreSQL reports maps back to a file line.
 * An unterminated string, identifier, comment or dollar quote is an error naming the line it starts on:
 * PostgreSQL would reject it anyway, and this way {@code validate} reports it before anything runs.
 */
final class SqlSplitter {

    /** One statement: its text, where it starts in the file (character offset) and on which line (1-based). */
    record Statement(String sql, int offset, int line) {}

    private final String text;
    private final List<Statement> statements = new ArrayList<>();
    private int position;
    /** Line counting resumes where the previous statement's left off, so splitting stays linear. */
    private int countedTo;
    private int countedLine = 1;
    // Per statement, as psql keeps them.
    private int start = -1;
    private int parenDepth;
    private int beginDepth;
    private int identifierCount;
    private final char[] identifiers = new char[4];

    private SqlSplitter(String text) {
        this.text = text;
    }

    /** The statements of {@code text}; throws {@link IllegalArgumentException} naming the line of a problem. */
    static List<Statement> split(String text) {
        SqlSplitter splitter = new SqlSplitter(text);
        splitter.run();
        return List.copyOf(splitter.statements);
    }

    /** The 1-based line of a character offset. */
    static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private void run() {
        int n = text.length();
        while (position < n) {
            char c = text.charAt(position);
            char next = position + 1 < n ? text.charAt(position + 1) : '\0';
            if (c == '-' && next == '-') {
                int end = text.indexOf('\n', position);
                position = end < 0 ? n : end + 1;
            } else if (c == '/' && next == '*') {
                blockComment();
            } else if (space(c) || (c == ';' && start < 0)) {
                // Whitespace, or the ';' of an empty statement.
                position++;
            } else {
                if (start < 0) {
                    start = position;
                }
                token(c, next);
            }
        }
        if (start >= 0) {
            finish(n);
        }
    }

    private void token(char c, char next) {
        switch (c) {
            case '\'' -> quoted('\'', false, "string literal");
            case '"' -> quoted('"', false, "quoted identifier");
            case '$' -> dollar();
            case '(' -> {
                parenDepth++;
                position++;
            }
            case ')' -> {
                if (parenDepth > 0) {
                    parenDepth--;
                }
                position++;
            }
            case ';' -> {
                if (parenDepth == 0 && beginDepth == 0) {
                    finish(position);
                }
                position++;
            }
            default -> {
                if (identifierStart(c)) {
                    word((c == 'e' || c == 'E') && next == '\'');
                } else if (c >= '0' && c <= '9') {
                    // A number (1, 1.5e3, 0x1F, 1_000): consumed whole so its letters are not taken for a word.
                    do {
                        position++;
                    } while (position < text.length() && identifierPart(text.charAt(position))
                            && text.charAt(position) != '$');
                } else {
                    position++;
                }
            }
        }
    }

    /** An identifier or keyword, or the {@code E} of an escape string. */
    private void word(boolean escapeString) {
        if (escapeString) {
            position++;
            quoted('\'', true, "escape string literal");
            return;
        }
        int begin = position;
        do {
            position++;
        } while (position < text.length() && identifierPart(text.charAt(position)));
        String word = text.substring(begin, position).toLowerCase(Locale.ROOT);
        if (identifierCount == 0) {
            Arrays.fill(identifiers, '\0');
        }
        if (identifierCount < identifiers.length
                && (word.equals("create") || word.equals("function") || word.equals("procedure")
                        || word.equals("or") || word.equals("replace"))) {
            identifiers[identifierCount] = word.charAt(0);
        }
        identifierCount++;
        boolean routine = identifiers[0] == 'c' && (identifiers[1] == 'f' || identifiers[1] == 'p'
                || (identifiers[1] == 'o' && identifiers[2] == 'r' && (identifiers[3] == 'f' || identifiers[3] == 'p')));
        if (routine && parenDepth == 0) {
            switch (word) {
                case "begin" -> beginDepth++;
                case "case" -> {
                    if (beginDepth >= 1) {
                        beginDepth++;
                    }
                }
                case "end" -> {
                    if (beginDepth > 0) {
                        beginDepth--;
                    }
                }
                default -> { }
            }
        }
    }

    /** A string or quoted identifier; a doubled quote stays inside, and so does an escaped one in E'' strings. */
    private void quoted(char quote, boolean backslashEscapes, String what) {
        int open = position;
        position++;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (backslashEscapes && c == '\\') {
                position += 2;
            } else if (c == quote) {
                if (position + 1 < text.length() && text.charAt(position + 1) == quote) {
                    position += 2;
                } else {
                    position++;
                    return;
                }
            } else {
                position++;
            }
        }
        throw unterminated(what, open);
    }

    /** {@code $tag$ ... $tag$}, or a lone {@code $} (such as {@code $1}) that starts nothing. */
    private void dollar() {
        int open = position;
        int i = position + 1;
        if (i < text.length() && identifierStart(text.charAt(i))) {
            do {
                i++;
            } while (i < text.length() && identifierPart(text.charAt(i)) && text.charAt(i) != '$');
        }
        if (i >= text.length() || text.charAt(i) != '$') {
            position++;
            return;
        }
        String delimiter = text.substring(open, i + 1);
        int close = text.indexOf(delimiter, i + 1);
        if (close < 0) {
            throw unterminated("dollar-quoted string " + delimiter, open);
        }
        position = close + delimiter.length();
    }

    private void blockComment() {
        int open = position;
        int depth = 0;
        while (position < text.length()) {
            if (text.startsWith("/*", position)) {
                depth++;
                position += 2;
            } else if (text.startsWith("*/", position)) {
                depth--;
                position += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                position++;
            }
        }
        throw unterminated("block comment", open);
    }

    private void finish(int end) {
        int last = end;
        while (last > start && space(text.charAt(last - 1))) {
            last--;
        }
        statements.add(new Statement(text.substring(start, last), start, lineOf(start)));
        start = -1;
        parenDepth = 0;
        beginDepth = 0;
        identifierCount = 0;
    }

    private int lineOf(int offset) {
        for (; countedTo < offset; countedTo++) {
            if (text.charAt(countedTo) == '\n') {
                countedLine++;
            }
        }
        return countedLine;
    }

    private IllegalArgumentException unterminated(String what, int open) {
        return new IllegalArgumentException("unterminated " + what + " starting at line " + lineAt(text, open));
    }

    /** psql's whitespace; other Unicode spaces are identifier characters to PostgreSQL, as all non-ASCII are. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean identifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identifierPart(char c) {
        return identifierStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
