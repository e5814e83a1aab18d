package dev.backend.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The socket side: a {@code com.sun.net.httpserver} server from the configured provider, one named
 * virtual thread per exchange, and the provider's own limits against slow or oversized requests.
 *
 * <p>Both providers read their limits from system properties once, when their first server is created,
 * so the limits of the first server in a JVM hold for every later one.
 */
final class HttpListener {

    /** How long exchanges get to end by themselves once their database work was cancelled, on a cut-off. */
    static final Duration CUT_OFF_GRACE = Duration.ofSeconds(1);

    /** Pending connections the OS queues while every accept is busy. */
    private static final int BACKLOG = 1024;
    private static final String JDK_PROVIDER = "sun.net.httpserver.DefaultHttpServerProvider";

    private final HttpServer server;
    private final ExecutorService executor;
    /**
     * Exchanges in progress, counted from the moment the provider hands one to the executor (the JDK's reads the
     * request there, so from its first byte) to the end of the task, which includes writing the response. The
     * drain waits for this count: a request read just before the stop is answered, not cut off. robaho's
     * provider runs a whole connection as one task, so there the count is taken around the handler instead.
     */
    private final AtomicInteger exchanges = new AtomicInteger();
    /** Requests inside the handler: what the stop reports (an exchange may turn out to be a connection closing). */
    private final AtomicInteger handling = new AtomicInteger();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition idle = drainLock.newCondition();
    private volatile boolean draining;

