package dev.backend.server;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;

/**
 * HikariCP takes one metrics tracker per pool, set before the pool opens: {@link #both} feeds two (the timeout
 * reporter and the meters), {@link Deferred} one that arrives later (the meters, started aside).
 */
final class PoolTrackers {

    private PoolTrackers() {}

    static MetricsTrackerFactory both(MetricsTrackerFactory first, MetricsTrackerFactory second) {
        return (poolName, stats) -> {
            IMetricsTracker a = first.create(poolName, stats);
            IMetricsTracker b = second.create(poolName, stats);
            return new IMetricsTracker() {
                @Override
                public void recordConnectionCreatedMillis(long millis) {
                    a.recordConnectionCreatedMillis(millis);
                    b.recordConnectionCreatedMillis(millis);
                }

                @Override
                public void recordConnectionAcquiredNanos(long nanos) {
                    a.recordConnectionAcquiredNanos(nanos);
                    b.recordConnectionAcquiredNanos(nanos);
                }

                @Override
                public void recordConnectionUsageMillis(long millis) {
                    a.recordConnectionUsageMillis(millis);
                    b.recordConnectionUsageMillis(millis);
                }

                @Override
                public void recordConnectionTimeout() {
                    a.recordConnectionTimeout();
                    b.recordConnectionTimeout();
                }

                @Override
                public void close() {
                    try {
                        a.close();
                    } finally {
                        b.close();
                    }
                }
            };
        };
    }

    /** Forwards to a tracker attached later; what is recorded before that is dropped. */
    static final class Deferred implements IMetricsTracker {
        private volatile IMetricsTracker delegate;
        private volatile boolean closed;

        void attach(IMetricsTracker tracker) {
            delegate = tracker;
            if (closed) {
                tracker.close();
            }
        }

        @Override
        public void recordConnectionCreatedMillis(long millis) {
            IMetricsTracker d = delegate;
            if (d != null) {
                d.recordConnectionCreatedMillis(millis);
            }
        }

        @Override
        public void recordConnectionAcquiredNanos(long nanos) {
            IMetricsTracker d = delegate;
            if (d != null) {
                d.recordConnectionAcquiredNanos(nanos);
            }
        }

        @Override
        public void recordConnectionUsageMillis(long millis) {
            IMetricsTracker d = delegate;
            if (d != null) {
                d.recordConnectionUsageMillis(millis);
            }
        }

        @Override
        public void recordConnectionTimeout() {
            IMetricsTracker d = delegate;
            if (d != null) {
                d.recordConnectionTimeout();
            }
        }

        @Override
        public void close() {
            closed = true;
            IMetricsTracker d = delegate;
            if (d != null) {
                d.close();
            }
        }
    }
}
