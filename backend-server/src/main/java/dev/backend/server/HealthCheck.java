package dev.backend.server;

/**
 * A readiness check of something the application needs to serve requests: a downstream service, a queue,
 * a cache. Register it with {@link BackendServer.Builder#readinessCheck}; it runs next to the built-in
 * {@code database} check whenever {@code /health/ready} or {@code /health} is probed.
 *
 * {@snippet :
 * BackendServer.builder()
 *         .readinessCheck("payments", Duration.ofMillis(500), () -> payments.ping())
 *         .readinessCheck("queue", Duration.ofSeconds(1), () -> {
 *             if (!queue.isConnected()) {
 *                 throw new IllegalStateException("queue connection lost");
 *             }
 *         });
 * }
 *
 * <p>The server runs each check on a virtual thread of its own, interrupts it when its timeout passes and
 * reads it as failed then; a check should still bound its own I/O, because no new run of it starts while
 * one is in progress. What a check throws is logged, never sent to the prober.
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * Returns when the dependency is usable; throws, with a message saying what is wrong, when it is not.
     *
     * @throws Exception the dependency is not usable
     */
    void check() throws Exception;
}
