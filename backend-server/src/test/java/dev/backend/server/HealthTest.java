package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

class HealthTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final Duration GENEROUS = Duration.ofSeconds(20);

    @Test
    void answersUpNamingEachCheckWhileTheDatabaseAnswers() {
        TestClient client = client(new Health(DB.dataSource(), List.of()));

        assertBody(client.get("/health"), 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"database\",\"status\":\"UP\"}]}");
        assertBody(client.get("/health/ready"), 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"server\",\"status\":\"UP\"},"
                + "{\"name\":\"database\",\"status\":\"UP\"}]}");
        assertBody(client.get("/health/live"), 200, "{\"status\":\"UP\",\"checks\":[]}");
    }

    @Test
    void answersDownNamingTheDatabaseWhenNothingListensWhereItShouldBe() throws IOException {
        TestClient client = client(new Health(dataSourceAt(freePort()), List.of()));

        assertBody(client.get("/health"), 503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"database\",\"status\":\"DOWN\"}]}");
        assertEquals(503, client.get("/health/ready").status());
        assertBody(client.get("/health/live"), 200, "{\"status\":\"UP\",\"checks\":[]}");
    }

    @Test
    void answersDownWithinItsBoundWhenTheDatabaseHangs() throws IOException {
        // Accepts connections and never answers: the driver would wait forever for the server's greeting.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TestClient client = client(new Health(dataSourceAt(silent.getLocalPort()), List.of()));
            long begin = System.nanoTime();
            assertEquals(503, client.get("/health").status());
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void readinessAnswersDownNamingTheServerOnceAStopBegins() {
        Health health = new Health(DB.dataSource(), List.of());
        TestClient client = client(health);
        health.drain();

        assertBody(client.get("/health/ready"), 503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"server\",\"status\":"
                + "\"DOWN\"},{\"name\":\"database\",\"status\":\"UP\"}]}");
        assertEquals(200, client.get("/health").status());
        assertEquals(200, client.get("/health/live").status());
    }

    @Test
    void namesTheFailingApplicationCheckAndSendsNothingOfItsCause() {
        TestClient client = client(new Health(DB.dataSource(), List.of(
                check("payments", GENEROUS, () -> {
                    throw new IllegalStateException("connection refused by payments.internal:8443 token=s3cret");
                }),
                check("queue", GENEROUS, () -> {}))));

        TestResponse ready = client.get("/health/ready");

        assertBody(ready, 503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"server\",\"status\":\"UP\"},{\"name\":"
                + "\"database\",\"status\":\"UP\"},{\"name\":\"payments\",\"status\":\"DOWN\"},{\"name\":\"queue\","
                + "\"status\":\"UP\"}]}");
        assertEquals(503, client.get("/health").status());
        assertBody(client.get("/health/live"), 200, "{\"status\":\"UP\",\"checks\":[]}");
    }

    @Test
    void aCheckOverItsTimeoutIsDownAndIsInterruptedWhileTheOthersAreReported() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        TestClient client = client(new Health(List.of(
                check("slow", Duration.ofMillis(200), () -> {
                    try {
                        Thread.sleep(Duration.ofMinutes(10));
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                }),
                check("fast", GENEROUS, () -> {})), Duration.ZERO));

        long begin = System.nanoTime();
        TestResponse ready = client.get("/health/ready");

        assertEquals(503, ready.status());
        assertTrue(ready.text().contains("{\"name\":\"slow\",\"status\":\"DOWN\"},{\"name\":\"fast\",\"status\":\"UP\"}"),
                ready.text());
        assertTrue(System.nanoTime() - begin < GENEROUS.toNanos(), "the probe waited for the slow check's timeout only");
        assertTrue(interrupted.await(GENEROUS.toSeconds(), TimeUnit.SECONDS), "the slow check was asked to stop");
    }

    @Test
    void checksOfOneProbeRunAtTheSameTime() {
        // Each check waits for the other to have started: run one after the other, the first would time out.
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        TestClient client = client(new Health(List.of(
                check("a", GENEROUS, () -> {
                    aStarted.countDown();
                    awaitOrThrow(bStarted);
                }),
                check("b", GENEROUS, () -> {
                    bStarted.countDown();
                    awaitOrThrow(aStarted);
                })), Duration.ZERO));

        assertEquals(200, client.get("/health").status());
    }

    @Test
    void aStormOfProbesRunsEachCheckOncePerReusePeriod() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        TestClient client = client(new Health(List.of(check("downstream", GENEROUS, () -> {
            runs.incrementAndGet();
            Thread.sleep(50);
        })), Duration.ofHours(1)));

        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                String path = i % 2 == 0 ? "/health/ready" : "/health";
                statuses.add(probes.submit(() -> client.get(path).status()));
            }
        }
        for (Future<Integer> status : statuses) {
            assertEquals(200, status.get());
        }
        assertEquals(200, client.get("/health/ready").status());

        assertEquals(1, runs.get(), "concurrent probes share one run, later ones reuse its result");
    }

    @Test
    void noNewRunStartsWhileAnOverdueOneIsStillRunning() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        TestClient client = client(new Health(List.of(check("stuck", Duration.ofMillis(50), () -> {
            runs.incrementAndGet();
            // Ignores interruption, as a check blocked in I/O without a timeout of its own would.
            boolean released = false;
            while (!released) {
                try {
                    released = release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    released = false;
                }
            }
        })), Duration.ZERO));

        for (int i = 0; i < 5; i++) {
            assertEquals(503, client.get("/health").status());
        }
        assertEquals(1, runs.get(), "the dependency got one call, not one per probe");

        release.countDown();
        assertTrue(awaitStatus(client, 200), "a new run starts once the stuck one returned");
        assertTrue(runs.get() >= 2);
    }

    @Test
    void logsTheCauseOnceWhenACheckStartsFailingAndOnceWhenItRecovers() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        TestClient client = client(new Health(List.of(check("payments", GENEROUS, () -> {
            if (down.get()) {
                throw new IllegalStateException("payments answered 502");
            }
        })), Duration.ZERO));

        try (LogCapture log = LogCapture.of(ReadinessCheck.class)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(503, client.get("/health/ready").status());
            }
            down.set(false);
            assertEquals(200, client.get("/health/ready").status());
            assertEquals(200, client.get("/health/ready").status());

            List<String> lines = log.lines();
            assertEquals(2, lines.size(), lines.toString());
            assertEquals("WARN Readiness check 'payments' failed: java.lang.IllegalStateException: payments answered 502",
                    lines.get(0));
            assertTrue(lines.get(1).matches("INFO Readiness check 'payments' passes again after \\d+ s of failures"),
                    lines.get(1));
            assertEquals(Optional.of("java.lang.IllegalStateException"), log.throwables().getFirst(),
                    "the first failure is logged with its stack trace");
        }
    }

    @Test
    void theBuilderRefusesReservedOrRepeatedNamesAndUnboundedTimeouts() {
        BackendServer.Builder builder = BackendServer.builder().readinessCheck("payments", GENEROUS, () -> {});

        assertRefused("readiness check name 'payments' is taken", () -> builder.readinessCheck("payments", GENEROUS, () -> {}));
        assertRefused("readiness check name 'database' is taken", () -> builder.readinessCheck("database", GENEROUS, () -> {}));
        assertRefused("readiness check name 'server' is taken", () -> builder.readinessCheck("server", GENEROUS, () -> {}));
        assertRefused("a readiness check needs a name", () -> builder.readinessCheck(" ", GENEROUS, () -> {}));
        assertRefused("readiness check 'queue': timeout must be from 1ms to 1m, was 2m",
                () -> builder.readinessCheck("queue", Duration.ofMinutes(2), () -> {}));
        assertRefused("readiness check 'queue': timeout must be from 1ms to 1m, was 0s",
                () -> builder.readinessCheck("queue", Duration.ZERO, () -> {}));
    }

    private static Health.Registration check(String name, Duration timeout, HealthCheck check) {
        return new Health.Registration(name, timeout, check);
    }

    private static TestClient client(Health health) {
        return TestClient.of(health.routes().build());
    }

    private static void awaitOrThrow(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the other check never started");
        }
    }

    private static boolean awaitStatus(TestClient client, int status) throws InterruptedException {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (System.nanoTime() < deadline) {
            if (client.get("/health").status() == status) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static void assertRefused(String message, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(message, e.getMessage());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static DataSource dataSourceAt(int port) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        dataSource.setUser("postgres");
        return dataSource;
    }

    private static void assertBody(TestResponse response, int status, String body) {
        assertEquals(status, response.status(), response.text());
        assertEquals(body, response.text());
        assertFalse(response.text().contains("Exception"), response.text());
    }
}
