package dev.backend.examples.docs;

import dev.backend.core.Handler;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.examples.notes.NotesApi;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.ConfigException;
import dev.backend.server.DatabaseUrl;
import dev.backend.server.MigrationCommand;
import dev.backend.server.StandardMiddleware;
import dev.backend.server.migration.MigrationSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The snippets of docs/embedding.md, docs/migrations.md, docs/observability.md and docs/operations.md. */
final class ServerSnippets {

    /** A downstream service a readiness check looks at. */
    interface Payments {
        void ping() throws Exception;
    }

    /** A queue client a readiness check looks at. */
    interface Queue {
        boolean isConnected();
    }

    private ServerSnippets() {}

    static Config configInCode() {
        // tag::config-in-code[]
        Config config = Config.fromEnvironment(Map.of("PORT", "0", "MAX_CONNECTIONS", "8"))
                .withDatabase(Config.defaults().database()
                        .withUrl(DatabaseUrl.parse("postgres://app:secret@localhost:5432/app"))
                        .withPoolSize(2, 8))
                .withShutdownDelay(Duration.ofSeconds(10));
        // end::config-in-code[]
        return config;
    }

    /** An application's own main with the migration commands. */
    static final class Main {
        private Main() {}

        // tag::migration-command[]
        public static void main(String[] args) throws InterruptedException {
            Config config;
            try {
                config = Config.fromEnvironment(System.getenv());
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                System.exit(ConfigException.EXIT_CODE);             // 2: nothing was started
                return;
            }
            Optional<MigrationCommand> command = args.length > 0 ? MigrationCommand.named(args[0]) : Optional.empty();
            if (command.isPresent()) {                              // migrate, info or validate: 0, 1 or 2
                System.exit(command.get().run(config, GreetingService.MIGRATIONS, System.out, System.err));
            }
            GreetingService.server().config(config).start().stopOnSignals().awaitStop();
        }
        // end::migration-command[]
    }

    static Handler standardStack(Router router) {
        // tag::standard-stack[]
        Handler app = StandardMiddleware.from(Config.defaults().http()).wrap(router.build());
        // end::standard-stack[]
        return app;
    }

    static void ownMigrations() {
        // tag::own-migrations[]
        BackendServer.builder()
                .migrations(MigrationSource.classpath("com/example/notes/migrations"))   // or MigrationSource.directory(path)
                .routes(NotesApi::routes)
                .start();
        // end::own-migrations[]
    }

    static BackendServer ownMetrics() {
        // tag::own-metrics[]
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter placed = Counter.builder("orders.placed").register(registry);    // orders_placed_total in /metrics
        BackendServer server = BackendServer.builder()
                .meterRegistry(registry)
                .routes(dataSource -> Router.create().post("/orders", request -> {
                    placed.increment();
                    return Response.status(201);
                }))
                .start();
        // end::own-metrics[]
        return server;
    }

    static void readinessChecks(Payments payments, Queue queue) {
        // tag::readiness-checks[]
        BackendServer.builder()
                .readinessCheck("payments", Duration.ofMillis(500), () -> payments.ping())
                .readinessCheck("queue", Duration.ofSeconds(1), () -> {
                    if (!queue.isConnected()) {
                        throw new IllegalStateException("queue connection lost");
                    }
                });
        // end::readiness-checks[]
    }
}
