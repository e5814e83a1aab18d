package dev.backend.server;

import dev.backend.core.middleware.Compression;
import dev.backend.core.middleware.Cors;
import dev.backend.core.middleware.SecurityHeaders;
import dev.backend.core.middleware.Trace;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything the server reads from its environment, validated once at start.
 *
 * <p>{@link #fromEnvironment(Map)} collects every problem and throws one {@link ConfigException} naming
 * each variable, its value and what is allowed. The records can also be built in code by embedders and
 * tests; their constructors check the same rules. Every variable, its default and meaning is listed in
 * docs/configuration.md.
 *
 * {@snippet :
 * Config config = Config.fromEnvironment(System.getenv());   // or Config.defaults().withHttp(...)
 * }
 *
 * @param http the listener and request limits
 * @param database where PostgreSQL is and how the pool behaves
 * @param migrations how migrations are found and applied
 * @param log level and format of the logs
 * @param shutdownTimeout how long in-flight requests may take to finish on stop ({@code SHUTDOWN_TIMEOUT})
 * @param metrics whether and where {@code GET /metrics} is served ({@code METRICS}, {@code METRICS_PORT})
 * @param shutdownDelay how long the listener keeps serving after a stop begins, every response with {@code
 *     Connection: close}, so load balancers stop routing to it and clients retire their pooled connections
 *     before it closes ({@code SHUTDOWN_DELAY}; 0, the default, closes it at once: see docs/operations.md)
 */
public record Config(Http http, Database database, Migrations migrations, Log log, Duration shutdownTimeout,
        Metrics metrics, Duration shutdownDelay) {

    /**
     * Checks every component; the messages name the environment variable, as {@link #fromEnvironment(Map)}'s do.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code shutdownTimeout} is not positive, {@code shutdownDelay} is not
     *     from 0 to 24 hours, or {@code metrics} asks for a port equal to {@code http}'s
     */
    public Config {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(migrations, "migrations");
        Objects.requireNonNull(log, "log");
        requirePositive("SHUTDOWN_TIMEOUT", shutdownTimeout);
        Objects.requireNonNull(metrics, "metrics");
        if (metrics.port().isPresent() && metrics.port().get() != 0 && metrics.port().get() == http.port()) {
            throw new IllegalArgumentException("METRICS_PORT (" + metrics.port().get() + ") must differ from PORT: "
                    + "leave METRICS_PORT unset to serve /metrics on the main port");
        }
        Objects.requireNonNull(shutdownDelay, "SHUTDOWN_DELAY");
        check(within(shutdownDelay, Duration.ZERO), "SHUTDOWN_DELAY must be from 0s to 24h, was "
                + Env.human(shutdownDelay));
    }

    /**
     * With the default metrics settings ({@link Metrics#defaults()}) and no {@code SHUTDOWN_DELAY}.
     *
     * @param http the listener and request limits
     * @param database where PostgreSQL is and how the pool behaves
     * @param migrations how migrations are found and applied
     * @param log level and format of the logs
     * @param shutdownTimeout how long in-flight requests may take to finish on stop; positive
     */
    public Config(Http http, Database database, Migrations migrations, Log log, Duration shutdownTimeout) {
        this(http, database, migrations, log, shutdownTimeout, Metrics.defaults(), Duration.ZERO);
    }

    /**
     * The listener, the limits that protect it, and the standard middleware ({@link StandardMiddleware}).
     *
     * @param host the address to bind ({@code HOST})
     * @param port the port, 0 for any free one ({@code PORT})
     * @param provider the {@code com.sun.net.httpserver} implementation ({@code HTTP_PROVIDER})
     * @param requestTimeout how long a handler may take before the client gets the timeout answer ({@code
     *     REQUEST_TIMEOUT})
     * @param requestTimeoutStatus the timeout answer: 503 with {@code Retry-After}, 504 or 408 ({@code
     *     REQUEST_TIMEOUT_STATUS})
     * @param bodyLimit the largest request body in bytes, larger is 413 ({@code BODY_LIMIT})
     * @param maxInFlight requests handled at once, more are answered 503 ({@code MAX_IN_FLIGHT})
     * @param cors the browser origins allowed to call the API; empty means CORS is off ({@code CORS_*})
     * @param maxHeaderSize the largest request header section in bytes ({@code MAX_HEADER_SIZE})
     * @param requestReadTimeout how long a client may take to send a request ({@code REQUEST_READ_TIMEOUT})
     * @param idleConnectionTimeout how long an idle keep-alive connection stays open ({@code
     *     IDLE_CONNECTION_TIMEOUT})
     * @param trace the request-id header and whether to write the access log ({@code REQUEST_ID_HEADER},
     *     {@code ACCESS_LOG})
     * @param compression gzip settings; empty means responses are never compressed ({@code COMPRESSION*})
     * @param securityHeaders which security headers every response gets ({@code SECURITY_HEADERS}, {@code
     *     REFERRER_POLICY})
     * @param maxHttpConnections client connections served at once ({@code MAX_HTTP_CONNECTIONS}); by default
     *     the open-files limit less what the process needs besides ({@link OpenFiles}). The backend engine serves
     *     a few connections beyond it, one request each (the overflow lane), so health probes still get
     *     answers; the JDK's provider closes them unanswered
     * @param bodyMemoryLimit the most bytes of request bodies held in memory at once, by all requests together
     *     ({@code BODY_MEMORY_LIMIT}); a request whose body would pass it is answered 503 with {@code Retry-After}
     *     without its body being read. By default an eighth of the maximum heap, and never less than {@code
     *     bodyLimit}
     * @param minRequestBodyRate the lowest average rate, in bytes per second, at which a client must send a
     *     request body once {@code requestReadTimeout} has passed waiting for it ({@code MIN_REQUEST_BODY_RATE});
     *     slower, the body read fails and the client gets 408. 0 turns it off. The backend engine only; the JDK's
     *     provider bounds the whole request by {@code requestReadTimeout} instead
     */
    public record Http(
            String host,
            int port,
            HttpProvider provider,
            Duration requestTimeout,
            int requestTimeoutStatus,
            long bodyLimit,
            int maxInFlight,
            Optional<Cors.Config> cors,
            int maxHeaderSize,
            Duration requestReadTimeout,
            Duration idleConnectionTimeout,
            Trace.Config trace,
            Optional<Compression.Config> compression,
            SecurityHeaders.Config securityHeaders,
            int maxHttpConnections,
            long bodyMemoryLimit,
            long minRequestBodyRate) {

        /**
         * Checks every component against the rules {@link Config#fromEnvironment(Map)} applies to the variables.
         *
         * @throws NullPointerException if a reference component is null
         * @throws IllegalArgumentException naming the variable, if a value is out of its range ({@code PORT} 0 to
         *     65535, {@code MAX_HEADER_SIZE} 1 KiB to 16 MiB, positive durations and limits), {@code
         *     requestTimeoutStatus} is not 503, 504 or 408, or {@code bodyMemoryLimit} is below {@code bodyLimit}
         */
        public Http {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(cors, "cors");
            Objects.requireNonNull(trace, "trace");
            Objects.requireNonNull(compression, "compression");
            Objects.requireNonNull(securityHeaders, "securityHeaders");
            check(port >= 0 && port <= 65535, "PORT must be from 0 to 65535, was " + port);
            requirePositive("REQUEST_TIMEOUT", requestTimeout);
            check(TIMEOUT_STATUSES.contains(Integer.toString(requestTimeoutStatus)), "REQUEST_TIMEOUT_STATUS must be one of "
                    + String.join(", ", TIMEOUT_STATUSES) + ", was " + requestTimeoutStatus);
            check(bodyLimit > 0, "BODY_LIMIT must be positive, was " + bodyLimit);
            check(maxInFlight > 0, "MAX_IN_FLIGHT must be positive, was " + maxInFlight);
            check(maxHeaderSize >= 1024 && maxHeaderSize <= 16 << 20, "MAX_HEADER_SIZE must be from 1KB to 16MB, was "
                    + Env.humanSize(maxHeaderSize));
            requirePositive("REQUEST_READ_TIMEOUT", requestReadTimeout);
            requirePositive("IDLE_CONNECTION_TIMEOUT", idleConnectionTimeout);
            check(maxHttpConnections >= 1, "MAX_HTTP_CONNECTIONS must be at least 1, was " + maxHttpConnections);
            check(bodyMemoryLimit >= bodyLimit, "BODY_MEMORY_LIMIT (" + Env.humanSize(bodyMemoryLimit)
                    + ") must be at least BODY_LIMIT (" + Env.humanSize(bodyLimit) + "): a body the limit allows must fit");
            check(minRequestBodyRate >= 0, "MIN_REQUEST_BODY_RATE must not be negative, was " + minRequestBodyRate);
        }

        /**
         * A copy listening on {@code port} (0 picks a free one).
         *
         * @param port the port, 0 to 65535
         * @return the copy; its other components are this record's
         * @throws IllegalArgumentException if {@code port} is out of range
         */
        public Http withPort(int port) {
            return new Http(host, port, provider, requestTimeout, requestTimeoutStatus, bodyLimit, maxInFlight, cors,
                    maxHeaderSize, requestReadTimeout, idleConnectionTimeout, trace, compression, securityHeaders,
                    maxHttpConnections, bodyMemoryLimit, minRequestBodyRate);
        }

        /**
         * A copy served by {@code provider}.
         *
         * @param provider the engine to serve with
         * @return the copy; its other components are this record's
         */
        public Http withProvider(HttpProvider provider) {
            return new Http(host, port, provider, requestTimeout, requestTimeoutStatus, bodyLimit, maxInFlight, cors,
                    maxHeaderSize, requestReadTimeout, idleConnectionTimeout, trace, compression, securityHeaders,
                    maxHttpConnections, bodyMemoryLimit, minRequestBodyRate);
        }

        /**
         * A copy with other CORS settings; empty turns CORS off.
         *
         * @param cors the allowed origins, methods and headers; empty for none
         * @return the copy; its other components are this record's
         */
        public Http withCors(Optional<Cors.Config> cors) {
            return new Http(host, port, provider, requestTimeout, requestTimeoutStatus, bodyLimit, maxInFlight, cors,
                    maxHeaderSize, requestReadTimeout, idleConnectionTimeout, trace, compression, securityHeaders,
                    maxHttpConnections, bodyMemoryLimit, minRequestBodyRate);
        }

        /**
         * A copy with other compression settings; empty turns compression off.
         *
         * @param compression the gzip settings; empty for none
         * @return the copy; its other components are this record's
         */
        public Http withCompression(Optional<Compression.Config> compression) {
            return new Http(host, port, provider, requestTimeout, requestTimeoutStatus, bodyLimit, maxInFlight, cors,
                    maxHeaderSize, requestReadTimeout, idleConnectionTimeout, trace, compression, securityHeaders,
                    maxHttpConnections, bodyMemoryLimit, minRequestBodyRate);
        }
    }

    /**
     * PostgreSQL and the pool. Without a {@code url} the server starts the embedded development database
     * (the opt-in backend-embedded-postgres module) with its data in {@code embeddedDirectory}.
     *
     * @param url the server to connect to ({@code DATABASE_URL}); empty starts the embedded development
     *     database, when its module is on the class or module path
     * @param embeddedDirectory where the embedded database keeps its data ({@code EMBEDDED_DATABASE_DIR})
     * @param maxConnections the pool's size, at least 1 ({@code MAX_CONNECTIONS})
     * @param minConnections idle connections the pool keeps open, from 0 to {@code maxConnections} ({@code
     *     MIN_CONNECTIONS}; HikariCP's {@code minimumIdle})
     * @param acquireTimeout how long a request waits for a free connection before failing, 250 ms to 24 h ({@code
     *     ACQUIRE_TIMEOUT}; HikariCP's {@code connectionTimeout}, whose floor is 250 ms)
     * @param idleTimeout how long a connection above {@code minConnections} may sit idle before it is closed: 0
     *     for never, else 10 s to 24 h and shorter than {@code maxLifetime} ({@code IDLE_TIMEOUT}; HikariCP's floor)
     * @param maxLifetime how long a connection lives before the pool replaces it: 0 for never, else 30 s to 24 h
     *     ({@code MAX_LIFETIME}; HikariCP's floor). Keep it below any timeout a proxy or the server applies
     */
    public record Database(
            Optional<DatabaseUrl> url,
            Path embeddedDirectory,
            int maxConnections,
            int minConnections,
            Duration acquireTimeout,
            Duration idleTimeout,
            Duration maxLifetime) {

        /**
         * Checks the pool settings against HikariCP's floors, below which it would silently use its defaults.
         *
         * @throws NullPointerException if a reference component is null
         * @throws IllegalArgumentException naming the variable, if a value is out of range or {@code minConnections}
         *     exceeds {@code maxConnections}, or {@code idleTimeout} is not shorter than {@code maxLifetime}
         */
        public Database {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(embeddedDirectory, "embeddedDirectory");
            check(maxConnections >= 1, "MAX_CONNECTIONS must be at least 1, was " + maxConnections);
            check(minConnections >= 0, "MIN_CONNECTIONS must not be negative, was " + minConnections);
            check(minConnections <= maxConnections, "MIN_CONNECTIONS (" + minConnections
                    + ") must not be greater than MAX_CONNECTIONS (" + maxConnections + ")");
            Objects.requireNonNull(acquireTimeout, "acquireTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            // HikariCP's own floors: below them it silently substitutes its defaults.
            check(within(acquireTimeout, MIN_ACQUIRE_TIMEOUT), "ACQUIRE_TIMEOUT must be from 250ms to 24h, was "
                    + Env.human(acquireTimeout));
            check(idleTimeout.isZero() || within(idleTimeout, MIN_IDLE_TIMEOUT),
                    "IDLE_TIMEOUT must be 0 (never) or from 10s to 24h, was " + Env.human(idleTimeout));
            check(maxLifetime.isZero() || within(maxLifetime, MIN_MAX_LIFETIME),
                    "MAX_LIFETIME must be 0 (never) or from 30s to 24h, was " + Env.human(maxLifetime));
            // HikariCP would quietly disable an idle timeout that a connection's lifetime always beats.
            check(idleTimeout.isZero() || maxLifetime.isZero() || idleTimeout.compareTo(maxLifetime) < 0,
                    "IDLE_TIMEOUT (" + Env.human(idleTimeout) + ") must be shorter than MAX_LIFETIME ("
                            + Env.human(maxLifetime) + ")");
        }

        /**
         * A copy using the server at {@code url}.
         *
         * @param url the server to connect to
         * @return the copy; its other components are this record's
         */
        public Database withUrl(DatabaseUrl url) {
            return new Database(Optional.of(url), embeddedDirectory, maxConnections, minConnections, acquireTimeout,
                    idleTimeout, maxLifetime);
        }

        /**
         * A copy with another pool size.
         *
         * @param minConnections idle connections to keep, from 0 to {@code maxConnections}
         * @param maxConnections the pool's size, at least 1
         * @return the copy; its other components are this record's
         * @throws IllegalArgumentException if the sizes are out of range or contradict each other
         */
        public Database withPoolSize(int minConnections, int maxConnections) {
            return new Database(url, embeddedDirectory, maxConnections, minConnections, acquireTimeout, idleTimeout,
                    maxLifetime);
        }

        /**
         * A copy with another acquire timeout.
         *
         * @param acquireTimeout how long a request waits for a connection, 250 ms to 24 h
         * @return the copy; its other components are this record's
         * @throws IllegalArgumentException if the timeout is out of range
         */
        public Database withAcquireTimeout(Duration acquireTimeout) {
            return new Database(url, embeddedDirectory, maxConnections, minConnections, acquireTimeout, idleTimeout,
                    maxLifetime);
        }
    }

    /**
     * Where migrations come from ({@code MIGRATIONS_DIR}, else the location the application names; the reference
     * service names {@code dev/backend/reference/migrations} in its jar), where they connect, and their safety
     * switches.
     *
     * @param url the database migrations connect to ({@code MIGRATION_DATABASE_URL}); empty means the server's
     *     own. They run on a connection of their own, opened for the run and closed after it, so the session
     *     state a migration leaves ({@code SET search_path}, ...) never reaches a pooled connection. Set it when
     *     {@code DATABASE_URL} goes through PgBouncer in transaction mode, whose shared sessions cannot hold
     *     the migration lock: see docs/operations.md
     * @param directory a directory of migration files that replaces the location the application names ({@code
     *     MIGRATIONS_DIR}); empty keeps the application's
     * @param lockTimeout how long to wait for another instance's migration run, which holds the advisory lock,
     *     before failing ({@code MIGRATION_LOCK_TIMEOUT}); positive
     * @param outOfOrder whether a new file whose version is below the highest applied one is applied rather than
     *     refused ({@code MIGRATIONS_OUT_OF_ORDER})
     * @param ignoreMissing whether applied migrations whose file is gone are tolerated rather than refused
     *     ({@code MIGRATIONS_IGNORE_MISSING})
     */
    public record Migrations(Optional<Path> directory, Duration lockTimeout, boolean outOfOrder, boolean ignoreMissing,
            Optional<DatabaseUrl> url) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if {@code directory}, {@code lockTimeout} or {@code url} is null
         * @throws IllegalArgumentException if {@code lockTimeout} is not positive
         */
        public Migrations {
            Objects.requireNonNull(directory, "directory");
            requirePositive("MIGRATION_LOCK_TIMEOUT", lockTimeout);
            Objects.requireNonNull(url, "url");
        }

        /**
         * Migrations that connect where the server does.
         *
         * @param directory a directory of migration files to use instead of the application's location; empty for none
         * @param lockTimeout how long to wait for the migration lock; positive
         * @param outOfOrder whether to apply a file older than the highest applied version
         * @param ignoreMissing whether to tolerate applied migrations whose file is gone
         */
        public Migrations(Optional<Path> directory, Duration lockTimeout, boolean outOfOrder, boolean ignoreMissing) {
            this(directory, lockTimeout, outOfOrder, ignoreMissing, Optional.empty());
        }
    }

    /**
     * Log level and format, as the operator set them. Empty means the application's own logging
     * configuration decides; when set, they are applied to logback if it is the SLF4J backend and reported as
     * ignored otherwise.
     *
     * @param level the root logger's level ({@code LOG_LEVEL})
     * @param format text lines or JSON objects ({@code LOG_FORMAT})
     */
    public record Log(Optional<String> level, Optional<LogFormat> format) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if a component is null
         * @throws IllegalArgumentException if {@code level} is not one of TRACE, DEBUG, INFO, WARN or ERROR
         */
        public Log {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(format, "format");
            level.ifPresent(l -> check(LEVELS.contains(l), "LOG_LEVEL must be one of " + String.join(", ", LEVELS)
                    + ", was " + l));
        }
    }

    /**
     * Metrics: HTTP, pool, JVM and migration meters in a Micrometer registry, and {@code GET /metrics} in the
     * Prometheus text format (OpenMetrics when the scraper asks for it), outside the middleware stack like the
     * health probes. See docs/observability.md for every metric.
     *
     * @param enabled whether meters are registered and {@code /metrics} is served ({@code METRICS}, default true)
     * @param port the port of a listener serving only {@code /metrics} (0 for any free one), so the main port does
     *     not expose it; empty serves it on the main port ({@code METRICS_PORT}, default unset)
     */
    public record Metrics(boolean enabled, Optional<Integer> port) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if {@code port} is null
         * @throws IllegalArgumentException if the port is out of 0 to 65535, or a port is given while metrics are off
         */
        public Metrics {
            Objects.requireNonNull(port, "port");
            port.ifPresent(p -> check(p >= 0 && p <= 65535, "METRICS_PORT must be from 0 to 65535, was " + p));
            check(enabled || port.isEmpty(), "METRICS_PORT is set but METRICS=false turns metrics off: unset one of them");
        }

        /**
         * {@return metrics on, served on the main port}
         */
        public static Metrics defaults() {
            return new Metrics(true, Optional.empty());
        }

        /**
         * {@return metrics off: no meters, no {@code /metrics}}
         */
        public static Metrics off() {
            return new Metrics(false, Optional.empty());
        }

        /**
         * On, served on a listener of its own on {@code port} (0 picks a free one).
         *
         * @param port the port of the metrics listener, 0 to 65535; 0 picks a free one
         * @return the settings
         * @throws IllegalArgumentException if {@code port} is out of range
         */
        public static Metrics onPort(int port) {
            return new Metrics(true, Optional.of(port));
        }
    }

    /** The HTTP engine behind the {@code com.sun.net.httpserver} API ({@code HTTP_PROVIDER}). */
    public enum HttpProvider {
        /**
         * backend-http ({@code dev.backend.http}), the default: strict RFC 9112 parsing, limits per server, a
         * connection limit with an overflow lane, handlers on each connection's virtual thread.
         */
        BACKEND,
        /** The JDK's built-in {@code sun.net.httpserver}, limits read once per JVM from system properties. */
        JDK
    }

    /** How log lines are written. */
    public enum LogFormat {
        /** Human-readable lines. */
        TEXT,
        /** One JSON object per line, for log shippers. */
        JSON
    }

    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    /** A slow handler is the server's failure (503, the default); 504 suits a gateway, 408 blames the client. */
    static final List<String> TIMEOUT_STATUSES = List.of("503", "504", "408");

    private static final int DEFAULT_POOL_SIZE = 20;
    private static final long DEFAULT_BODY_LIMIT = 10L << 20;
    private static final Duration MIN_ACQUIRE_TIMEOUT = Duration.ofMillis(250);
    private static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_MAX_LIFETIME = Duration.ofSeconds(30);

    /**
     * The defaults of every variable, whatever the environment holds: no {@code DATABASE_URL} (so the embedded
     * development database), port 8080. {@link BackendServer.Builder} without a configuration reads the
     * environment instead.
     *
     * @return the configuration an empty environment gives
     */
    public static Config defaults() {
        return fromEnvironment(Map.of());
    }

    /**
     * Reads and validates the configuration; throws {@link ConfigException} listing every problem.
     *
     * @param environment variable names to values, usually {@code System.getenv()}; absent and blank values
     *     take the default
     * @return the validated configuration
     * @throws ConfigException listing every variable that is not valid, with its value and what is allowed
     */
    public static Config fromEnvironment(Map<String, String> environment) {
        Env env = new Env(environment);
        Optional<DatabaseUrl> url = databaseUrl(env, "DATABASE_URL");
        Optional<DatabaseUrl> migrationUrl = databaseUrl(env, "MIGRATION_DATABASE_URL");
        String provider = env.choice("HTTP_PROVIDER", "backend", List.of("backend", "jdk"));
        String host = env.string("HOST").orElse("0.0.0.0");
        if (new InetSocketAddress(host, 0).isUnresolved()) {
            env.problem("HOST=" + host + " is not valid: expected an IP address or a host name this machine "
                    + "resolves, such as 0.0.0.0 (every interface), 127.0.0.1 or localhost");
        }
        Optional<Cors.Config> cors = cors(env);
        Trace.Config trace = middleware(env, "REQUEST_ID_HEADER", () -> new Trace.Config(
                env.string("REQUEST_ID_HEADER").orElse("X-Request-Id"), env.flag("ACCESS_LOG", true)))
                .orElse(Trace.Config.defaults());
        int compressionMinSize = (int) Math.min(Integer.MAX_VALUE, env.size("COMPRESSION_MIN_SIZE", 1L << 10));
        Optional<Compression.Config> compression = env.flag("COMPRESSION", true)
                ? Optional.of(Compression.Config.defaults().withMinSize(compressionMinSize))
                : Optional.empty();
        SecurityHeaders.Config securityHeaders = securityHeaders(env);
        // Only to size the default of MAX_HTTP_CONNECTIONS: MAX_CONNECTIONS itself is checked with the database settings.
        int poolSize = env.string("MAX_CONNECTIONS").flatMap(Env::parseInteger).filter(n -> n <= Integer.MAX_VALUE)
                .map(Long::intValue).orElse(DEFAULT_POOL_SIZE);
        // Only to size the default of BODY_MEMORY_LIMIT: BODY_LIMIT itself is checked, and reported, in its turn.
        long bodyLimit = env.string("BODY_LIMIT").flatMap(Env::parseSize).filter(n -> n >= 1).orElse(DEFAULT_BODY_LIMIT);
        Optional<Http> http = env.build(() -> new Http(
                host,
                env.integer("PORT", 8080, 0, 65535),
                HttpProvider.valueOf(provider.toUpperCase(Locale.ROOT)),
                env.duration("REQUEST_TIMEOUT", Duration.ofSeconds(30)),
                Integer.parseInt(env.choice("REQUEST_TIMEOUT_STATUS", "503", TIMEOUT_STATUSES)),
                env.size("BODY_LIMIT", DEFAULT_BODY_LIMIT),
                env.integer("MAX_IN_FLIGHT", 1024, 1, 1_000_000),
                cors,
                (int) env.size("MAX_HEADER_SIZE", 16L << 10, 1L << 10, 16L << 20),
                env.duration("REQUEST_READ_TIMEOUT", Duration.ofSeconds(10)),
                env.duration("IDLE_CONNECTION_TIMEOUT", Duration.ofSeconds(60)),
                trace,
                compression,
                securityHeaders,
                env.integer("MAX_HTTP_CONNECTIONS", OpenFiles.defaultMaxHttpConnections(poolSize), 1, 10_000_000),
                env.size("BODY_MEMORY_LIMIT", defaultBodyMemoryLimit(bodyLimit)),
                env.size("MIN_REQUEST_BODY_RATE", 1L << 10, 0, Long.MAX_VALUE)));
        Optional<Database> database = env.build(() -> new Database(
                url,
                env.path("EMBEDDED_DATABASE_DIR", "./data/postgres"),
                env.integer("MAX_CONNECTIONS", DEFAULT_POOL_SIZE, 1, 10_000),
                env.integer("MIN_CONNECTIONS", 5, 0, 10_000),
                env.duration("ACQUIRE_TIMEOUT", Duration.ofSeconds(3), MIN_ACQUIRE_TIMEOUT, false),
                env.duration("IDLE_TIMEOUT", Duration.ofMinutes(10), MIN_IDLE_TIMEOUT, true),
                env.duration("MAX_LIFETIME", Duration.ofMinutes(30), MIN_MAX_LIFETIME, true)));
        Optional<Migrations> migrations = env.build(() -> new Migrations(
                env.string("MIGRATIONS_DIR").map(Path::of),
                env.duration("MIGRATION_LOCK_TIMEOUT", Duration.ofSeconds(60)),
                env.flag("MIGRATIONS_OUT_OF_ORDER", false),
                env.flag("MIGRATIONS_IGNORE_MISSING", false),
                migrationUrl));
        Optional<LogFormat> format = env.string("LOG_FORMAT").map(v -> LogFormat.valueOf(
                env.choice("LOG_FORMAT", "text", List.of("text", "json")).toUpperCase(Locale.ROOT)));
        Optional<Log> log = env.build(() -> new Log(env.string("LOG_LEVEL").map(v -> env.choice("LOG_LEVEL", "INFO", LEVELS)),
                format));
        Duration shutdownTimeout = env.duration("SHUTDOWN_TIMEOUT", Duration.ofSeconds(30));
        Optional<Integer> metricsPort = env.string("METRICS_PORT").map(v -> env.integer("METRICS_PORT", 0, 0, 65535));
        Optional<Metrics> metrics = env.build(() -> new Metrics(env.flag("METRICS", true), metricsPort));
        // 0 by default: a developer's Ctrl-C stops at once; behind a load balancer the operator sets it
        // (docs/operations.md gives the rule, the Kubernetes manifests set it).
        Duration shutdownDelay = env.duration("SHUTDOWN_DELAY", Duration.ZERO, Duration.ZERO, false);
        env.throwIfProblems();
        Optional<Config> config = env.build(() -> new Config(http.orElseThrow(), database.orElseThrow(),
                migrations.orElseThrow(), log.orElseThrow(), shutdownTimeout, metrics.orElseThrow(), shutdownDelay));
        env.throwIfProblems();
        return config.orElseThrow();
    }

    /**
     * A copy with other HTTP settings.
     *
     * @param http the HTTP settings
     * @return the copy; its other components are this record's
     */
    public Config withHttp(Http http) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    /**
     * A copy with other database settings.
     *
     * @param database the database settings
     * @return the copy; its other components are this record's
     */
    public Config withDatabase(Database database) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    /**
     * A copy with other migration settings.
     *
     * @param migrations the migration settings
     * @return the copy; its other components are this record's
     */
    public Config withMigrations(Migrations migrations) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    /**
     * A copy with another shutdown delay (0 for none).
     *
     * @param shutdownDelay how long the listener keeps serving once a stop begins; 0 to 24 h
     * @return the copy; its other components are this record's
     * @throws IllegalArgumentException if the delay is out of range
     */
    public Config withShutdownDelay(Duration shutdownDelay) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    /**
     * A copy with another shutdown timeout.
     *
     * @param shutdownTimeout how long in-flight requests may take to finish on stop; positive
     * @return the copy; its other components are this record's
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Config withShutdownTimeout(Duration shutdownTimeout) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    /**
     * A copy with other metrics settings.
     *
     * @param metrics the metrics settings
     * @return the copy; its other components are this record's
     * @throws IllegalArgumentException if the metrics port equals the main port
     */
    public Config withMetrics(Metrics metrics) {
        return new Config(http, database, migrations, log, shutdownTimeout, metrics, shutdownDelay);
    }

    private static Optional<DatabaseUrl> databaseUrl(Env env, String name) {
        return env.string(name).flatMap(value -> {
            try {
                return Optional.of(DatabaseUrl.parse(value));
            } catch (IllegalArgumentException e) {
                // Never echo the value: it may hold a password.
                env.problem(name + " is not valid: " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** CORS is on when {@code CORS_ORIGINS} lists origins; the other {@code CORS_*} refine it. */
    private static Optional<Cors.Config> cors(Env env) {
        List<String> origins = env.string("CORS_ORIGINS").map(Config::commaList).orElse(List.of());
        Optional<List<String>> methods = env.string("CORS_METHODS").map(Config::commaList);
        Optional<List<String>> headers = env.string("CORS_HEADERS").map(Config::commaList);
        Optional<List<String>> exposed = env.string("CORS_EXPOSE_HEADERS").map(Config::commaList);
        Optional<Duration> maxAge = env.string("CORS_MAX_AGE").map(v -> env.duration("CORS_MAX_AGE", Duration.ZERO));
        boolean credentials = env.flag("CORS_CREDENTIALS", false);
        if (origins.isEmpty()) {
            if (methods.isPresent() || headers.isPresent() || exposed.isPresent() || maxAge.isPresent() || credentials) {
                env.problem("CORS_ORIGINS is empty, so CORS is off and the other CORS_* variables have no effect: "
                        + "set CORS_ORIGINS to the allowed origins, such as https://app.example.com");
            }
            return Optional.empty();
        }
        // The origins first, so a problem with one is reported under the variable that holds it.
        return middleware(env, "CORS_ORIGINS", () -> Cors.Config.origins(origins)).flatMap(defaults -> middleware(env,
                "CORS_*", () -> new Cors.Config(defaults.origins(), methods.orElse(defaults.methods()),
                        headers.orElse(defaults.headers()), exposed.orElse(defaults.exposedHeaders()),
                        maxAge.orElse(defaults.maxAge()), credentials)));
    }

    /** {@code SECURITY_HEADERS} lists the headers to send ({@code none} for none); {@code REFERRER_POLICY} its value. */
    private static SecurityHeaders.Config securityHeaders(Env env) {
        List<String> allowed = List.of("nosniff", "referrer-policy", "no-store");
        List<String> chosen = env.string("SECURITY_HEADERS")
                .map(v -> v.equalsIgnoreCase("none") ? List.<String>of() : commaList(v.toLowerCase(Locale.ROOT)))
                .orElse(allowed);
        if (!allowed.containsAll(chosen)) {
            env.problem("SECURITY_HEADERS=" + String.join(",", chosen) + " is not valid: expected a comma-separated "
                    + "list of " + String.join(", ", allowed) + ", or none");
        }
        String policy = env.choice("REFERRER_POLICY", "no-referrer", SecurityHeaders.REFERRER_POLICIES);
        return new SecurityHeaders.Config(chosen.contains("nosniff"),
                chosen.contains("referrer-policy") ? Optional.of(policy) : Optional.empty(), chosen.contains("no-store"));
    }

    /** Builds a middleware setting, reporting its validation message under the variables it came from. */
    private static <T> Optional<T> middleware(Env env, String variables, Supplier<T> build) {
        try {
            return Optional.of(build.get());
        } catch (IllegalArgumentException e) {
            env.problem(variables + " is not valid: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * An eighth of the maximum heap, at least {@code bodyLimit}: the bytes are one share, what handlers build from
     * them (a parsed JSON body is several times its size) and everything else need the rest.
     */
    static long defaultBodyMemoryLimit(long bodyLimit) {
        return Math.max(bodyLimit, Runtime.getRuntime().maxMemory() / 8);
    }

    private static List<String> commaList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        check(within(value, Duration.ofMillis(1)), name + " must be from 1ms to 24h, was " + Env.human(value));
    }

    private static boolean within(Duration value, Duration min) {
        return value.compareTo(min) >= 0 && value.compareTo(Env.MAX_DURATION) <= 0;
    }
}
