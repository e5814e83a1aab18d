package dev.backend.examples.techempower;

import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.ConfigException;
import dev.backend.server.migration.MigrationSource;
import java.util.HashMap;
import java.util.Map;

/**
 * The TechEmpower benchmark endpoints on the full runtime, with the {@code world} and {@code fortune}
 * tables created by its own migrations ({@code techempower/migrations} on the class path).
 *
 * <p>Run with: {@code backend-examples/run techempower} (embedded PostgreSQL with its data in
 * {@code ./data/techempower}; set {@code DATABASE_URL} for another), then {@code curl localhost:8080/fortunes}
 */
public final class TechEmpowerService {

    /** Where the benchmark's migrations live on the class path. */
    public static final MigrationSource MIGRATIONS = MigrationSource.classpath("techempower/migrations");

    private TechEmpowerService() {}

    /** The service, ready to {@code start()}. */
    public static BackendServer.Builder builder(Config config) {
        return BackendServer.builder()
                .config(config)
                .migrations(MIGRATIONS)
                .routes(TechEmpowerApi::routes);
    }

    /** Starts on the environment's configuration and runs until SIGTERM or SIGINT. */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putIfAbsent("EMBEDDED_DATABASE_DIR", "./data/techempower");
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
