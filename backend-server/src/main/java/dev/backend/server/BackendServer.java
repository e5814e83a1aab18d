package dev.backend.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Middleware;
import dev.backend.core.Router;
import dev.backend.server.migration.MigrationSource;
import dev.backend.server.migration.Migrator;
import dev.backend.server.spi.EmbeddedDatabase;
import dev.backend.server.spi.EmbeddedDatabaseProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime around an application's routes: configuration (the environment unless given in code),
 * PostgreSQL ({@code DATABASE_URL}, or the embedded development database when the opt-in
 * backend-embedded-postgres module is present), the HikariCP pool, migrations before the port opens, health
 * endpoints with the application's own readiness checks, the standard middleware, a virtual-thread listener,
 * and an ordered graceful stop.
 *
 * {@snippet :
 * BackendServer server = BackendServer.builder()          // configured from the environment: PORT, DATABASE_URL, ...
 *         .migrations(MigrationSource.classpath("notes/migrations"))
 *         .routes(dataSource -> Router.create().nest("/api", NotesApi.routes(dataSource)))
 *         .readinessCheck("search", Duration.ofMillis(500), search::ping)
 *         .start();
 * server.stopOnSignals();   // SIGTERM / SIGINT drain and stop; a second signal forces exit
 * server.awaitStop();
 * }
 *
 * <p>Stop order, each step logged with its duration: readiness answers 503, the listener keeps serving for
 * {@code SHUTDOWN_DELAY} (default 0) with {@code Connection: close} on every response, then stops accepting
 * and in-flight requests get up to {@code SHUTDOWN_TIMEOUT} to finish, the pool closes, embedded
 * PostgreSQL stops.
 */
