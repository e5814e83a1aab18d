package dev.backend.server;

import dev.backend.core.Router;
import dev.backend.server.migration.MigrationSource;
import dev.backend.server.users.UsersApi;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar backend-server.jar [serve | migrate | info | validate]}: runs the reference users service,
 * or one migration command, configured from the environment.
 *
 * <ul>
 *   <li>{@code serve} (the default): applies pending migrations, then serves.
 *   <li>{@code migrate}: applies pending migrations and exits.
 *   <li>{@code info}: prints every migration with its state (applied, pending, out-of-order, changed,
 *       missing, failed) and the problems found.
 *   <li>{@code validate}: checks files against the database; exits 1 on any problem, for CI.
 * </ul>
 * The migration verbs reach the database as {@code serve} does (embedded PostgreSQL without {@code
 * DATABASE_URL}) but never bind the HTTP port.
 *
 * <p>Exit codes: 0 success (including a graceful stop), 1 failure (start-up, migration problems, a
 * database that cannot be reached), 2 bad configuration or usage.
 */
public final class Main {

    private static final List<String> VERBS = List.of("serve", "migrate", "info", "validate");

    /** The reference service's migrations, packaged from the repository's {@code migrations/} directory. */
    static final MigrationSource MIGRATIONS = MigrationSource.classpath("migrations");

    private Main() {}

    /** Entry point of the runnable jar. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The reference service: the users API under {@code /api/v1} on the standard runtime. */
    static BackendServer.Builder referenceService() {
        return BackendServer.builder()
                .migrations(MIGRATIONS)
                .routes(dataSource -> Router.create().nest("/api/v1", UsersApi.routes(dataSource)));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        String verb = args.length == 0 ? "serve" : args[0];
        if (args.length > 1 || !VERBS.contains(verb)) {
            err.println("Usage: java -jar backend-server.jar [" + String.join(" | ", VERBS) + "]");
            return ConfigException.EXIT_CODE;
        }
        Config config;
        try {
            config = Config.fromEnvironment(environment);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return ConfigException.EXIT_CODE;
        }
        // No logger may exist before this line: logback reads its configuration when the first one does.
        Logging.configure(config.log(), !verb.equals("serve"));
        Logger log = LoggerFactory.getLogger(Main.class);
        if (!verb.equals("serve")) {
            return MigrationCommand.run(verb, config, MIGRATIONS, out, err);
        }
        BackendServer server;
        try {
            server = referenceService().config(config).start();
        } catch (RuntimeException e) {
            log.error("Start-up failed: {}", e.getMessage());
            log.debug("Start-up failure", e);
            return 1;
        }
        server.stopOnSignals();
        server.awaitStop();
        return 0;
    }
}
