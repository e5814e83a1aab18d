package dev.backend.server.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration file, read and checked: its version, its text with line endings normalised, the checksum of
 * that text, whether it runs in a transaction, and its statements (read with {@code
 * standard_conforming_strings} on; the migrator splits again where a session has it off).
 *
 * @param version from the file name
 * @param description from the file name, underscores read as spaces
 * @param fileName e.g. {@code V1__create_users.sql}
 * @param sql the content, without a byte-order mark and with CRLF turned into LF (a lone CR stays)
 * @param checksum lower-case hex SHA-256 of {@code sql} in UTF-8
 * @param transactional false when the first line is {@value #NO_TRANSACTION}
 * @param statements what runs, in order; empty for a file of only comments and whitespace, which the migrator
 *     refuses to apply
 */
record Script(Version version, String description, String fileName, String sql, String checksum,
        boolean transactional, List<SqlSplitter.Statement> statements) {

    /** The directive that makes a file run outside a transaction. */
    static final String NO_TRANSACTION = "-- migrate:no-transaction";

    static final String NAMING_RULE = "expected V<version>__<description>.sql, such as V1__create_users.sql or "
            + "V1.1__add_index.sql (version: numbers separated by dots; two underscores before the description)";

    private static final Pattern NAME = Pattern.compile("V([^_]+)__(.+)\\.sql");
    private static final Pattern DIRECTIVE = Pattern.compile("--\\s*migrate:\\s*(\\S*)\\s*");
    /** After {@link #normalise}, a line ends at an LF or at a lone CR, as it does for PostgreSQL's lexer. */
    private static final Pattern LINE_BREAK = Pattern.compile("[\r\n]");

    Script {
        statements = List.copyOf(statements);
    }

    /** Whether a file in a migration location is meant as a migration (and so must be named correctly). */
    static boolean isCandidate(String fileName) {
        return fileName.endsWith(".sql");
    }

    /** The version and description of a well-named file; empty otherwise. */
    static Optional<Script.Name> parseName(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches() || m.group(2).isBlank() || m.group(2).startsWith("_")) {
            return Optional.empty();
        }
        return Version.parse(m.group(1)).map(v -> new Name(v, m.group(2).replace('_', ' ').trim()));
    }

    /** A parsed file name. */
    record Name(Version version, String description) {}

    /**
     * Reads a file's content; throws {@link IllegalArgumentException} with a message (not naming the file:
     * the caller does) when the directive is unknown or the SQL cannot be split.
     */
    static Script of(Name name, String fileName, String content) {
        String sql = normalise(content);
        int nul = sql.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("line " + SqlSplitter.lineAt(sql, nul) + " contains a NUL character, "
                    + "which PostgreSQL does not accept in SQL text");
        }
        String[] lines = LINE_BREAK.split(sql, -1);
        String firstLine = lines[0].strip();
        boolean transactional = true;
        Matcher directive = DIRECTIVE.matcher(firstLine);
        if (directive.matches()) {
            if (!directive.group(1).equals("no-transaction")) {
                throw new IllegalArgumentException("unknown directive '" + firstLine + "' on line 1 (the only one is '"
                        + NO_TRANSACTION + "')");
            }
            transactional = false;
        }
        for (int i = 1; i < lines.length; i++) {
            if (DIRECTIVE.matcher(lines[i].strip()).matches()) {
                throw new IllegalArgumentException("the directive '" + lines[i].strip() + "' on line " + (i + 1)
                        + " has no effect: a directive must be the first line of the file");
            }
        }
        List<SqlSplitter.Statement> statements;
        try {
            statements = SqlSplitter.split(sql);
        } catch (IllegalArgumentException e) {
            // A file written for standard_conforming_strings off may fail where it is read as on: say how to tell.
            throw sql.indexOf('\\') < 0 || e.getMessage().contains("standard_conforming_strings off") ? e
                    : new IllegalArgumentException(e.getMessage() + " (read with standard_conforming_strings on, where "
                            + "a backslash in '...' is a plain character; a file written for it off must first say "
                            + "SET standard_conforming_strings = off;)", e);
        }
        return new Script(name.version(), name.description(), fileName, sql, checksum(sql), transactional, statements);
    }

    /**
     * Drops a UTF-8 byte-order mark and turns CRLF into LF, so a file checked out on Windows (git may convert
     * either way) has the same checksum, and runs the same SQL, as on Linux. A lone CR (old Mac files) is kept
     * as written: no checkout produces it, it ends a line for PostgreSQL as LF does, and inside a string it is
     * what the file says.
     */
    static String normalise(String content) {
        String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
        return text.replace("\r\n", "\n");
    }

    static String checksum(String normalised) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** {@code V1.1 (add index)}, as messages name a migration. */
    String label() {
        return "V" + version + " (" + description + ")";
    }
}
