package dev.backend.server;

import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Health endpoints for load balancers and orchestrators, in the shape of MicroProfile Health (Helidon's):
 * {@code {"status":"UP"|"DOWN","checks":[{"name":...,"status":"UP"|"DOWN"}, ...]}}, 200 when every check is
 * up, else 503. Only names and states are sent; why a check failed is logged ({@link ReadinessCheck}).
 *
 * <ul>
 *   <li>{@code GET /health/live}: the process answers; always 200 with no checks. It never looks at a
 *       dependency: a liveness failure makes Kubernetes restart the pod, which cures no database outage.
 *   <li>{@code GET /health/ready}: {@code server} (down from the moment a stop begins), {@code database}
 *       ({@code SELECT 1}, connection included, within {@value #DATABASE_SECONDS} s; up without it while every
 *       connection of the server's pool is held by a request, for less than a request may run) and the application's checks,
 *       in the order they were added. A failing readiness takes the instance out of rotation.
 *   <li>{@code GET /health}: the same checks without {@code server}.
 * </ul>
 *
 * The checks of one probe run at once, each on a virtual thread, so a probe takes as long as the slowest
 * check's timeout at most; results are reused for {@link #REUSE} (see {@link ReadinessCheck}).
 */
final class Health {

    static final int DATABASE_SECONDS = 2;
    /** How long a result answers later probes: bounds the calls a probe storm makes to each dependency. */
    static final Duration REUSE = Duration.ofSeconds(1);
    static final String SERVER = "server";
    static final String DATABASE = "database";

    /** A check as the application added it. */
    record Registration(String name, Duration timeout, HealthCheck check) {
        Registration {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(check, "check");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a readiness check needs a name");
            }
            if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("readiness check '" + name + "': timeout must be from 1ms to 1m, "
                        + "was " + Env.human(timeout));
            }
        }
    }

    private final List<ReadinessCheck> checks;
    private final AtomicBoolean draining = new AtomicBoolean();

    /** The built-in database check on {@code dataSource}, then the application's. */
    Health(DataSource dataSource, List<Registration> application) {
        this(withDatabase(dataSource, application), REUSE);
    }

    Health(List<Registration> checks, Duration reuse) {
        this.checks = checks.stream()
                .map(check -> new ReadinessCheck(check.name(), check.timeout(), check.check(), reuse))
                .toList();
    }

    Router routes() {
        return Router.create()
                .get("/health", request -> report(false))
                .get("/health/live", Health::live)
                .get("/health/ready", request -> report(true));
    }

    /** Readiness answers 503 from now on. */
    void drain() {
        draining.set(true);
    }

    private static Response live(Request request) {
        return Response.json(200, body(true, List.of()));
    }

    private Response report(boolean readiness) {
        // Every check starts before any is waited for: they run at once, not one after another.
        List<ReadinessCheck.Run> runs = checks.stream().map(ReadinessCheck::begin).toList();
        List<Map<String, String>> entries = new ArrayList<>(checks.size() + 1);
        boolean up = true;
        if (readiness) {
            boolean serving = !draining.get();
            entries.add(entry(SERVER, serving));
            up = serving;
        }
        for (int i = 0; i < checks.size(); i++) {
            boolean passed = checks.get(i).passed(runs.get(i));
            entries.add(entry(checks.get(i).name(), passed));
            up &= passed;
        }
        return Response.json(up ? 200 : 503, body(up, entries));
    }

    private static Map<String, Object> body(boolean up, List<Map<String, String>> entries) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", entries);
        return body;
    }

    private static Map<String, String> entry(String name, boolean up) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("status", up ? "UP" : "DOWN");
        return entry;
    }

    private static List<Registration> withDatabase(DataSource dataSource, List<Registration> application) {
        List<Registration> all = new ArrayList<>(application.size() + 1);
        all.add(new Registration(DATABASE, Duration.ofSeconds(DATABASE_SECONDS), () -> {
            // Busy, not broken: every replica sharing the database sees a long lock or a burst at once, and a check
            // that waited for a connection would take them all out of rotation together. Only while each connection
            // is held by a request, for less than a request may run: a leaked or stuck one proves nothing.
            if (dataSource instanceof ConnectionPool pool && pool.busyWithinRequests()) {
                return;
            }
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(DATABASE_SECONDS);
                statement.execute("SELECT 1");
            }
        }));
        all.addAll(application);
        return all;
    }
}
