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
import io.micrometer.java21.instrument.binder.jdk.VirtualThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final HttpMetrics http;

    private ServerMetrics(MeterRegistry registry, boolean owned) {
        this.registry = registry;
        this.owned = owned;
        this.http = HttpMetrics.of(registry);
    }

    /** The meters on {@code given}, or on a new Prometheus registry. */
    static ServerMetrics start(Optional<MeterRegistry> given) {
        ServerMetrics metrics = given.map(registry -> new ServerMetrics(registry, false))
                .orElseGet(() -> new ServerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true));
        metrics.bindJvm();
        return metrics;
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

    private static Optional<PrometheusMeterRegistry> prometheusIn(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return Optional.of(prometheus);
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            return composite.getRegistries().stream().flatMap(member -> prometheusIn(member).stream()).findFirst();
        }
        return Optional.empty();
    }

    /** HikariCP's own Micrometer tracker: {@code hikaricp_connections_*}, tagged {@code pool="db"}. */
    MetricsTrackerFactory pool() {
        return new MicrometerMetricsTrackerFactory(registry);
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
        List<MeterBinder> jvm = List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new JvmInfoMetrics(), new JvmCompilationMetrics(), new ProcessorMetrics(), new UptimeMetrics(),
                new FileDescriptorMetrics());
        jvm.forEach(binder -> binder.bindTo(registry));
        JvmGcMetrics gc = new JvmGcMetrics();
        bindClosing(gc, gc);
        JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
        bindClosing(heapPressure, heapPressure);
        try {
            VirtualThreadMetrics virtualThreads = new VirtualThreadMetrics();
            bindClosing(virtualThreads, virtualThreads);
        } catch (LinkageError | RuntimeException e) {
            // A runtime image without jdk.jfr (or one that refuses a JFR stream) still serves every other meter.
            LOG.info("Virtual-thread metrics are off: {}", e.toString());
        }
    }

    /** Binds a binder that holds listeners or a JFR stream, to be released by {@link #close()}. */
    private void bindClosing(MeterBinder binder, AutoCloseable release) {
        binder.bindTo(registry);
        binders.add(release);
    }

    /** Stops the JVM listeners and, if the server made the registry, closes it; an embedder's stays open. */
    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
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
