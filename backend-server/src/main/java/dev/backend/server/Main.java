package dev.backend.server;

import dev.backend.core.Router;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar backend-server.jar [serve | migrate | info | validate]}: runs the reference users service,
 * or one migration command, configured from the environment.
 *
 * <p>Exit codes: 0 success (including a graceful stop), 1 failure (start-up, migration problems, or a stop
 * forced by a second signal), 2 bad configuration or usage.
 */
public final class Main {

    private static final List<String> VERBS = List.of("serve", "migrate", "info", "validate");

    private Main() {}

    /** Entry point of the runnable jar. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        return run(args, environment, out, err, dataSource -> Router.create());
    }

    /** {@link #run(String[], Map, PrintStream, PrintStream)} serving {@code routes}: the seam process tests use. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err,
            Function<DataSource, Router> routes) throws InterruptedException {
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
            err.println("The '" + verb + "' command is not available in this build");
            return 1;
        }
        BackendServer server;
        try {
            server = BackendServer.builder().config(config).routes(routes).start();
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
