package dev.backend.server;

import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health endpoints for load balancers and orchestrators.
 *
 * <ul>
 *   <li>{@code GET /health}: {@code SELECT 1} within {@value #CHECK_SECONDS} s: 200 {@code {"status":"ok"}}
 *       or 503 {@code {"status":"degraded"}}.
 *   <li>{@code GET /health/live}: the process answers: always 200.
 *   <li>{@code GET /health/ready}: 503 {@code {"status":"draining"}} from the moment a stop begins, else as
 *       {@code /health}.
 * </ul>
 *
 * The check is bounded as a whole, connection acquisition included, so an exhausted pool reads as
 * degraded quickly instead of holding the probe for the acquire timeout.
 */
final class Health {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    static final int CHECK_SECONDS = 2;

    private final DataSource dataSource;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Each check on its own virtual thread, so one stuck on a dead connection delays nobody. */
    private final Executor checks = task -> Thread.ofVirtual().name("health-check").start(task);

    Health(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Router routes() {
        return Router.create()
                .get("/health", this::health)
                .get("/health/live", request -> status(200, "ok"))
                .get("/health/ready", this::ready);
    }

    /** Readiness answers 503 from now on. */
    void drain() {
        draining.set(true);
    }

    private Response health(Request request) {
        return databaseAnswers() ? status(200, "ok") : status(503, "degraded");
    }

    private Response ready(Request request) {
        return draining.get() ? status(503, "draining") : health(request);
    }

    private boolean databaseAnswers() {
        CompletableFuture<Boolean> check = CompletableFuture.supplyAsync(() -> {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(CHECK_SECONDS);
                return statement.execute("SELECT 1");
            } catch (Exception e) {
                LOG.debug("Health check failed", e);
                return false;
            }
        }, checks);
        try {
            return check.get(CHECK_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Response status(int code, String status) {
        return Response.json(code, Map.of("status", status));
    }
}
