package dev.backend.server.spi;

/**
 * A running database started by an {@link EmbeddedDatabaseProvider}. backend-server closes it after its
 * connection pool, as the last step of a stop.
 */
public interface EmbeddedDatabase extends AutoCloseable {

    /** {@return where to connect, such as {@code jdbc:postgresql://localhost:54321/postgres}} */
    String jdbcUrl();

    /** {@return the user to connect as; the database trusts it on this machine, so there is no password} */
    String user();

    /**
     * Stops the database; later calls do nothing.
     *
     * @throws IllegalStateException when it could not be stopped
     */
    @Override
    void close();
}
