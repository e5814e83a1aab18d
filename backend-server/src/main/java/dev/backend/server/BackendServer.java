package dev.backend.server;

import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Json;
import dev.backend.core.Middleware;
import dev.backend.core.Router;
import dev.backend.server.migration.MigrationSource;
import dev.backend.server.migration.MigrationStatus;
import dev.backend.server.migration.Migrator;
import dev.backend.server.spi.EmbeddedDatabase;
import dev.backend.server.spi.EmbeddedDatabaseProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * <p>Metrics ({@code METRICS}, on by default): HTTP, pool, JVM and migration meters on a Micrometer registry
 * (the application's own, given to {@link Builder#meterRegistry}, or one the server makes), served as {@code GET
 * /metrics} in the Prometheus text format next to the health probes, or on {@code METRICS_PORT}. See
 * docs/observability.md.
 *
 * <p>Stop order, each step logged with its duration: readiness answers 503, the listener keeps serving for
 * {@code SHUTDOWN_DELAY} (default 0) with {@code Connection: close} on every response, then stops accepting
 * and in-flight requests get up to {@code SHUTDOWN_TIMEOUT} to finish, the metrics listener closes, the pool
 * closes, embedded PostgreSQL stops, the server's meters are released.
 */
public final class BackendServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendServer.class);

    private final Config config;
    private final ConnectionPool pool;
    private final Optional<EmbeddedDatabase> embedded;
    private final Health health;
    private final HttpListener listener;
    private final Optional<ServerMetrics> metrics;
    private final Optional<HttpListener> metricsListener;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private BackendServer(Config config, ConnectionPool pool, Optional<EmbeddedDatabase> embedded, Health health,
            HttpListener listener, Optional<ServerMetrics> metrics, Optional<HttpListener> metricsListener) {
        this.config = config;
        this.pool = pool;
        this.embedded = embedded;
        this.health = health;
        this.listener = listener;
        this.metrics = metrics;
        this.metricsListener = metricsListener;
    }

    /**
     * A builder with no routes, configured from the environment ({@code Config.fromEnvironment(System.getenv())},
     * the same variables the reference service's jar reads) unless {@link Builder#config(Config)} is called.
     *
     * @return the builder; nothing is read or started until {@link Builder#start()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the port the listener is bound to: the one asked for, or the one the system chose for {@code PORT=0}}
     */
    public int port() {
        return listener.port();
    }

    /** Requests the listener is reading or answering now: what a stop waits for. */
    int requestsInFlight() {
        return listener.inFlight();
    }

    /**
     * The connection pool: inside a request, statements are cancelled at the request's deadline (see {@code
     * REQUEST_TIMEOUT}); {@code unwrap(HikariDataSource.class)} reaches HikariCP's own statistics.
     *
     * @return the pool's data source, a {@code HikariDataSource}; the server closes it on stop
     */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * The registry the server's meters are on, for the application's own ({@code Counter.builder("orders.placed")
     * .register(registry)}); they appear in {@code /metrics} too. Empty with {@code METRICS=false}.
     *
     * @return the registry, or empty when metrics are off
     */
    public Optional<MeterRegistry> meterRegistry() {
        return metrics.map(ServerMetrics::registry);
    }

    /**
     * The port of the listener serving only {@code /metrics}, when {@code METRICS_PORT} is set.
     *
     * @return the port, or empty when {@code /metrics} is served on the main port or metrics are off
     */
    public Optional<Integer> metricsPort() {
        return metricsListener.map(HttpListener::port);
    }

    /**
     * {@return the configuration this server runs with, validated}
     */
    public Config config() {
        return config;
    }

    /**
     * Runs {@link #stop()} on the first SIGTERM or SIGINT, and exits at once on the second.
     *
     * @return this server, for chaining
     */
    public BackendServer stopOnSignals() {
        Signals.install(this::stop, () -> {
            LOG.warn("Second signal: forcing exit without waiting for in-flight requests");
            embedded.ifPresent(EmbeddedDatabase::close);
            Runtime.getRuntime().halt(1);
        });
        return this;
    }

    /**
     * Blocks until a stop has completed.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
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
        // Requests still running after SHUTDOWN_TIMEOUT are interrupted; their statements are cancelled first.
        int cutOff = listener.stop(config.shutdownTimeout(), pool::cancelRunningStatements);
        if (cutOff == 0) {
            LOG.info("Listener closed, {} in-flight request(s) finished ({} ms)", running, millisSince(drainBegin));
        } else {
            LOG.warn("Listener closed, {} request(s) still running after SHUTDOWN_TIMEOUT were cut off ({} ms)",
                    cutOff, millisSince(drainBegin));
        }
        metricsListener.ifPresent(metricsOnly -> step("Metrics listener closed", "Closing the metrics listener",
                () -> metricsOnly.stop(Duration.ofSeconds(1))));
        step("Connection pool closed", "Closing the connection pool", pool::close);
        embedded.ifPresent(db -> step("Embedded PostgreSQL stopped", "Stopping embedded PostgreSQL", db::close));
        metrics.ifPresent(ServerMetrics::close);
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

    /**
     * Builds the JSON mapper on a thread of its own. The handler needs it (error bodies, {@code Response.json}),
     * but only after the pool and the migrations; making it loads some 600 Jackson classes, which would otherwise
     * run after them on the starting thread, while it waits for PostgreSQL (bench/startup.sh: {@code start()} 665
     * to 603 ms). A failure is left for the starting thread, whose first use of {@link Json} then fails with it as
     * the cause.
     */
    private static void warmJsonAside() {
        Thread.ofPlatform().daemon().name("json-start").start(() -> {
            try {
                Json.mapper();
            } catch (LinkageError e) {
                // See above: the starting thread reports it. Any other error (out of memory) goes on up.
            }
        });
    }

    /** What the start-up line calls the engine {@code HTTP_PROVIDER} chose. */
    private static String engineName(Config.HttpProvider provider) {
        return switch (provider) {
            case BACKEND -> "backend-http";
            case JDK -> "jdk sun.net.httpserver";
        };
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    /** What the migrations at start did, for the metrics. */
    private record Migrated(int applied, Optional<String> version) {}

    /** The highest version applied, as written in its file name. */
    private static Optional<String> schemaVersion(Migrator migrator) {
        List<MigrationStatus.Entry> entries = migrator.status().entries();
        for (int i = entries.size() - 1; i >= 0; i--) {
            MigrationStatus.State state = entries.get(i).state();
            if (state == MigrationStatus.State.APPLIED || state == MigrationStatus.State.MISSING) {
                return Optional.of(entries.get(i).version());
            }
        }
        return Optional.empty();
    }

    /** The start-up line's word on metrics. */
    private static String metricsWhere(Optional<ServerMetrics> metrics, Optional<Router> scrape,
            Optional<HttpListener> metricsListener) {
        if (metrics.isEmpty()) {
            return "metrics off";
        }
        if (scrape.isEmpty()) {
            return "metrics on the application's registry, no /metrics (it holds no Prometheus registry)";
        }
        return metricsListener.map(l -> "metrics on :" + l.port() + MetricsEndpoint.PATH).orElse("metrics on "
                + MetricsEndpoint.PATH);
    }

    /** Assembles a {@link BackendServer}; {@link #start()} does the work. */
    public static final class Builder {
        private Config config;
        private Function<DataSource, Router> routes = dataSource -> Router.create();
        private final List<Middleware> middleware = new ArrayList<>();
        private Optional<MigrationSource> migrations = Optional.empty();
        private final List<Health.Registration> readinessChecks = new ArrayList<>();
        private Optional<MeterRegistry> meterRegistry = Optional.empty();

        private Builder() {}

        /**
         * The configuration; without this call, {@link #start()} reads it from the environment with {@code
         * Config.fromEnvironment(System.getenv())}, and says so in its start-up line.
         *
         * @param config the configuration, validated already by its records' constructors
         * @return this builder
         */
        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The application's routes, built once the pool exists. {@code /health}, {@code /health/live} and
         * {@code /health/ready} are the server's own and answered before the application's routes.
         *
         * @param routes builds the router from the pool's data source; called once, in {@link #start()}
         * @return this builder
         */
        public Builder routes(Function<DataSource, Router> routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
            return this;
        }

        /**
         * The application's migrations, applied on start before the port opens; default none. {@code
         * MIGRATIONS_DIR}, when set, takes precedence, so operators can point a build at other files.
         *
         * @param source where the migration files are
         * @return this builder
         */
        public Builder migrations(MigrationSource source) {
            this.migrations = Optional.of(source);
            return this;
        }

        /**
         * The registry for the server's meters, so they go wherever the application's own go; without this call
         * the server makes a Prometheus registry (see {@link BackendServer#meterRegistry()}). {@code /metrics}
         * serves this registry if it is a {@code PrometheusMeterRegistry} or a composite holding one; the server
         * never closes it. Ignored with {@code METRICS=false}.
         *
         * @param registry the registry for the server's meters
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Optional.of(Objects.requireNonNull(registry, "registry"));
            return this;
        }

        /**
         * Application middleware, run inside the standard stack, around the routes; first is outermost.
         *
         * @param layers middleware, outermost first; added after any given by earlier calls
         * @return this builder
         */
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
            // Metrics only on a registry the application gave: a test asserts on its own registry, and the
            // server would make none without starting.
            Optional<MeterRegistry> registry = cfg.metrics().enabled() ? meterRegistry : Optional.empty();
            Optional<Router> scrape = cfg.metrics().port().isPresent() ? Optional.empty()
                    : registry.flatMap(ServerMetrics::prometheusIn).map(MetricsEndpoint::routes);
            return handler(cfg.http(), dataSource, new Health(dataSource, readinessChecks),
                    registry.map(HttpMetrics::of), scrape);
        }

        private Handler handler(Config.Http http, DataSource dataSource, Health health, Optional<HttpMetrics> metrics,
                Optional<Router> scrape) {
            List<Middleware> stack = new ArrayList<>();
            // Outermost: the span is named after the route once the router has found it.
            OpenTelemetrySupport.routeNaming().ifPresent(stack::add);
            stack.add(metrics.map(m -> StandardMiddleware.from(http, m)).orElseGet(() -> StandardMiddleware.from(http)));
            stack.addAll(middleware);
            Handler application = Middleware.stack(stack).wrap(routes.apply(dataSource).build());
            // Probes and /metrics stay outside the stack: load shedding must not fail liveness (an orchestrator
            // would restart a pod for being busy), and probes and scrapes every few seconds would flood the
            // access log and the request metrics.
            Router probes = health.routes();
            scrape.ifPresent(probes::merge);
            return probes.fallback(application).build();
        }

        /**
         * Applies {@code LOG_LEVEL} and {@code LOG_FORMAT} if set, starts the embedded development database if
         * there is no {@code DATABASE_URL}, opens the pool, applies migrations, then binds the port. A failure
         * at any step undoes the earlier ones and is rethrown.
         *
         * @throws ConfigException when the environment's configuration is not valid, or when there is neither
         *     a {@code DATABASE_URL} nor an embedded development database (the message names the dependency to
         *     add); nothing has started then
         * @return the running server, listening on its port
         */
        public BackendServer start() {
            long begin = System.nanoTime();
            Config cfg = config != null ? config : Config.fromEnvironment(System.getenv());
            // Only the default is named: a configuration given in code may itself come from an environment map.
            String origin = config != null ? "" : ", configuration from the environment";
            LogSettings.apply(cfg.log());
            OutOfMemoryExit.install();
            warmJsonAside();
            Optional<EmbeddedDatabaseProvider> development = cfg.database().url().isPresent()
                    ? Optional.empty()
                    : Optional.of(DevelopmentDatabase.provider());
            List<AutoCloseable> opened = new ArrayList<>();
            Optional<CompletableFuture<ServerMetrics>> starting = cfg.metrics().enabled()
                    ? Optional.of(ServerMetrics.startAside(meterRegistry))
                    : Optional.empty();
            starting.ifPresent(future -> opened.add(() -> ServerMetrics.await(future).close()));
            try {
                Optional<EmbeddedDatabase> embedded =
                        development.map(provider -> provider.start(cfg.database().embeddedDirectory()));
                embedded.ifPresent(db -> opened.addFirst(db));
                DatabaseUrl url = cfg.database().url().orElseGet(() -> DevelopmentDatabase.url(embedded.orElseThrow()));
                ConnectionPool pool = ConnectionPool.open(cfg.database(), url, cfg.http().requestTimeout(),
                        starting.map(ServerMetrics::pool));
                opened.addFirst(pool);
                Optional<Migrated> migrated = MigrationCommand.source(cfg.migrations(), migrations).map(source -> {
                    Migrator migrator = Migrator.create(MigrationConnection.open(cfg, url), source,
                            cfg.migrations());
                    int applied = migrator.migrate();
                    return new Migrated(applied, starting.isPresent() ? schemaVersion(migrator) : Optional.empty());
                });
                Optional<ServerMetrics> metrics = starting.map(ServerMetrics::await);
                metrics.ifPresent(m -> migrated.ifPresent(done -> m.migrations(done.applied(), done.version())));
                Health health = new Health(pool, readinessChecks);
                Optional<Router> scrape = metrics.flatMap(ServerMetrics::prometheus).map(MetricsEndpoint::routes);
                Optional<Integer> metricsPort = cfg.metrics().port();
                Handler app = handler(cfg.http(), pool, health, metrics.map(ServerMetrics::http),
                        metricsPort.isEmpty() ? scrape : Optional.empty());
                Optional<HttpListener> metricsListener = metricsPort.flatMap(port -> scrape.map(router ->
                        HttpListener.start(cfg.http().withPort(port), HttpAdapter.of(router.build()))));
                metricsListener.ifPresent(l -> opened.addFirst(() -> l.stop(Duration.ZERO)));
                HttpListener listener = HttpListener.start(cfg.http(), HttpAdapter.of(app));
                BackendServer server = new BackendServer(cfg, pool, embedded, health, listener, metrics, metricsListener);
                LOG.info("Listening on http://{}:{} (engine {}, at most {} connections, virtual threads, pool {}-{} "
                        + "connections to {}, {}{}) in {} ms", cfg.http().host(), listener.port(),
                        engineName(cfg.http().provider()), cfg.http().maxHttpConnections(),
                        cfg.database().minConnections(), cfg.database().maxConnections(), url.masked(),
                        metricsWhere(metrics, scrape, metricsListener), origin, millisSince(begin));
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
