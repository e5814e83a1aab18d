package dev.backend.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import com.zaxxer.hikari.pool.HikariPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HikariCP pool, configured from {@link Config.Database}.
 *
 * <p>A request that cannot get a connection within {@code ACQUIRE_TIMEOUT} fails with HikariCP's {@code
 * SQLTransientConnectionException}, which {@code AppError.from} answers with 503 and {@code Retry-After}.
 * Under load that happens to many requests at once, so the warning is logged once per burst: at the first
 * timeout, then at most every {@value #REPORT_EVERY_SECONDS} seconds while timeouts continue, with a count.
 */
final class ConnectionPool {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
    static final long REPORT_EVERY_SECONDS = 30;

    private ConnectionPool() {}

    /** Opens the pool; fails at once, with the masked URL, when PostgreSQL cannot be reached. */
    static HikariDataSource open(Config.Database settings, DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("db");
        config.setJdbcUrl(url.jdbcUrl());
        url.user().ifPresent(config::setUsername);
        url.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.maxConnections());
        config.setMinimumIdle(settings.minConnections());
        config.setConnectionTimeout(settings.acquireTimeout().toMillis());
        config.setIdleTimeout(settings.idleTimeout().toMillis());
        config.setMaxLifetime(settings.maxLifetime().toMillis());
        config.addDataSourceProperty("ApplicationName", "backend-server");
        // Bound how long a dead server can hold a connection attempt, so start-up fails instead of hanging.
        config.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, settings.acquireTimeout().toSeconds())));
        config.setMetricsTrackerFactory(new TimeoutReporter(settings.maxConnections(), settings.acquireTimeout().toMillis()));
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Cannot connect to PostgreSQL at " + url.masked() + ": " + cause.getMessage(), e);
        }
    }

    /** Counts acquire timeouts and reports them once per burst. */
    static final class TimeoutReporter implements MetricsTrackerFactory, IMetricsTracker {
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

        @Override
        public IMetricsTracker create(String poolName, PoolStats poolStats) {
            return this;
        }

        @Override
        public void recordConnectionTimeout() {
            record(System.nanoTime());
        }

        /** Returns true when this timeout was logged. */
        boolean record(long now) {
            long window = TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS);
            lock.lock();
            try {
                // A quiet gap of one acquire timeout ends a burst; the next timeout starts a new one.
                boolean newBurst = lastTimeout == Long.MIN_VALUE
                        || now - lastTimeout > TimeUnit.MILLISECONDS.toNanos(2 * acquireTimeoutMillis);
                lastTimeout = now;
                unreported++;
                if (newBurst || now - lastReport >= window) {
                    LOG.warn("Connection pool exhausted: {} request(s) waited {} ms without getting one of {} "
                            + "connections and were answered 503", unreported, acquireTimeoutMillis, maxConnections);
                    lastReport = now;
                    unreported = 0;
                    return true;
                }
                return false;
            } finally {
                lock.unlock();
            }
        }
    }
}
