package dev.backend.embedded;

import dev.backend.server.spi.EmbeddedDatabase;
import dev.backend.server.spi.EmbeddedDatabaseProvider;
import java.nio.file.Path;

/**
 * The development database: real PostgreSQL from the binaries this module carries, with its data kept in
 * {@code EMBEDDED_DATABASE_DIR} across restarts. Applications do not call it: with this module on the class
 * or module path, backend-server finds it through {@link java.util.ServiceLoader} and starts it whenever
 * {@code DATABASE_URL} is unset.
 */
public final class EmbeddedPostgresProvider implements EmbeddedDatabaseProvider {

    /** For {@link java.util.ServiceLoader}. */
    public EmbeddedPostgresProvider() {}

    @Override
    public EmbeddedDatabase start(Path directory) {
        return LocalPostgres.start(directory);
    }
}
