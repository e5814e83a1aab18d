package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    @AfterEach
    void threadIsNotLeftInterrupted() {
        assertFalse(Thread.interrupted(), "the test thread was left interrupted");
    }

    @Test
    void answers408JsonWhenTheHandlerOverruns() {
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.text("too late");
        });

        TestResponse response = TestClient.of(app).get("/");

        assertEquals(408, response.status());
        assertEquals("Request timed out after 50ms", response.error().orElseThrow());
    }

    @Test
    void interruptsTheHandlerSoItStopsWaiting() throws InterruptedException {
        CountDownLatch interrupted = new CountDownLatch(1);
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return Response.noContent();
        });

        assertEquals(408, TestClient.of(app).get("/").status());
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
    }

    @Test
    void clearsTheInterruptSoTheThreadCanGoOn() throws InterruptedException {
        Handler app = Timeout.of(Duration.ofMillis(20)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.noContent();
        });

        assertEquals(408, TestClient.of(app).get("/").status());

        assertFalse(Thread.currentThread().isInterrupted());
        Thread.sleep(1); // would throw if an interrupt were still pending
    }

    @Test
    void doesNotInterruptOnceTheHandlerFinished() throws InterruptedException {
        TestClient client = TestClient.of(Timeout.of(Duration.ofMillis(30)).wrap(request -> Response.text("ok")));
        for (int i = 0; i < 100; i++) {
            assertEquals(200, client.get("/").status());
        }

        Thread.sleep(200); // every deadline has passed now; a stray interrupt would end this sleep early

        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void answers408WhenAHandlerThatIgnoresInterruptsReturns() {
        Handler app = Timeout.of(Duration.ofMillis(20)).wrap(request -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return Response.text("finished anyway");
        });

        assertEquals(408, TestClient.of(app).get("/").status());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void letsFailuresWithinTheDeadlineThrough() {
        Handler app = Timeout.of(Duration.ofSeconds(10)).wrap(request -> {
            throw AppError.conflict("taken").toException();
        });

        assertEquals(409, TestClient.of(app).get("/").status());
    }

    @Test
    void answersOnceAndLeavesNoInterruptWhenDeadlinesAndHandlersRace() throws Exception {
        // Handlers that finish right around the deadline, from many threads: each answer is either the
        // handler's or the 408, and no thread carries an interrupt out of the middleware.
        Handler app = Timeout.of(Duration.ofMillis(1)).wrap(request -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
            return Response.text("ok");
        });
        TestClient client = TestClient.of(app);
        AtomicBoolean leaked = new AtomicBoolean();
        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 2000; i++) {
                statuses.add(threads.submit(() -> {
                    int status = client.get("/").status();
                    if (Thread.interrupted()) {
                        leaked.set(true);
                    }
                    return status;
                }));
            }
        }
        int ok = 0;
        int timedOut = 0;
        for (Future<Integer> status : statuses) {
            switch (status.get()) {
                case 200 -> ok++;
                case 408 -> timedOut++;
                default -> throw new AssertionError("unexpected status " + status.get());
            }
        }
        assertFalse(leaked.get(), "an interrupt leaked out of the middleware");
        assertEquals(2000, ok + timedOut);
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> Timeout.of(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Timeout.of(Duration.ofSeconds(-1)));
    }
}
