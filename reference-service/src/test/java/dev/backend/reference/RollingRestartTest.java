package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rolling restart behind real nginx, as docs/operations.md tells operators to run one: two instances with
 * {@code SHUTDOWN_DELAY}, nginx's upstream {@code keepalive_timeout} shorter than it, each instance taken out of
 * the upstream shortly after its stop begins (as Kubernetes removes a stopping pod's endpoint), under a steady
 * POST+GET load. No request may fail, and every 201 must be a row. bench/rolling-restart.sh runs the longer
 * version (3 instances, 5 rounds) whose results the docs record.
 */
class RollingRestartTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(4);
    /** How long after the stop begins the instance leaves the upstream: well inside the delay. */
    private static final Duration REMOVAL_LAG = Duration.ofMillis(500);
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();

    private static BackendServer start(int port) {
        return Main.referenceService().config(Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MAX_CONNECTIONS", "4", "MIN_CONNECTIONS", "1",
                "ACCESS_LOG", "false", "SHUTDOWN_DELAY", SHUTDOWN_DELAY.toMillis() + "ms",
                "SHUTDOWN_TIMEOUT", "30s"))).start();
    }

    @Test
    void restartingEachInstanceUnderLoadFailsNoRequestAndLosesNoCreate() throws Exception {
        BackendServer[] servers = {start(0), start(0)};
        List<Integer> ports = List.of(servers[0].port(), servers[1].port());
        AtomicBoolean running = new AtomicBoolean(true);
        try (Nginx nginx = Nginx.start(ports, "1s"); ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                workers.add(CompletableFuture.runAsync(() -> work(nginx.port(), running), load));
            }
            awaitSent(200);
            for (int i = 0; i < servers.length; i++) {
                BackendServer stopping = servers[i];
                CompletableFuture<Void> stop = CompletableFuture.runAsync(stopping::stop);
                Thread.sleep(REMOVAL_LAG);
                nginx.upstream(ports, List.of(ports.get(i)));
                stop.get(60, TimeUnit.SECONDS);
                servers[i] = start(ports.get(i));
                nginx.upstream(ports, List.of());
                awaitSent(sent.get() + 200);
            }
            running.set(false);
            CompletableFuture.allOf(workers.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(), List.copyOf(failures), nginx.errorLog());
        } finally {
            for (BackendServer server : servers) {
                server.close();
            }
        }
        assertTrue(created.get() > 200, "only " + created.get() + " users were created");
        try (Connection c = DB.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertEquals(created.get(), rs.getInt(1), "rows in users against the 201s seen");
        }
    }

    /** POST a user, GET it back, until told to stop; every other outcome is a failure. */
    private void work(int port, AtomicBoolean running) {
        while (running.get()) {
            pause();
            String body = "{\"email\":\"" + UUID.randomUUID() + "@rolling.example\",\"name\":\"Rolling\"}";
            String answer = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/users"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
            Matcher id = answer == null ? null : ID.matcher(answer);
            if (id != null && id.find()) {
                created.incrementAndGet();
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/users/" + id.group(1)))
                        .build(), 200);
            }
        }
    }

    /** A steady load, not a flood: the machine that runs the test also runs both instances and nginx. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String send(HttpRequest request, int expected) {
        sent.incrementAndGet();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == expected) {
                return response.body();
            }
            failures.add(request.method() + " " + response.statusCode() + " " + response.body().strip());
        } catch (IOException e) {
            failures.add(request.method() + " " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private void awaitSent(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sent.get() < count) {
            assertTrue(System.nanoTime() < deadline, "the load stalled at " + sent.get() + " requests: " + failures);
            Thread.sleep(20);
        }
    }
}
