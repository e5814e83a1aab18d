package dev.backend.server;

import dev.backend.server.spi.EmbeddedDatabase;
import dev.backend.server.spi.EmbeddedDatabaseProvider;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The database used when {@code DATABASE_URL} is unset: whatever {@link EmbeddedDatabaseProvider} is on the
 * class or module path (backend-embedded-postgres), or a start-up failure that says what to add or set.
 */
final class DevelopmentDatabase {

    /** The module an application adds to get one; messages name it so the fix can be pasted. */
    static final String ARTIFACT = "dev.backend:backend-embedded-postgres";

    private DevelopmentDatabase() {}

    /**
     * The provider, looked up before anything starts so a missing one fails at once.
     *
     * @throws ConfigException naming the dependency to add and the variable to set when there is none
     */
    static EmbeddedDatabaseProvider provider() {
        return ServiceLoader.load(EmbeddedDatabaseProvider.class).findFirst().orElseThrow(() -> new ConfigException(
                List.of("DATABASE_URL is not set and no embedded development database is on the class path: set "
                        + "DATABASE_URL, such as postgres://user:password@localhost:5432/app, or, for development, add "
                        + "the dependency " + ARTIFACT + version() + " (it starts a real PostgreSQL with its data in "
                        + "EMBEDDED_DATABASE_DIR)")));
    }

    /** Where the pool connects to {@code database}. */
    static DatabaseUrl url(EmbeddedDatabase database) {
        return new DatabaseUrl(database.jdbcUrl(), Optional.of(database.user()), Optional.empty());
    }

    /** {@code :<version>} as built, the same for every module of a release; empty when run from classes. */
    private static String version() {
        Module module = DevelopmentDatabase.class.getModule();
        // A named module carries its version in its descriptor; on the class path the jar's manifest has it.
        Optional<String> version = module.isNamed()
                ? module.getDescriptor().rawVersion()
                : Optional.ofNullable(DevelopmentDatabase.class.getPackage().getImplementationVersion());
        return version.map(v -> ":" + v).orElse("");
    }
}
