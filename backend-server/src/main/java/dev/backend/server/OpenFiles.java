package dev.backend.server;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.backend.http.HttpServerOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.OptionalLong;

/**
 * The default of {@code MAX_HTTP_CONNECTIONS}: what the process's open-files limit leaves for client connections.
 *
 * <p>Every connection is a file descriptor, and so is everything else the process opens. Without a limit below the
 * descriptor limit, a crowd of slow clients takes the last descriptor and {@code accept} fails: new clients (health
 * probes among them) wait unanswered and the pool cannot reconnect. So the default is the limit less, for the rest
 * of the process: the listening socket, the database pool ({@code MAX_CONNECTIONS}), the backend engine's overflow
 * lane (64 connections past the limit, one request each) and {@value #PROCESS_RESERVE} descriptors for what the
 * JVM and the application open besides (jars and modules, log files, the metrics listener, DNS, pipes to embedded
 * PostgreSQL, epoll and event descriptors). Where the JVM cannot tell the limit (not a Unix), the engine's own
 * default of 10,000 applies.
 */
final class OpenFiles {

    /** Descriptors the process needs besides HTTP and database connections. */
    static final int PROCESS_RESERVE = 256;
    private static final int WITHOUT_LIMIT = 10_000;
    private static final int MINIMUM = 16;

    private OpenFiles() {}

    /** This process's limit on open file descriptors, if the platform reports one. */
    static OptionalLong limit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            return OptionalLong.of(unix.getMaxFileDescriptorCount());
        }
        return OptionalLong.empty();
    }

    /** The default {@code MAX_HTTP_CONNECTIONS} for a pool of {@code poolSize} database connections. */
    static int defaultMaxHttpConnections(int poolSize) {
        OptionalLong limit = limit();
        return limit.isPresent() ? forLimit(limit.getAsLong(), poolSize) : WITHOUT_LIMIT;
    }

    /** The connections a descriptor limit of {@code limit} leaves, never fewer than {@value #MINIMUM}. */
    static int forLimit(long limit, int poolSize) {
        long left = limit - 1 - poolSize - HttpServerOptions.defaults().overflowConnections() - PROCESS_RESERVE;
        return Math.clamp(left, MINIMUM, Integer.MAX_VALUE);
    }
}
