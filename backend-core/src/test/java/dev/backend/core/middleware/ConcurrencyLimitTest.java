package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    @Test
    void answers503WithRetryAfterAtOnceWhenFullAndRecoversAfter() throws Exception {
        ConcurrencyLimit limit = ConcurrencyLimit.of(3, Duration.ofSeconds(2));
        CountDownLatch entered = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        TestClient client = TestClient.of(limit.wrap(request -> {
            entered.countDown();
            release.await();
            return Response.text("done");
        }));
        List<Future<TestResponse>> running = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) {
                running.add(threads.submit(() -> client.get("/")));
            }
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertEquals(3, limit.inFlight());

            TestResponse shed = client.get("/"); // answered on this thread, without waiting

            assertEquals(503, shed.status());
            assertEquals("2", shed.header("Retry-After").orElseThrow());
            assertEquals("The server is busy, retry shortly", shed.error().orElseThrow());
            release.countDown();
            for (Future<TestResponse> response : running) {
                assertEquals(200, response.get().status());
            }
        }
        assertEquals(0, limit.inFlight());
        assertEquals(200, client.get("/").status());
    }

    @Test
    void aShedRequestIsAnOverloadedErrorSoMetricsCanTellItFromAFailingDependency() throws Exception {
        AtomicReference<Handler> self = new AtomicReference<>();
        AtomicReference<Response> shed = new AtomicReference<>();
        Handler app = ConcurrencyLimit.of(1).wrap(request -> {
            // The one slot is taken by this request, so a request made now is shed.
            shed.set(self.get().handle(Request.builder("GET", "/").build()));
            return Response.noContent();
        });
        self.set(app);

        app.handle(Request.builder("GET", "/").build());

        assertEquals(503, shed.get().status());
        assertInstanceOf(AppError.Overloaded.class, shed.get().error().orElseThrow());
    }

    @Test
    void releasesTheSlotWhenTheHandlerFails() {
        ConcurrencyLimit limit = ConcurrencyLimit.of(1);
        Handler app = limit.wrap(request -> {
            throw new IllegalStateException("boom");
        });

        assertEquals(500, TestClient.of(app).get("/").status());
        assertEquals(500, TestClient.of(app).get("/").status());
        assertEquals(0, limit.inFlight());
    }

    @Test
    void sharesOneCountAcrossEveryHandlerItWraps() throws Exception {
        ConcurrencyLimit limit = ConcurrencyLimit.of(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Handler slow = limit.wrap(request -> {
            entered.countDown();
            release.await();
            return Response.noContent();
        });
        Handler fast = limit.wrap(request -> Response.noContent());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TestResponse> first = threads.submit(() -> TestClient.of(slow).get("/"));
            assertTrue(entered.await(10, TimeUnit.SECONDS));

            assertEquals(503, TestClient.of(fast).get("/").status());
            release.countDown();
            assertEquals(204, first.get().status());
        }
    }

    @Test
    void rejectsALimitBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyLimit.of(0));
    }
}