public final class BackendServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendServer.class);

    private final Config config;
    private final HikariDataSource pool;
    private final Optional<EmbeddedDatabase> embedded;
    private final Health health;
    private final HttpListener listener;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private BackendServer(Config config, HikariDataSource pool, Optional<EmbeddedDatabase> embedded, Health health,
            HttpListener listener) {
        this.config = config;
        this.pool = pool;
        this.embedded = embedded;
        this.health = health;
        this.listener = listener;
    }

    /**
     * A builder with no routes, configured from the environment ({@code Config.fromEnvironment(System.getenv())},
     * the same variables the reference service's jar reads) unless {@link Builder#config(Config)} is called.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the listener is bound to (useful with {@code PORT=0}). */
    public int port() {
        return listener.port();
    }

    /** The connection pool. */
    public DataSource dataSource() {
        return pool;
    }

    /** The configuration this server runs with. */
    public Config config() {
        return config;
    }

    /** Runs {@link #stop()} on the first SIGTERM or SIGINT, and exits at once on the second. */
    public BackendServer stopOnSignals() {
        Signals.install(this::stop, () -> {
            LOG.warn("Second signal: forcing exit without waiting for in-flight requests");
            embedded.ifPresent(EmbeddedDatabase::close);
            Runtime.getRuntime().halt(1);
        });
        return this;
    }

    /** Blocks until a stop has completed. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops gracefully; later calls wait for the first to finish. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        long begin = System.nanoTime();
        health.drain();
        Duration delay = config.shutdownDelay();
        if (delay.isPositive()) {
            LOG.info("Stopping: readiness answers 503; the listener serves for SHUTDOWN_DELAY ({} ms) more, every "
                    + "response with Connection: close", delay.toMillis());
            listener.retire(delay);
            LOG.info("SHUTDOWN_DELAY over: the listener takes no new connections");
        } else {
            LOG.info("Stopping: readiness answers 503 and the listener takes no new connections");
        }
        long drainBegin = System.nanoTime();
        int running = listener.inFlight();
        int cutOff = listener.stop(config.shutdownTimeout());
        if (cutOff == 0) {
            LOG.info("Listener closed, {} in-flight request(s) finished ({} ms)", running, millisSince(drainBegin));
        } else {
            LOG.warn("Listener closed, {} request(s) still running after SHUTDOWN_TIMEOUT were cut off ({} ms)",
                    cutOff, millisSince(drainBegin));
        }
        step("Connection pool closed", "Closing the connection pool", pool::close);
        embedded.ifPresent(db -> step("Embedded PostgreSQL stopped", "Stopping embedded PostgreSQL", db::close));
        LOG.info("Stopped in {} ms", millisSince(begin));
        stopped.countDown();
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitQuietly() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void step(String done, String failed, Runnable action) {
        long begin = System.nanoTime();
        try {
            action.run();
            LOG.info("{} ({} ms)", done, millisSince(begin));
        } catch (RuntimeException e) {
            LOG.error("{} failed after {} ms: {}", failed, millisSince(begin), e.getMessage());
            LOG.debug("{} failed", failed, e);
        }
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    /** Assembles a {@link BackendServer}; {@link #start()} does the work. */
    public static final class Builder {
        private Config config;
        private Function<DataSource, Router> routes = dataSource -> Router.create();
        private final List<Middleware> middleware = new ArrayList<>();
        private Optional<MigrationSource> migrations = Optional.empty();
        private final List<Health.Registration> readinessChecks = new ArrayList<>();

        private Builder() {}

        /**
         * The configuration; without this call, {@link #start()} reads it from the environment with {@code
         * Config.fromEnvironment(System.getenv())}, and says so in its start-up line.
         */
        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The application's routes, built once the pool exists. {@code /health}, {@code /health/live} and
         * {@code /health/ready} are the server's own and answered before the application's routes.
         */
        public Builder routes(Function<DataSource, Router> routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
            return this;
        }

        /**
         * The application's migrations, applied on start before the port opens; default none. {@code
         * MIGRATIONS_DIR}, when set, takes precedence, so operators can point a build at other files.
         */
        public Builder migrations(MigrationSource source) {
            this.migrations = Optional.of(source);
            return this;
        }

        /** Application middleware, run inside the standard stack, around the routes; first is outermost. */
        public Builder middleware(Middleware... layers) {
            middleware.addAll(List.of(layers));
            return this;
        }

        /**
         * Adds a readiness check, reported under {@code name} by {@code /health/ready} and {@code /health}
         * next to the built-in {@code database} check; it fails when {@code check} throws or takes longer than
         * {@code timeout}. Checks run at once, each on a virtual thread; each runs at most once per second
         * however often probes come, and its failures are logged, never sent. {@code /health/live} never
         * runs it: a dependency that is down must not get the pod restarted.
         *
         * @param name the name probes report, unique
         * @param timeout how long a run may take before it counts as failed, from 1 ms to 1 minute
         * @param check returns when the dependency is usable, throws when it is not
         * @return this builder
         * @throws IllegalArgumentException when {@code name} is blank, taken, or one of the server's own
         *     ({@code server}, {@code database}), or {@code timeout} is not from 1 ms to 1 minute
         */
        public Builder readinessCheck(String name, Duration timeout, HealthCheck check) {
            Health.Registration registration = new Health.Registration(name, timeout, check);
            if (name.equals(Health.SERVER) || name.equals(Health.DATABASE)
                    || readinessChecks.stream().anyMatch(added -> added.name().equals(name))) {
                throw new IllegalArgumentException("readiness check name '" + name + "' is taken");
            }
            readinessChecks.add(registration);
            return this;
        }

        /**
         * The handler {@link #start()} would serve, on {@code dataSource}: the health endpoints, the standard
         * middleware for the configuration's {@code http()} settings (limits, timeout, body limit,
         * compression, ...; the environment's unless {@link #config} was called), the application's middleware
         * and routes. Nothing is started: no database, no migrations, no pool, no port. For tests in process,
         * through {@code TestClient}:
         *
         * {@snippet :
         * TestClient client = TestClient.of(App.server().config(config).handler(testDatabase.dataSource()));
         * }
         *
         * @param dataSource the database the routes and the {@code database} check use
         * @return a new handler; each call builds its own middleware instances
         */
        public Handler handler(DataSource dataSource) {
            Objects.requireNonNull(dataSource, "dataSource");
            Config cfg = config != null ? config : Config.fromEnvironment(System.getenv());
            return handler(cfg.http(), dataSource, new Health(dataSource, readinessChecks));
        }

        private Handler handler(Config.Http http, DataSource dataSource, Health health) {
            Handler application = Middleware.stack(StandardMiddleware.from(http), Middleware.stack(middleware))
                    .wrap(routes.apply(dataSource).build());
            // Probes stay outside the stack: load shedding must not fail liveness (an orchestrator would
            // restart a pod for being busy), and probes every few seconds would flood the access log.
            return health.routes().fallback(application).build();
        }

        /**
         * Applies {@code LOG_LEVEL} and {@code LOG_FORMAT} if set, starts the embedded development database if
         * there is no {@code DATABASE_URL}, opens the pool, applies migrations, then binds the port. A failure
         * at any step undoes the earlier ones and is rethrown.
         *
         * @throws ConfigException when the environment's configuration is not valid, or when there is neither
         *     a {@code DATABASE_URL} nor an embedded development database (the message names the dependency to
         *     add); nothing has started then
         */
        public BackendServer start() {
            long begin = System.nanoTime();
            Config cfg = config != null ? config : Config.fromEnvironment(System.getenv());
            // Only the default is named: a configuration given in code may itself come from an environment map.
            String origin = config != null ? "" : ", configuration from the environment";
            LogSettings.apply(cfg.log());
            Optional<EmbeddedDatabaseProvider> development = cfg.database().url().isPresent()
                    ? Optional.empty()
                    : Optional.of(DevelopmentDatabase.provider());
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                Optional<EmbeddedDatabase> embedded =
                        development.map(provider -> provider.start(cfg.database().embeddedDirectory()));
                embedded.ifPresent(opened::add);
                DatabaseUrl url = cfg.database().url().orElseGet(() -> DevelopmentDatabase.url(embedded.orElseThrow()));
                HikariDataSource pool = ConnectionPool.open(cfg.database(), url);
                opened.addFirst(pool);
                MigrationCommand.source(cfg.migrations(), migrations)
                        .ifPresent(source -> Migrator.create(MigrationConnection.open(cfg, url),
                                source, cfg.migrations()).migrate());
                Health health = new Health(pool, readinessChecks);
                Handler app = handler(cfg.http(), pool, health);
                HttpListener listener = HttpListener.start(cfg.http(), HttpAdapter.of(app));
                BackendServer server = new BackendServer(cfg, pool, embedded, health, listener);
                LOG.info("Listening on http://{}:{} (provider {}, virtual threads, pool {}-{} connections to {}{}) "
                        + "in {} ms", cfg.http().host(), listener.port(),
                        cfg.http().provider().name().toLowerCase(Locale.ROOT), cfg.database().minConnections(),
                        cfg.database().maxConnections(), url.masked(), origin, millisSince(begin));
                return server;
            } catch (RuntimeException e) {
                for (AutoCloseable resource : opened) {
                    try {
                        resource.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }
}
