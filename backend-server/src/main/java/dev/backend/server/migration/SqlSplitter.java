package dev.backend.server.migration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a SQL file into statements the way {@code psql -f} does, by the token rules of PostgreSQL's lexer
 * ({@code src/backend/parser/scan.l}) and psql's ({@code src/fe_utils/psqlscan.l}), so that every {@code ;}
 * that ends a statement for them ends one here, and no other.
 *
 * <p>A {@code ;} ends a statement only outside of:
 * <ul>
 * <li>{@code --} comments, which end at a line feed <em>or</em> a carriage return (so CRLF, LF and old-Mac
 *     CR files read the same), and {@code /* *}{@code /} comments, which nest;
 * <li>strings: {@code '...'} ({@code ''} is a quote; a backslash escapes only when {@code
 *     standard_conforming_strings} is off), {@code E'...'} (a backslash always escapes), {@code N'...'}
 *     (like {@code '...'}), {@code U&'...'}, {@code B'...'} and {@code X'...'} (a backslash never escapes; bit
 *     strings have no {@code ''}); a string followed by whitespace holding a line break and another {@code '}
 *     continues, in the same kind;
 * <li>quoted identifiers {@code "..."} and {@code U&"..."} ({@code ""} is a quote);
 * <li>dollar quotes {@code $$...$$} and {@code $tag$...$tag$}, where a tag is an identifier without {@code
 *     $}; a {@code $} inside an identifier ({@code a$b}), a parameter ({@code $1}) or after a number starts
 *     none;
 * <li>parentheses ({@code CREATE RULE ... DO (...; ...)}), and the body of {@code CREATE [OR REPLACE]
 *     FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END} (psql's heuristic: in such a statement, outside
 *     parentheses, {@code BEGIN} opens a block, {@code CASE} inside one opens another, {@code END} closes one).
 * </ul>
 * Whitespace is PostgreSQL's: space, tab, line feed, carriage return, form feed and vertical tab.
 *
 * <p>What psql would do that the server cannot is refused, naming the line: a backslash outside of the
 * above is a psql meta-command ({@code \set}, {@code \i}, {@code \;}, pg_dump's {@code \restrict}), and
 * {@code COPY ... FROM STDIN} reads rows that only psql sends. So is anything left open at the end: a string,
 * identifier, comment, dollar quote, parenthesis or {@code BEGIN ATOMIC} body.
 *
 * <p>Each statement keeps its exact text (leading whitespace and comments dropped, trailing whitespace and the
 * {@code ;} too) and its offset in the file, so a position PostgreSQL reports maps back to a file line. Lines
 * are counted the way editors do: CRLF, LF and a lone CR each end one.
 */
final class SqlSplitter {

    /**
     * One statement: its text, where it starts in the file (character offset), on which line (1-based), and
     * whether it was read with {@code standard_conforming_strings} on.
     */
    record Statement(String sql, int offset, int line, boolean standardConformingStrings) {}

    /** {@code SET [SESSION | LOCAL] standard_conforming_strings {TO | =} value}, as a whole statement. */
    private static final Pattern SET_STANDARD = Pattern.compile("SET\\s+(?:SESSION\\s+|LOCAL\\s+)?"
            + "(?:standard_conforming_strings|\"standard_conforming_strings\")\\s*(?:=|\\sTO\\s)\\s*(.*)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** {@code RESET standard_conforming_strings} or {@code RESET ALL}. */
    private static final Pattern RESET_STANDARD = Pattern.compile("RESET\\s+(?:standard_conforming_strings|"
            + "\"standard_conforming_strings\"|ALL)", Pattern.CASE_INSENSITIVE);

    /** The string kinds of scan.l that end differently. */
    private enum Literal {
        /** {@code '...'} with standard_conforming_strings on, {@code U&'...'}: {@code ''} only. */
        STANDARD("string literal", true, false),
        /** {@code E'...'}: {@code ''} and backslash. */
        ESCAPE("escape string literal", true, true),
        /** {@code '...'} with standard_conforming_strings off: as {@code E'...'}. */
        NONSTANDARD("string literal", true, true),
        /** {@code B'...'}: neither. */
        BIT("bit string literal", false, false),
        /** {@code X'...'}: neither. */
        HEX("hexadecimal string literal", false, false);

        final String what;
        final boolean doubledQuote;
        final boolean backslash;

        Literal(String what, boolean doubledQuote, boolean backslash) {
            this.what = what;
            this.doubledQuote = doubledQuote;
            this.backslash = backslash;
        }
    }

    private final String text;
    private boolean standardConformingStrings;
    private final List<Statement> statements = new ArrayList<>();
    private int position;
    /** Line counting resumes where the previous statement's left off, so splitting stays linear. */
    private int countedTo;
    private int countedLine;
    // Per statement, as psql keeps them.
    private int start = -1;
    private int parenDepth;
    private int parenOpened;
    private int beginDepth;
    private int beginOpened;
    private int identifierCount;
    /** psql's record of the first words at parenthesis depth 0: c, o, r, f, p lower case; COPY, FROM, STDIN upper. */
    private final char[] initialWords = new char[8];

    private SqlSplitter(String text, int from, boolean standardConformingStrings) {
        this.text = text;
        this.standardConformingStrings = standardConformingStrings;
        this.position = from;
        this.countedTo = from;
        this.countedLine = lineAt(text, from);
    }

    /**
     * The statements of {@code text}, read with {@code standard_conforming_strings} on (PostgreSQL's default)
     * until a statement {@code SET}s or {@code RESET}s it; throws {@link IllegalArgumentException} naming the
     * line of a problem. That a statement changes the setting is a prediction from its text (the migrator reads
     * the setting the server reports, and splits again where they differ).
     */
    static List<Statement> split(String text) {
        return split(text, 0, true);
    }

    /**
     * The statements of {@code text} from offset {@code from} on, read with the given {@code
     * standard_conforming_strings}: a migration that changes the setting is split again from there.
     */
    static List<Statement> split(String text, int from, boolean standardConformingStrings) {
        SqlSplitter splitter = new SqlSplitter(text, from, standardConformingStrings);
        splitter.run();
        return List.copyOf(splitter.statements);
    }

    /** The 1-based line of a character offset; CRLF, LF and a lone CR each end a line. */
    static int lineAt(String text, int offset) {
        int line = 1;
        int end = Math.min(offset, text.length());
        for (int i = 0; i < end; i++) {
            if (endsLine(text, i)) {
                line++;
            }
        }
        return line;
    }

    /** Whether the character at {@code i} ends a line: an LF, or a CR not followed by an LF. */
    private static boolean endsLine(String text, int i) {
        char c = text.charAt(i);
        return c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'));
    }

    private void run() {
        int n = text.length();
        while (position < n) {
            char c = text.charAt(position);
            char next = at(position + 1);
            if (c == '-' && next == '-') {
                position = lineCommentEnd(position);
            } else if (c == '/' && next == '*') {
                blockComment();
            } else if (space(c)) {
                position++;
            } else if (c == ';') {
                if (start >= 0 && parenDepth == 0 && beginDepth == 0) {
                    finish(position);
                }
                // Otherwise part of the statement, or the ';' of an empty one.
                position++;
            } else if (c == '\\') {
                throw metaCommand();
            } else {
                if (start < 0) {
                    start = position;
                }
                token(c, next);
            }
        }
        if (start >= 0) {
            if (parenDepth > 0) {
                throw problem("the '(' on line " + lineAt(text, parenOpened) + " is never closed");
            }
            if (beginDepth > 0) {
                throw problem("the BEGIN on line " + lineAt(text, beginOpened) + " has no END");
            }
            finish(n);
        }
    }

    private void token(char c, char next) {
        switch (c) {
            case '\'' -> literal(standardConformingStrings ? Literal.STANDARD : Literal.NONSTANDARD, position);
            case '"' -> quotedIdentifier(position);
            case '$' -> dollar();
            case '(' -> {
                if (parenDepth++ == 0) {
                    parenOpened = position;
                }
                position++;
            }
            case ')' -> {
                if (parenDepth > 0) {
                    parenDepth--;
                }
                position++;
            }
            default -> {
                if (identifierStart(c)) {
                    prefixedOrWord(c, next);
                } else if (c >= '0' && c <= '9') {
                    number();
                } else {
                    position++;
                }
            }
        }
    }

    /** {@code B'}, {@code X'}, {@code E'}, {@code N'}, {@code U&'}, {@code U&"}, else an identifier or keyword. */
    private void prefixedOrWord(char c, char next) {
        int open = position;
        char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        if (next == '\'' && (lower == 'b' || lower == 'x' || lower == 'e' || lower == 'n')) {
            position++;
            literal(switch (lower) {
                case 'b' -> Literal.BIT;
                case 'x' -> Literal.HEX;
                case 'e' -> Literal.ESCAPE;
                default -> standardConformingStrings ? Literal.STANDARD : Literal.NONSTANDARD;
            }, open);
        } else if (lower == 'u' && next == '&' && at(position + 2) == '\'') {
            // Unicode escapes are resolved later, with UESCAPE: the lexer treats a backslash as a character.
            position += 2;
            literal(Literal.STANDARD, open);
        } else if (lower == 'u' && next == '&' && at(position + 2) == '"') {
            position += 2;
            quotedIdentifier(open);
        } else if (lower == 'u' && next == '&') {
            // scan.l's xufailed: the U alone is an identifier (which psql does not track), the & an operator.
            position++;
        } else {
            do {
                position++;
            } while (position < text.length() && identifierPart(text.charAt(position)));
            word(open);
        }
    }

    /** A number, and any identifier glued to it (scan.l's integer_junk, an error the server reports). */
    private void number() {
        do {
            position++;
        } while (position < text.length() && (digit(text.charAt(position)) || text.charAt(position) == '_'));
        if (position < text.length() && identifierStart(text.charAt(position))) {
            do {
                position++;
            } while (position < text.length() && identifierPart(text.charAt(position)));
        }
    }

    /** psql's tracking of the statement's first words and of BEGIN ... END in a routine body. */
    private void word(int begin) {
        if (parenDepth > 0) {
            return;
        }
        String word = asciiLower(text.substring(begin, position));
        if (identifierCount < initialWords.length) {
            initialWords[identifierCount] = switch (word) {
                case "create", "function", "procedure", "or", "replace" -> word.charAt(0);
                case "copy", "from", "stdin", "stdout" -> Character.toUpperCase(word.charAt(0));
                default -> '\0';
            };
        }
        identifierCount++;
        boolean routine = initialWords[0] == 'c' && (initialWords[1] == 'f' || initialWords[1] == 'p'
                || (initialWords[1] == 'o' && initialWords[2] == 'r'
                        && (initialWords[3] == 'f' || initialWords[3] == 'p')));
        if (routine) {
            switch (word) {
                case "begin" -> {
                    if (beginDepth++ == 0) {
                        beginOpened = begin;
                    }
                }
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

    /** psql's test for COPY ... FROM STDIN: COPY first, and the word after the first FROM is STDIN (or STDOUT). */
    private boolean copyFromStdin() {
        if (initialWords[0] != 'C') {
            return false;
        }
        for (int i = 1; i < initialWords.length - 1; i++) {
            if (initialWords[i] == 'F') {
                return initialWords[i + 1] == 'S';
            }
        }
        return false;
    }

    /** A string starting at {@code open} whose opening quote is at {@code position}; follows continuations. */
    private void literal(Literal kind, int open) {
        position++;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '\\' && kind.backslash) {
                position += 2;
            } else if (c == '\'') {
                if (kind.doubledQuote && at(position + 1) == '\'') {
                    position += 2;
                    continue;
                }
                int continued = continuation(position + 1);
                if (continued < 0) {
                    position++;
                    return;
                }
                position = continued + 1;
            } else {
                position++;
            }
        }
        throw unterminated(kind.what, open);
    }

    /**
     * Where a string continues after its closing quote: the offset of the next {@code '} if only whitespace
     * and {@code --} comments, with at least one line break, come before it; else -1.
     */
    private int continuation(int from) {
        boolean lineBreak = false;
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lineBreak = true;
                i++;
            } else if (space(c)) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                i = lineCommentEnd(i);
            } else {
                return c == '\'' && lineBreak ? i : -1;
            }
        }
        return -1;
    }

    private void quotedIdentifier(int open) {
        position++;
        while (position < text.length()) {
            if (text.charAt(position) == '"') {
                if (at(position + 1) != '"') {
                    position++;
                    return;
                }
                position++;
            }
            position++;
        }
        throw unterminated("quoted identifier", open);
    }

    /** {@code $tag$ ... $tag$}, a parameter such as {@code $1}, or a lone {@code $} that starts nothing. */
    private void dollar() {
        int open = position;
        int i = position + 1;
        if (i < text.length() && digit(text.charAt(i))) {
            // A parameter, and any identifier glued to it (scan.l's param_junk).
            position = i;
            number();
            return;
        }
        if (i < text.length() && identifierStart(text.charAt(i))) {
            do {
                i++;
            } while (i < text.length() && identifierPart(text.charAt(i)) && text.charAt(i) != '$');
        }
        if (i >= text.length() || text.charAt(i) != '$') {
            // scan.l's dolqfailed: only the $ is consumed; what follows is read again as a word.
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

    /** The offset of the line break that ends the {@code --} comment at {@code from}, or the end of the text. */
    private int lineCommentEnd(int from) {
        int i = from + 2;
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    private void finish(int end) {
        if (copyFromStdin()) {
            throw problem("line " + lineOf(start) + ": COPY ... FROM STDIN reads its rows from the lines that follow "
                    + "it, which only psql sends; write the rows as INSERT statements, or COPY from a file the server "
                    + "can read");
        }
        int last = end;
        while (last > start && space(text.charAt(last - 1))) {
            last--;
        }
        String sql = text.substring(start, last);
        statements.add(new Statement(sql, start, lineOf(start), standardConformingStrings));
        standardConformingStrings = settingAfter(sql).orElse(standardConformingStrings);
        start = -1;
        parenDepth = 0;
        beginDepth = 0;
        identifierCount = 0;
        Arrays.fill(initialWords, '\0');
    }

    /**
     * The {@code standard_conforming_strings} a statement sets, if it is a plain {@code SET} or {@code RESET}
     * of it: values as PostgreSQL's parse_bool reads them; DEFAULT and RESET as the server default (on).
     */
    static Optional<Boolean> settingAfter(String statement) {
        if (RESET_STANDARD.matcher(statement).matches()) {
            return Optional.of(true);
        }
        Matcher set = SET_STANDARD.matcher(statement);
        if (!set.matches()) {
            return Optional.empty();
        }
        String value = asciiLower(set.group(1).strip());
        if (value.length() > 1 && (value.charAt(0) == '\'' || value.charAt(0) == '"')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.equals("default") || value.equals("1") || (!value.isEmpty()
                && ("true".startsWith(value) || "yes".startsWith(value))) || value.equals("on")) {
            return Optional.of(true);
        }
        if (value.equals("0") || (!value.isEmpty() && ("false".startsWith(value) || "no".startsWith(value)))
                || value.equals("of") || value.equals("off")) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    private int lineOf(int offset) {
        for (; countedTo < offset; countedTo++) {
            if (endsLine(text, countedTo)) {
                countedLine++;
            }
        }
        return countedLine;
    }

    private IllegalArgumentException metaCommand() {
        int end = position + 1;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
            end++;
        }
        String command = text.substring(position, Math.max(end, Math.min(position + 2, text.length())));
        String hint = command.equals("\\restrict") || command.equals("\\unrestrict")
                ? " (pg_dump writes these around a plain-text dump: delete both lines)"
                : "";
        return problem("line " + lineAt(text, position) + ": " + command + " is a psql meta-command; a migration is "
                + "SQL that the server runs, so psql's commands and its \\; and \\: escapes cannot be used" + hint);
    }

    private IllegalArgumentException unterminated(String what, int open) {
        return problem("unterminated " + what + " starting at line " + lineAt(text, open)
                + (standardConformingStrings ? "" : " (read with standard_conforming_strings off)"));
    }

    private static IllegalArgumentException problem(String message) {
        return new IllegalArgumentException(message);
    }

    private char at(int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }

    /** scan.l's {space}; other Unicode spaces are identifier characters to PostgreSQL, as all non-ASCII are. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean identifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identifierPart(char c) {
        return identifierStart(c) || digit(c) || c == '$';
    }

    /** psql compares keywords with pg_strcasecmp, which folds ASCII letters only. */
    private static String asciiLower(String word) {
        StringBuilder lower = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return lower.toString();
    }
}