    private HttpListener(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts serving {@code handler}. */
    static HttpListener start(Config.Http http, HttpHandler handler) {
        InetSocketAddress address = new InetSocketAddress(http.host(), http.port());
        HttpServer server;
        try {
            server = switch (http.provider()) {
                case ROBAHO -> {
                    setLimits("robaho.net.httpserver", http);
                    yield robahoProvider().createHttpServer(address, BACKLOG);
                }
                case JDK -> {
                    setLimits("sun.net.httpserver", http);
                    System.setProperty("sun.net.httpserver.maxReqHeaderSize", Integer.toString(http.maxHeaderSize()));
                    // With another provider on the class path, HttpServer.create would pick that one.
                    System.setProperty("com.sun.net.httpserver.HttpServerProvider", JDK_PROVIDER);
                    yield HttpServer.create(address, BACKLOG);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + http.host() + ":" + http.port() + ": " + e.getMessage(), e);
        }
        String expected = http.provider() == Config.HttpProvider.JDK ? "sun.net.httpserver." : "robaho.net.httpserver.";
        if (!server.getClass().getName().startsWith(expected)) {
            server.stop(0);
            throw new IllegalStateException("HTTP_PROVIDER=" + http.provider().name().toLowerCase(java.util.Locale.ROOT)
                    + " was asked for, but this JVM already uses " + server.getClass().getName());
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        HttpListener listener = new HttpListener(server, executor);
        if (http.provider() == Config.HttpProvider.ROBAHO) {
            HttpHandler counted = listener.counted(listener.closingWhileDraining(handler));
            SlowClientGuard guard = SlowClientGuard.of(http);
            server.createContext("/", guard.watchRequests(counted));
            server.setExecutor(guard.watchConnections(executor));
        } else {
            server.createContext("/", listener.closingWhileDraining(handler));
            server.setExecutor(listener.countingTasks(executor));
        }
        server.start();
        return listener;
    }

    /**
     * robaho's provider, found as the service it registers: the dependency is optional, so an embedder who
     * never asks for it does not get a second provider that {@code HttpServer.create} would pick.
     */
    private static HttpServerProvider robahoProvider() {
        return ServiceLoader.load(HttpServerProvider.class).stream()
                .filter(provider -> provider.type().getName().startsWith("robaho.net.httpserver."))
                .findFirst()
                .map(ServiceLoader.Provider::get)
                .orElseThrow(() -> new IllegalStateException("HTTP_PROVIDER=robaho needs io.github.robaho:httpserver "
                        + "on the class path (reference-service.jar has it; an application embedding the server adds "
                        + "the dependency)"));
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Requests being handled right now. */
    int inFlight() {
        return handling.get();
    }

    /** Exchanges in progress: being read, handled or answered; the drain waits for these. */
    int exchanges() {
        return exchanges.get();
    }

    /**
     * From now on every response says {@code Connection: close}, so the connection it came on closes once it is
     * written and a client or proxy opens a fresh one (to another instance, once its load balancer has taken
     * this one out) for its next request. The listening socket stays open and serves for {@code delay}; then
     * this returns.
     *
     * <p>An idle keep-alive connection is left alone: HTTP/1.1 has no way to tell its client not to reuse it,
     * and closing it from this side races a proxy that picks it at that instant. It goes away without a race
     * when its client closes it after the client's own idle timeout, or carries one more request, whose
     * response closes it. Hence the rule in docs/operations.md: the proxy's idle timeout for upstream
     * connections is shorter than {@code SHUTDOWN_DELAY}.
     */
    void retire(Duration delay) {
        draining = true;
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the listening socket at once, waits up to {@code grace} for the exchanges in progress, then
     * closes every connection. Returns as soon as the last exchange ends, not after {@code grace}.
     *
     * @return how many exchanges were still running when {@code grace} ran out, and were cut off
     */
    int stop(Duration grace) {
        return stop(grace, () -> { });
    }

    /**
     * As {@link #stop(Duration)}, running {@code beforeCutOff} when exchanges are still in progress after
     * {@code grace}, and giving them up to {@link #CUT_OFF_GRACE} more to end by themselves before they are
     * interrupted: the server cancels their database statements there, which an interrupt would only cut off
     * from PostgreSQL, leaving them to run on and commit.
     */
    int stop(Duration grace, Runnable beforeCutOff) {
        draining = true;
        // Both providers close the listening socket first thing in stop(delay), then wait. The JDK's returns
        // once its exchanges are done, but robaho's always sleeps the whole delay, so the waiting is ours:
        // stop(delay) runs aside only to close the socket now, and stop(0) below ends both calls' work.
        int delaySeconds = (int) Math.min(Integer.MAX_VALUE, grace.plus(CUT_OFF_GRACE).toSeconds() + 1);
        Thread.ofPlatform().daemon().name("http-listener-close").start(() -> server.stop(delaySeconds));
        int cutOff = awaitIdle(grace);
        if (cutOff > 0) {
            beforeCutOff.run();
            awaitIdle(CUT_OFF_GRACE);
        }
        server.stop(0);
        executor.shutdownNow();
        return cutOff;
    }

    private HttpHandler closingWhileDraining(HttpHandler handler) {
        return exchange -> {
            handling.incrementAndGet();
            try {
                if (draining) {
                    // A keep-alive client should take its next request to another instance.
                    exchange.getResponseHeaders().set("Connection", "close");
                }
                handler.handle(exchange);
            } finally {
                handling.decrementAndGet();
            }
        };
    }

    private HttpHandler counted(HttpHandler handler) {
        return exchange -> {
            exchanges.incrementAndGet();
            try {
                handler.handle(exchange);
            } finally {
                ended();
            }
        };
    }

    private Executor countingTasks(Executor executor) {
        return task -> {
            exchanges.incrementAndGet();
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        ended();
                    }
                });
            } catch (RuntimeException rejected) {
                ended();
                throw rejected;
            }
        };
    }

    private void ended() {
        if (exchanges.decrementAndGet() == 0 && draining) {
            drainLock.lock();
            try {
                idle.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    private int awaitIdle(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        drainLock.lock();
        try {
            for (long left = grace.toNanos(); exchanges.get() > 0 && left > 0; left = deadline - System.nanoTime()) {
                idle.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        return exchanges.get();
    }

    private static void setLimits(String prefix, Config.Http http) {
        // A client that trickles its request (slowloris) is cut off after maxReqTime seconds (robaho counts
        // them from the last byte instead: SlowClientGuard covers it); an idle keep-alive connection after
        // idleInterval seconds. Both take whole seconds, rounded up here.
        System.setProperty(prefix + ".maxReqTime", Long.toString(ceilSeconds(http.requestReadTimeout())));
        System.setProperty(prefix + ".idleInterval", Long.toString(ceilSeconds(http.idleConnectionTimeout())));
        // Idle connections are only looked at every clockTick (10 s by default), which would stretch a short
        // idle timeout by up to that much.
        long idleMillis = http.idleConnectionTimeout().toMillis();
        System.setProperty(prefix + ".clockTick", Long.toString(Math.clamp(idleMillis / 4, 100, 10_000)));
    }

    private static long ceilSeconds(Duration duration) {
        return Math.max(1, duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0));
    }
}
