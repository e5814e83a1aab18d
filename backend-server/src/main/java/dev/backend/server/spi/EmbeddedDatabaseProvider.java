package dev.backend.server.spi;

import java.nio.file.Path;

/**
 * Starts the development database that backend-server uses when no {@code DATABASE_URL} is set.
 *
 * <p>backend-server carries no database of its own: it looks this service up with {@link
 * java.util.ServiceLoader} only when {@code DATABASE_URL} is unset, and refuses to start, naming the
 * dependency to add, when no provider is present. Implementations need a public no-argument constructor.
 */
public interface EmbeddedDatabaseProvider {

    /**
     * Starts PostgreSQL with its data in {@code directory}, creating the cluster on first use, and returns
     * once it accepts connections.
     *
     * @param directory where the data lives; it survives restarts
     * @return the running database, which backend-server closes on stop
     * @throws IllegalStateException with a message for the operator when it cannot start
     */
    EmbeddedDatabase start(Path directory);
}
