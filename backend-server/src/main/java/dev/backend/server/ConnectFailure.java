package dev.backend.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * The one-line reason a connection to PostgreSQL could not be opened. pgJDBC reports every network failure but a
 * refusal as "The connection attempt failed." and keeps the reason in its cause, so an operator could not tell a
 * misspelt host from a firewall or a certificate; this names it.
 */
final class ConnectFailure {

    private ConnectFailure() {}

    /** "Cannot connect to PostgreSQL at {url}{where}: {driver's message} ({the network's reason})". */
    static IllegalStateException of(DatabaseUrl url, String where, Throwable failure) {
        return new IllegalStateException("Cannot connect to PostgreSQL at " + url.masked() + where + ": "
                + describe(failure), failure);
    }

    /** The driver's first line, then the network's reason found along the cause chain, if it adds one. */
    static String describe(Throwable failure) {
        String message = firstLine(failure);
        if (notPostgres(failure)) {
            return message + " (" + NOT_POSTGRES + ")";
        }
        for (Throwable t = failure.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof ConnectException && !(t instanceof NoRouteToHostException) && message.contains("refused")) {
                // pgJDBC's own message already says "Connection to host:port refused".
                return message;
            }
            String reason = reason(t);
            if (reason != null) {
                // pgJDBC quotes some causes itself ("SSL error: <the SSLException's message>").
                return t.getMessage() != null && message.contains(firstLine(t)) ? message : message + " (" + reason + ")";
            }
        }
        return message;
    }

    /**
     * pgJDBC says only "An error occurred while setting up the SSL connection." (or "Protocol error. Session setup
     * failed.") when the first answer is not PostgreSQL's, with no cause: its SQLSTATE, 08P01, is all that tells it.
     */
    private static final String NOT_POSTGRES = "the server there did not answer as PostgreSQL: its first bytes broke "
            + "the protocol, so the host and port may be another service's, such as an HTTP proxy's";

    private static boolean notPostgres(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && "08P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable cause) {
        String detail = cause.getMessage() == null ? "" : firstLine(cause);
        return switch (cause) {
            // The JDK's message is the host, or "host: resolver's words".
            case UnknownHostException e -> "unknown host " + detail + ": DNS cannot resolve it";
            case NoRouteToHostException e -> "no route to host: " + detail;
            case ConnectException e -> "connection refused: " + detail;
            case SocketTimeoutException e -> "timed out: " + detail;
            case SSLException e -> "TLS failed: " + detail;
            case IOException e -> detail.isEmpty() ? e.getClass().getSimpleName() : detail;
            default -> null;
        };
    }

    private static String firstLine(Throwable t) {
        String message = String.valueOf(t.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
