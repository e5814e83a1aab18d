package dev.backend.server.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * A migration connection that sends each statement to PostgreSQL exactly as the file has it, for as long as
 * it is open.
 *
 * <p>In its default (extended) query mode pgJDBC reads every statement again with a lexer of its own, splits
 * it at each {@code ;} that lexer takes for the end of a statement and turns {@code ??} into {@code ?}. That
 * lexer knows no string continuation ({@code E'a'} then {@code '\';'} on the next line is one string) and,
 * with {@code standard_conforming_strings} off, reads {@code U&'\'} and {@code B'\'} as unterminated. In
 * simple query mode pgJDBC sends a statement without parameters untouched, and PostgreSQL's lexer, which
 * {@link SqlSplitter} follows, is the only one to read it. pgJDBC has no public API for the mode of an open
 * connection, so this uses its {@code core} package; with another driver it changes nothing.
 */
final class Verbatim implements AutoCloseable {

    private final Optional<BaseConnection> pgjdbc;
    private final Optional<PreferQueryMode> previous;

    private Verbatim(Optional<BaseConnection> pgjdbc) {
        this.pgjdbc = pgjdbc;
        this.previous = pgjdbc.map(c -> c.getQueryExecutor().getPreferQueryMode());
        pgjdbc.ifPresent(c -> c.getQueryExecutor().setPreferQueryMode(PreferQueryMode.SIMPLE));
    }

    /** Switches {@code connection} to simple query mode until {@link #close()}. */
    static Verbatim on(Connection connection) throws SQLException {
        return new Verbatim(connection.isWrapperFor(BaseConnection.class)
                ? Optional.of(connection.unwrap(BaseConnection.class))
                : Optional.empty());
    }

    /**
     * Whether the session has {@code standard_conforming_strings} on, as PostgreSQL last reported it: it
     * reports every change, so this costs no round trip. Without pgJDBC, PostgreSQL's default (on).
     */
    boolean standardConformingStrings() {
        return pgjdbc.map(c -> c.getParameterStatus("standard_conforming_strings"))
                .map(value -> value.equalsIgnoreCase("on"))
                .orElse(true);
    }

    /** Restores the query mode the connection had, before it goes back to its pool. */
    @Override
    public void close() {
        pgjdbc.ifPresent(c -> c.getQueryExecutor().setPreferQueryMode(previous.orElseThrow()));
    }
}
