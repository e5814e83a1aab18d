package dev.backend.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import com.zaxxer.hikari.pool.HikariPool;
import java.util.Optional;
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
 * timeout, then at most every {@value #REPORT_EVERY_SECONDS} seconds while timeouts continue, with a count;
 * timeouts after the last report of a burst are counted into the first line of the next one.
 */
final class ConnectionPool {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
    static final long REPORT_EVERY_SECONDS = 30;
    static final long QUIET_SECONDS = 5;

    private ConnectionPool() {}

    /** Opens the pool; fails at once, with the masked URL, when PostgreSQL cannot be reached. */
    static HikariDataSource open(Config.Database settings, DatabaseUrl url) {
        return open(settings, url, Optional.empty());
    }

    /** Opens the pool reporting to {@code metrics} too (HikariCP's Micrometer tracker). */
    static HikariDataSource open(Config.Database settings, DatabaseUrl url, Optional<MetricsTrackerFactory> metrics) {
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
        TimeoutReporter timeouts = new TimeoutReporter(settings.maxConnections(), settings.acquireTimeout().toMillis());
        config.setMetricsTrackerFactory(metrics.<MetricsTrackerFactory>map(m -> PoolTrackers.both(timeouts, m)).orElse(timeouts));
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
                if (newBurst) {
                    LOG.warn("Connection pool exhausted: requests that wait {} ms for one of {} connections get 503 "
                            + "(logged once per burst, then every {} s while it lasts){}", acquireTimeoutMillis,
                            maxConnections, REPORT_EVERY_SECONDS,
                            unreported == 0 ? "" : "; " + unreported + " more got 503 late in the previous burst");
                } else {
                    LOG.warn("Connection pool still exhausted: {} more request(s) got 503 in the last {} s",
                            unreported + 1, TimeUnit.NANOSECONDS.toSeconds(now - lastReport));
                }
                lastReport = now;
                unreported = 0;
                return true;
            } finally {
                lock.unlock();
            }
        }
    }
}
