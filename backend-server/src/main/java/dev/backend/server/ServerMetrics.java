package dev.backend.server;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's meters on one registry: the application's own, or a Prometheus registry the server makes and
 * closes. {@code /metrics} serves the Prometheus registry: the registry itself, or the first Prometheus member
 * of a {@link CompositeMeterRegistry}; an embedder who exports another way (OTLP, say) gets no endpoint.
 */
final class ServerMetrics implements AutoCloseable {

    /** Migrations applied by this process at start. */
    static final String MIGRATIONS_APPLIED = "migrations.applied";
    /** The schema's version after the migrations at start. */
    static final String SCHEMA_VERSION = "migrations.schema.version";

    private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);

    private final MeterRegistry registry;
    private final boolean owned;
    private final ReentrantLock lock = new ReentrantLock();
    /** Binders holding listeners or a JFR stream, released on close; guarded by {@link #lock}. */
    private final List<AutoCloseable> binders = new ArrayList<>();
    private boolean closed;
    private final HttpMetrics http;

    private ServerMetrics(MeterRegistry registry, boolean owned) {
        this.registry = registry;
        this.owned = owned;
        this.http = HttpMetrics.of(registry);
    }

    /**
     * The meters on {@code given}, or on a new Prometheus registry, started on a thread of its own: loading
     * Micrometer takes a few hundred milliseconds, which the database start, the pool and the migrations
     * overlap. The future completes once the registry and the request meters exist, which is all the request
     * path needs; the same thread then binds the JVM meters, so the port never waits for them.
     */
    static CompletableFuture<ServerMetrics> startAside(Optional<MeterRegistry> given) {
        CompletableFuture<ServerMetrics> started = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("metrics-start").start(() -> {
            ServerMetrics metrics;
            try {
                metrics = given.map(registry -> new ServerMetrics(registry, false))
                        .orElseGet(() -> new ServerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true));
            } catch (Throwable e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(metrics);
            metrics.bindJvm();
        });
        return started;
    }

    /** The metrics {@link #startAside} started, once they are; their failure is rethrown as it was. */
    static ServerMetrics await(CompletableFuture<ServerMetrics> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * HikariCP's own Micrometer tracker ({@code hikaricp_connections_*}, tagged {@code pool="db"}) for a pool
     * opened while the metrics are still starting: it reports once they have started (the creation times of the
     * pool's first connections may be missed).
     */
    static MetricsTrackerFactory pool(CompletableFuture<ServerMetrics> starting) {
        return (poolName, stats) -> {
            PoolTrackers.Deferred tracker = new PoolTrackers.Deferred();
            starting.thenAccept(metrics -> tracker.attach(
                    new MicrometerMetricsTrackerFactory(metrics.registry).create(poolName, stats)));
            return tracker;
        };
    }

    MeterRegistry registry() {
        return registry;
    }

    HttpMetrics http() {
        return http;
    }

    /** The registry {@code /metrics} serves, if there is one. */
    Optional<PrometheusMeterRegistry> prometheus() {
        return prometheusIn(registry);
    }

    /** {@code registry} itself if it is a Prometheus registry, else the first Prometheus member of a composite. */
    static Optional<PrometheusMeterRegistry> prometheusIn(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return Optional.of(prometheus);
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            return composite.getRegistries().stream().flatMap(member -> prometheusIn(member).stream()).findFirst();
        }
        return Optional.empty();
    }

    /** What the migrations at start did: the count applied, and the version the schema is at, if any. */
    void migrations(int applied, Optional<String> version) {
        Counter.builder(MIGRATIONS_APPLIED)
                .description("Migrations applied by this process at start")
                .register(registry)
                .increment(applied);
        version.ifPresent(v -> Gauge.builder(SCHEMA_VERSION, () -> numeric(v))
                .description("The schema version after the migrations at start; the version tag holds it as "
                        + "written, the value is NaN for a dotted version such as 1.10")
                .tag("version", v)
                .register(registry));
    }

    private static double numeric(String version) {
        return version.chars().allMatch(c -> c >= '0' && c <= '9') ? Double.parseDouble(version) : Double.NaN;
    }

    private void bindJvm() {
        try {
            for (MeterBinder binder : List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                    new JvmInfoMetrics(), new JvmCompilationMetrics(), new ProcessorMetrics(), new UptimeMetrics(),
                    new FileDescriptorMetrics())) {
                bind(binder, () -> { });
            }
            JvmGcMetrics gc = new JvmGcMetrics();
            bind(gc, gc);
            JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
            bind(heapPressure, heapPressure);
            bind(VirtualThreadGauges::bindTo, () -> { });
        } catch (RuntimeException e) {
            LOG.warn("JVM metrics are incomplete: {}", e.toString());
        }
    }

    /**
     * Binds a binder, and keeps what releases its listeners or JFR stream for {@link #close()}; when the
     * metrics were closed already (a stop during start), releases it at once instead.
     */
    private void bind(MeterBinder binder, AutoCloseable release) {
        lock.lock();
        try {
            if (!closed) {
                binder.bindTo(registry);
                binders.add(release);
                return;
            }
        } finally {
            lock.unlock();
        }
        try {
            release.close();
        } catch (Exception e) {
            LOG.debug("Releasing {} failed", binder, e);
        }
    }

    /** Stops the JVM listeners and, if the server made the registry, closes it; an embedder's stays open. */
    @Override
    public void close() {
        List<AutoCloseable> bound;
        lock.lock();
        try {
            closed = true;
            bound = List.copyOf(binders);
        } finally {
            lock.unlock();
        }
        for (AutoCloseable binder : bound) {
            try {
                binder.close();
            } catch (Exception e) {
                LOG.debug("Closing {} failed", binder, e);
            }
        }
        if (owned) {
            registry.close();
        }
    }
}
