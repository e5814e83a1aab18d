package dev.backend.reference;

import dev.backend.core.Router;
import dev.backend.reference.users.UsersApi;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.ConfigException;
import dev.backend.server.MigrationCommand;
import dev.backend.server.migration.MigrationSource;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar reference-service.jar [serve | migrate | info | validate]}: runs the reference users
 * service, or one migration command, configured from the environment.
 *
 * <ul>
 *   <li>{@code serve} (the default): applies pending migrations, then serves.
 *   <li>{@code migrate}: applies pending migrations and exits.
 *   <li>{@code info}: prints every migration with its state (applied, pending, out-of-order, changed,
 *       missing, failed, incomplete) and the problems found.
 *   <li>{@code validate}: checks files against the database; exits 1 on any problem, for CI.
 * </ul>
 * The migration verbs reach the database as {@code serve} does (embedded PostgreSQL without {@code
 * DATABASE_URL}: this service depends on backend-embedded-postgres) but never bind the HTTP port.
 *
 * <p>Exit codes: 0 success (including a graceful stop), 1 failure (start-up, migration problems, a
 * database that cannot be reached, or a stop forced by a second signal), 2 bad configuration or usage.
 */
public final class Main {

    private static final String USAGE = "Usage: java -jar reference-service.jar [serve | migrate | info | validate]";

    /** The service's migrations, packaged under its own package so they never meet an application's. */
    static final MigrationSource MIGRATIONS = MigrationSource.classpath("dev/backend/reference/migrations");

    private Main() {}

    /** Entry point of the runnable jar. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The reference service: the users API under {@code /api/v1} on the standard runtime. */
    static BackendServer.Builder referenceService() {
        return service(Main::referenceRoutes);
    }

    private static Router referenceRoutes(DataSource dataSource) {
        return Router.create().nest("/api/v1", UsersApi.routes(dataSource));
    }

    private static BackendServer.Builder service(Function<DataSource, Router> routes) {
        return BackendServer.builder().migrations(MIGRATIONS).routes(routes);
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        return run(args, environment, out, err, Main::referenceRoutes);
    }

    /** {@link #run(String[], Map, PrintStream, PrintStream)} serving {@code routes}: the seam process tests use. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err,
            Function<DataSource, Router> routes) throws InterruptedException {
        String verb = args.length == 0 ? "serve" : args[0];
        Optional<MigrationCommand> command = MigrationCommand.named(verb);
        if (args.length > 1 || !(verb.equals("serve") || command.isPresent())) {
            err.println(USAGE);
            return ConfigException.EXIT_CODE;
        }
        Config config;
        try {
            config = Config.fromEnvironment(environment);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return ConfigException.EXIT_CODE;
        }
        // No logger may exist before this line: logback reads logback.xml, and with it the target, when the
        // first one does.
        Logging.configure(command.isPresent());
        if (command.isPresent()) {
            return command.get().run(config, MIGRATIONS, out, err);
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        BackendServer server;
        try {
            server = service(routes).config(config).start();
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
