package dev.backend.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual-thread scheduler's gauges, under the names Micrometer's {@code VirtualThreadMetrics} gives them:
 * target parallelism, carrier threads, and virtual threads mounted or queued. Read from the JDK's {@code
 * jdk.management.VirtualThreadSchedulerMXBean} (JDK 24 and later, found by name since the release is 21), at
 * scrape time only.
 *
 * <p>Not Micrometer's binder itself: it also starts a JFR recording for pinning events, which costs about half a
 * second of CPU at start and a few milliseconds of CPU every second after, for events JDK 24 made rare. An
 * application that wants them binds {@code new VirtualThreadMetrics()} (micrometer-java21) to the server's
 * registry.
 */
final class VirtualThreadGauges {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadGauges.class);
    private static final String BEAN = "jdk.management.VirtualThreadSchedulerMXBean";

    private VirtualThreadGauges() {}

    static void bindTo(MeterRegistry registry) {
        PlatformManagedObject bean;
        Class<? extends PlatformManagedObject> type;
        try {
            type = Class.forName(BEAN).asSubclass(PlatformManagedObject.class);
            bean = ManagementFactory.getPlatformMXBean(type);
        } catch (ClassNotFoundException | LinkageError | IllegalArgumentException e) {
            LOG.debug("No virtual-thread scheduler metrics: {} needs JDK 24 and the jdk.management module", BEAN);
            return;
        }
        gauge(registry, bean, type, "getParallelism", "jvm.threads.virtual.parallelism", null, null,
                "The virtual-thread scheduler's target parallelism");
        gauge(registry, bean, type, "getPoolSize", "jvm.threads.virtual.pool.size", "threads", null,
                "Platform threads the virtual-thread scheduler has started and not terminated; -1 if not known");
        gauge(registry, bean, type, "getMountedVirtualThreadCount", "jvm.threads.virtual.live", "threads", "mounted",
                "Virtual threads running on a carrier now");
        gauge(registry, bean, type, "getQueuedVirtualThreadCount", "jvm.threads.virtual.live", "threads", "queued",
                "Virtual threads waiting for a carrier now");
    }

    private static void gauge(MeterRegistry registry, PlatformManagedObject bean, Class<?> type, String getter,
            String name, String unit, String status, String description) {
        Method method;
        try {
            method = type.getMethod(getter);
        } catch (NoSuchMethodException e) {
            LOG.debug("No {}: {} has no {}", name, BEAN, getter);
            return;
        }
        Gauge.Builder<PlatformManagedObject> builder = Gauge.builder(name, bean, b -> read(method, b))
                .description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        if (status != null) {
            builder.tag("scheduling.status", status);
        }
        builder.register(registry);
    }

    private static double read(Method method, PlatformManagedObject bean) {
        try {
            return ((Number) method.invoke(bean)).doubleValue();
        } catch (IllegalAccessException | InvocationTargetException e) {
            return Double.NaN;
        }
    }
}
