package dev.backend.examples.notes;

import dev.backend.core.Router;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.ConfigException;
import dev.backend.server.migration.MigrationSource;
import java.util.HashMap;
import java.util.Map;

/**
 * A notes service embedding {@link BackendServer} the way a library user does: its own routes and its own
 * migrations folder ({@code notes/migrations} on the class path), with the server's configuration, pool,
 * migrations, health checks, middleware and graceful stop.
 *
 * <p>Run with: {@code backend-examples/run notes} (embedded PostgreSQL with its data in {@code ./data/notes}; set
 * {@code DATABASE_URL} for another), then
 * {@code curl -X POST localhost:8080/api/notes -H 'Content-Type: application/json' -d '{"title":"Hi","body":"..."}'}
 */
public final class NotesService {

    /** Where this application's migrations live on the class path. */
    public static final MigrationSource MIGRATIONS = MigrationSource.classpath("notes/migrations");

    private NotesService() {}

    /** The service, ready to {@code start()}: notes under {@code /api}, beside the server's health routes. */
    public static BackendServer.Builder builder(Config config) {
        return BackendServer.builder()
                .config(config)
                .migrations(MIGRATIONS)
                .routes(dataSource -> Router.create().nest("/api", NotesApi.routes(dataSource)));
    }

    /** Starts on the environment's configuration and runs until SIGTERM or SIGINT. */
    public static void main(String[] args) throws InterruptedException {
        // Its own embedded data directory: the reference service's database has its own migration history.
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putIfAbsent("EMBEDDED_DATABASE_DIR", "./data/notes");
        Config config;
        try {
            config = Config.fromEnvironment(environment);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(ConfigException.EXIT_CODE);
            return;
        }
        builder(config).start().stopOnSignals().awaitStop();
    }
}
