package dev.backend.server;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;

/** HikariCP takes one metrics tracker per pool: this one feeds two (the timeout reporter and the meters). */
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
}
