package dev.backend.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.backend.core.Deadline;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HikariCP pool, configured from {@link Config.Database}, as the {@link DataSource} applications get.
 *
 * <p>Each connection is lent as a {@link PooledConnection}: inside a request, its statements are cancelled on
 * the server at the request's deadline, so a timed-out request stops in PostgreSQL (an interrupt alone only
 * closes the socket, and the statement would run on and could commit) and the connection comes back intact.
 * On close a broken connection, or one to a read-only server, is evicted instead of returned, without the
 * stack traces HikariCP would log.
 *
 * <p>The safety net for a cancel that cannot get through (PostgreSQL unreachable for the cancel's own
 * connection): a server's pool sets {@code statement_timeout} to {@code REQUEST_TIMEOUT} plus a second once per
 * connection, when it is opened (no cost per request), unless the role or database already sets a shorter one.
 * So no statement outlives the longest request by more than that. Migrations, which may take as long as they
 * need, run on a connection of their own (MigrationConnection), never the pool's.
 *
 * <p>A request that cannot get a connection within {@code ACQUIRE_TIMEOUT} fails with HikariCP's {@code
 * SQLTransientConnectionException}, which {@code AppError.from} answers with 503 and {@code Retry-After}.
 * Under load that happens to many requests at once, so the warning is logged once per burst: at the first
 * timeout, then at most every {@value #REPORT_EVERY_SECONDS} seconds while timeouts continue, with a count;
 * timeouts after the last report of a burst are counted into the first line of the next one.
 */
final class ConnectionPool implements DataSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
    static final long REPORT_EVERY_SECONDS = 30;
    static final long QUIET_SECONDS = 5;
    /** How much longer than a request a statement may run before PostgreSQL stops it on its own. */
    static final Duration STATEMENT_TIMEOUT_MARGIN = Duration.ofSeconds(1);
    /** How long {@link #close()} waits for HikariCP's close: closing open connections takes milliseconds. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
    /**
     * How long HikariCP's check of a connection idle for more than 500 ms, before it lends it, may wait for
     * PostgreSQL's answer (its {@code validationTimeout}), or {@code ACQUIRE_TIMEOUT} when shorter. HikariCP may
     * begin a check just before {@code ACQUIRE_TIMEOUT} ends and lets it finish, so this is how much longer than
     * {@code ACQUIRE_TIMEOUT} an acquire may take on a database that does not answer; HikariCP's default, 5 s, made
     * that 5.5 s with a 3 s {@code ACQUIRE_TIMEOUT}. A working PostgreSQL answers the check in milliseconds.
     */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final HikariDataSource hikari;
    private final TimeoutReporter timeouts;
    private final Set<PooledConnection> lent = ConcurrentHashMap.newKeySet();
    /** How long a request may hold a connection: its statement timeout; 0 for a tools' pool, which has none. */
    private final long longestHoldNanos;

    private ConnectionPool(HikariDataSource hikari, TimeoutReporter timeouts, Optional<Duration> statementTimeout) {
        this.hikari = hikari;
        this.timeouts = timeouts;
        this.longestHoldNanos = statementTimeout.map(Duration::toNanos).orElse(0L);
    }

    /** Opens a pool for tools, such as the migration commands: no statement timeout of its own, no metrics. */
    static ConnectionPool open(Config.Database settings, DatabaseUrl url) {
        return open(settings, url, Optional.empty(), Optional.empty());
    }

    /**
     * Opens a server's pool, whose statements PostgreSQL stops {@link #STATEMENT_TIMEOUT_MARGIN} after {@code
     * requestTimeout}, reporting to {@code metrics} too (HikariCP's Micrometer tracker); fails at once, with the
     * masked URL, when PostgreSQL cannot be reached.
     */
    static ConnectionPool open(Config.Database settings, DatabaseUrl url, Duration requestTimeout,
            Optional<MetricsTrackerFactory> metrics) {
        return open(settings, url, Optional.of(requestTimeout.plus(STATEMENT_TIMEOUT_MARGIN)), metrics);
    }

    private static ConnectionPool open(Config.Database settings, DatabaseUrl url, Optional<Duration> statementTimeout,
            Optional<MetricsTrackerFactory> metrics) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("db");
        config.setMaximumPoolSize(settings.maxConnections());
        config.setMinimumIdle(settings.minConnections());
        config.setConnectionTimeout(settings.acquireTimeout().toMillis());
        config.setValidationTimeout(Math.min(CHECK_TIMEOUT.toMillis(), settings.acquireTimeout().toMillis()));
        config.setIdleTimeout(settings.idleTimeout().toMillis());
        config.setMaxLifetime(settings.maxLifetime().toMillis());
        Properties defaults = new Properties();
        defaults.setProperty("ApplicationName", "backend-server");
        // A deadline's cancel opens a connection of its own; the handler waits for it (pgJDBC makes the cancelled
        // statement wait), so bound it as tightly as a connection attempt, not by pgJDBC's default 10 s.
        defaults.setProperty("cancelSignalTimeout", Integer.toString(connectSeconds(settings)));
        // Each host's attempt is bounded by ACQUIRE_TIMEOUT (ConnectAttempts), so a start or the pool's one thread
        // that opens connections is never held by a server that accepts and never answers. Once logged in, a
        // server's statements end within statement_timeout: a read that waits longer than that and a connection
        // attempt hears from a server, or a network, that is gone, so the read ends, and the connection with it,
        // which is then evicted: a handler whose statement went silent does not hold its connection for good.
        long readSeconds = statementTimeout.map(timeout -> socketTimeout(timeout, settings.acquireTimeout())
                .toSeconds()).orElse(0L);
        config.setDataSource(ConnectAttempts.to(url, connectSeconds(settings), readSeconds, defaults));
        statementTimeout.ifPresent(timeout -> config.setConnectionInitSql(statementTimeoutSql(timeout)));
        config.setExceptionOverride(new PooledConnection.Failures());
        metrics.ifPresent(config::setMetricsTrackerFactory);
        TimeoutReporter timeouts = new TimeoutReporter(settings.maxConnections(), settings.acquireTimeout().toMillis());
        try {
            return new ConnectionPool(new HikariDataSource(config), timeouts, statementTimeout);
        } catch (HikariPool.PoolInitializationException e) {
            throw ConnectFailure.of(url, "", e.getCause() != null ? e.getCause() : e);
        }
    }

    /**
     * How long a connection attempt may take, in pgJDBC's whole seconds: {@code ACQUIRE_TIMEOUT}, at least 1 s. For
     * the pool and the migrations' connection alike.
     */
    static int connectSeconds(Config.Database settings) {
        return (int) Math.max(1, settings.acquireTimeout().toSeconds()); // ACQUIRE_TIMEOUT is at most 24 h
    }

    /**
     * How long a pooled connection's read may wait: a statement's longest run ({@code statementTimeout}) and then
     * a connection attempt's ({@code acquireTimeout}, which bounds connecting too), in whole seconds, rounded up.
     */
    static Duration socketTimeout(Duration statementTimeout, Duration acquireTimeout) {
        long millis = statementTimeout.plus(acquireTimeout).toMillis();
        return Duration.ofSeconds((millis + 999) / 1000);
    }

    /**
     * Sets the session's {@code statement_timeout} to {@code timeout}, unless the server's settings for the role
     * or database (which PostgreSQL applied at connect, in milliseconds in {@code pg_settings}) are stricter.
     */
    static String statementTimeoutSql(Duration timeout) {
        long millis = Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return "SELECT set_config('statement_timeout', '" + millis + "', false) FROM pg_settings"
                + " WHERE name = 'statement_timeout' AND (setting = '0' OR setting::bigint > " + millis + ")";
    }

    @Override
    public Connection getConnection() throws SQLException {
        Optional<Deadline> deadline = Deadline.current();
        if (deadline.isPresent() && deadline.get().expired()) {
            throw PooledConnection.deadlinePassed();
        }
        Connection connection;
        try {
            connection = hikari.getConnection();
        } catch (SQLTransientConnectionException e) {
            timeouts.record(e);
            throw e;
        }
        return PooledConnection.lend(connection, this, deadline);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return hikari.getConnection(username, password);
    }

    /**
     * Cancels the statements running on every connection lent right now: for a stop about to cut requests
     * off, since interrupting them would leave their statements running in PostgreSQL. Each connection's on a
     * virtual thread of its own, and returns at once: a cancel is a connection to PostgreSQL, which waits for
     * {@code ACQUIRE_TIMEOUT} on a server that does not answer, and the stop gives the cancels its cut-off grace,
     * not one such wait per connection.
     *
     * @return what gives up the cancels still waiting when that grace is over, by interrupting their threads: pgJDBC
     *     holds a statement's caller until the statement's cancel has ended, whatever interrupts that caller, so a
     *     cancel left waiting for a silent server would keep the request from answering the stop's interrupt
     */
    Runnable cancelRunningStatements() {
        List<Thread> cancels = new ArrayList<>();
        for (PooledConnection connection : lent) {
            cancels.add(Thread.ofVirtual().name("stop-cancel").start(connection::cancelStatements));
        }
        return () -> cancels.forEach(Thread::interrupt);
    }

    /**
     * Whether every connection is lent to a request, each for less than a request may run (its statement timeout,
     * {@code REQUEST_TIMEOUT} + 1 s): the pool is busy (a long lock, a burst), and PostgreSQL accepted each of those
     * connections. A connection lent outside a request, or held longer (leaked, or stuck on a server gone silent),
     * is no sign of a working database.
     */
    boolean busyWithinRequests() {
        if (longestHoldNanos == 0) {
            return false;
        }
        int held = 0;
        for (PooledConnection connection : lent) {
            if (!connection.heldByARequestForLessThan(longestHoldNanos)) {
                return false;
            }
            held++;
        }
        return held >= hikari.getMaximumPoolSize();
    }

    /** Counts {@code connection} as lent until it is given back. */
    void lent(PooledConnection connection) {
        lent.add(connection);
    }

    /** Counts {@code connection} as given back. */
    void returned(PooledConnection connection) {
        lent.remove(connection);
    }

    /** Removes {@code connection}, which is HikariCP's and still lent, from the pool and closes it, quietly. */
    void evict(Connection connection) {
        hikari.evictConnection(connection);
    }

    /**
     * Closes every connection, waiting up to {@link #CLOSE_WAIT} for HikariCP's close; past that it goes on closing on
     * a daemon thread of its own, and this returns with a warning. What outlasts the wait is a connection HikariCP is
     * still opening (a replacement, during an outage): HikariCP waits for it up to the whole login bound, as long as
     * {@code ACQUIRE_TIMEOUT} per host and try on a database that does not answer, which would hold up the stop
     * past an orchestrator's grace period. A connection opened after the close began is closed by HikariCP.
     */
    @Override
    public void close() {
        Thread closing = Thread.ofPlatform().daemon().name("pool-close").start(hikari::close);
        try {
            if (!closing.join(CLOSE_WAIT)) {
                LOG.warn("The connection pool is still closing after {} ms, waiting for a connection it is opening to"
                        + " a database that does not answer; the stop goes on", CLOSE_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return hikari.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        hikari.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        hikari.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return hikari.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return hikari.getParentLogger();
    }

    /** Also unwraps to the {@link HikariDataSource}, for its pool statistics. */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : type.isInstance(hikari) ? type.cast(hikari) : hikari.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || type.isInstance(hikari) || hikari.isWrapperFor(type);
    }

    /**
     * Counts acquire timeouts and reports them once per burst, saying why: every connection busy, or PostgreSQL
     * refusing new ones (HikariCP's timeout then carries the last attempt's failure, such as {@code 53300 too many
     * connections} or {@code 08001 Connection refused}).
     */
    static final class TimeoutReporter {
        private final int maxConnections;
        private final long acquireTimeoutMillis;
        private final ReentrantLock lock = new ReentrantLock();
        private long lastReport = Long.MIN_VALUE;
        private long lastTimeout = Long.MIN_VALUE;
        private long unreported;

        TimeoutReporter(int maxConnections, long acquireTimeoutMillis) {
            this.maxConnections = maxConnections;
            this.acquireTimeoutMillis = acquireTimeoutMillis;
        }

        /** Records HikariCP's timeout {@code failure}. */
        void record(SQLTransientConnectionException failure) {
            Optional<String> refused = Optional.ofNullable(failure.getSQLState()).map(state -> state + " "
                    + firstLine(failure.getCause() != null ? failure.getCause() : failure));
            record(System.nanoTime(), refused);
        }

        /** Returns true when this timeout was logged; {@code refused} is PostgreSQL's answer to the last attempt. */
        boolean record(long now, Optional<String> refused) {
            lock.lock();
            try {
                // Requests that arrive together time out together, but a loaded machine spreads them by a
                // second or more; only a quiet gap of QUIET_SECONDS (or two acquire timeouts) ends a burst.
                long quietGap = TimeUnit.MILLISECONDS.toNanos(Math.max(QUIET_SECONDS * 1000, 2 * acquireTimeoutMillis));
                boolean newBurst = lastTimeout == Long.MIN_VALUE || now - lastTimeout > quietGap;
                lastTimeout = now;
                if (!newBurst && now - lastReport < TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS)) {
                    unreported++;
                    return false;
                }
                String previous = unreported == 0 ? "" : "; " + unreported + " more got 503 late in the previous burst";
                if (newBurst && refused.isPresent()) {
                    LOG.warn("New connections to PostgreSQL fail: requests that wait {} ms for a connection get 503 "
                            + "(logged once per burst, then every {} s while it lasts); the last attempt got {}{}",
                            acquireTimeoutMillis, REPORT_EVERY_SECONDS, refused.get(), previous);
                } else if (newBurst) {
                    LOG.warn("Connection pool exhausted: requests that wait {} ms for one of {} connections get 503 "
                            + "(logged once per burst, then every {} s while it lasts){}", acquireTimeoutMillis,
                            maxConnections, REPORT_EVERY_SECONDS, previous);
                } else {
                    LOG.warn("Connection pool still exhausted: {} more request(s) got 503 in the last {} s{}",
                            unreported + 1, TimeUnit.NANOSECONDS.toSeconds(now - lastReport),
                            refused.map(r -> "; the last attempt to connect got " + r).orElse(""));
                }
                lastReport = now;
                unreported = 0;
                return true;
            } finally {
                lock.unlock();
            }
        }

        private static String firstLine(Throwable failure) {
            String message = String.valueOf(failure.getMessage());
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }
}
