package dev.backend.server;

import com.zaxxer.hikari.metrics.IMetricsTracker;

/**
 * HikariCP takes one metrics tracker per pool, set before the pool opens: {@link Deferred} is one that arrives
 * later (the meters, started aside).
 */
final class PoolTrackers {

    private PoolTrackers() {}

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
