package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.backend.core.AppError;
import dev.backend.core.Deadline;
import dev.backend.core.Handler;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    @AfterEach
    void threadIsNotLeftInterrupted() {
        assertFalse(Thread.interrupted(), "the test thread was left interrupted");
    }

    @Test
    void answers503WithRetryAfterWhenTheHandlerOverruns() {
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.text("too late");
        });

        TestResponse response = TestClient.of(app).get("/");

        assertEquals(503, response.status());
        assertEquals("1", response.header("Retry-After").orElseThrow());
        assertEquals("Request timed out after 50ms", response.error().orElseThrow());
    }

    @Test
    void answersTheConfiguredStatusInstead() {
        for (int status : new int[] {504, 408}) {
            Timeout timeout = Timeout.of(Duration.ofMillis(20)).withStatus(status);
            TestResponse response = TestClient.of(timeout.wrap(request -> {
                Thread.sleep(60_000);
                return Response.noContent();
            })).get("/");

            assertEquals(status, timeout.status());
            assertEquals(status, response.status());
            assertEquals(Optional.empty(), response.header("Retry-After"), "Retry-After belongs to 503 only");
            assertEquals("Request timed out after 20ms", response.error().orElseThrow());
        }
    }

    @Test
    void refusesAStatusThatIsNotATimeoutStatus() {
        Timeout timeout = Timeout.of(Duration.ofSeconds(1));
        for (int status : new int[] {200, 500, 502, 429}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> timeout.withStatus(status));
            assertEquals("timeout status must be 503, 504 or 408, was " + status, e.getMessage());
        }
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

        assertEquals(503, TestClient.of(app).get("/").status());
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
    }

    @Test
    void clearsTheInterruptSoTheThreadCanGoOn() throws InterruptedException {
        Handler app = Timeout.of(Duration.ofMillis(20)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.noContent();
        });

        assertEquals(503, TestClient.of(app).get("/").status());

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
    void answersTheTimeoutWhenAHandlerThatIgnoresInterruptsReturns() {
        Handler app = Timeout.of(Duration.ofMillis(20)).wrap(request -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return Response.text("finished anyway");
        });

        assertEquals(503, TestClient.of(app).get("/").status());
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
        // handler's or the timeout's, and no thread carries an interrupt out of the middleware.
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
                case 503 -> timedOut++;
                default -> throw new AssertionError("unexpected status " + status.get());
            }
        }
        assertFalse(leaked.get(), "an interrupt leaked out of the middleware");
        assertEquals(2000, ok + timedOut);
    }

    @Test
    void cancelsRegisteredWorkAtTheDeadlineWithoutInterruptingAHandlerThatStops() {
        AtomicReference<Thread> cancelledOn = new AtomicReference<>();
        AtomicBoolean interruptedInside = new AtomicBoolean();
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            CountDownLatch cancelled = new CountDownLatch(1);
            Deadline.current().orElseThrow().onExpiry(() -> {
                cancelledOn.set(Thread.currentThread());
                cancelled.countDown();
            });
            cancelled.await(); // like a statement PostgreSQL cancels: it ends, with an error, by itself
            interruptedInside.set(Thread.currentThread().isInterrupted());
            throw new SQLException("canceling statement due to user request", "57014");
        });

        TestResponse response = TestClient.of(app).get("/");

        assertEquals(503, response.status());
        assertFalse(interruptedInside.get(), "the handler stopped, so it was not interrupted");
        assertNotEquals(Thread.currentThread(), cancelledOn.get(), "the cancel ran on a thread of its own");
    }

    @Test
    void interruptsAfterTheGraceWhenTheCancelDidNotStopTheHandlerAndCancelsOnceMoreFirst() {
        AtomicInteger cancels = new AtomicInteger();
        AtomicInteger cancelsBeforeInterrupt = new AtomicInteger();
        AtomicLong interruptedAfterMillis = new AtomicLong();
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            long begin = System.nanoTime();
            Deadline.current().orElseThrow().onExpiry(cancels::incrementAndGet);
            try {
                Thread.sleep(60_000); // blocked on something the cancel does not reach
            } catch (InterruptedException e) {
                cancelsBeforeInterrupt.set(cancels.get());
                interruptedAfterMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
                throw e;
            }
            return Response.noContent();
        });

        assertEquals(503, TestClient.of(app).get("/").status());

        assertEquals(2, cancelsBeforeInterrupt.get(), "at the deadline, and again right before the interrupt");
        long millis = interruptedAfterMillis.get();
        assertTrue(millis >= 50 + 900, "interrupted after " + millis + " ms, past the grace after the deadline");
    }

    /**
     * The shape of pgJDBC's cancel against a server that accepts connections and never answers (a blackholed
     * address): the cancel waits for the server until its own timeout, and the cancelled statement, once its read
     * is interrupted, still waits for that cancel to finish before it lets the handler go.
     */
    @Test
    void answersWithinTheGraceWhenTheCancelWaitsOnASilentServer() {
        Handler app = Timeout.of(Duration.ofMillis(100)).wrap(request -> {
            CountDownLatch cancelDone = new CountDownLatch(1);
            AtomicBoolean running = new AtomicBoolean(true);
            Deadline.current().orElseThrow().onExpiry(() -> {
                if (!running.getAndSet(false)) {
                    return; // the statement is not running any more: nothing to cancel, no round trip
                }
                try {
                    Thread.sleep(5_000); // pgJDBC's cancelSignalTimeout; a socket read ends the same way on interrupt
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    cancelDone.countDown();
                }
            });
            try {
                new CountDownLatch(1).await(); // the statement's read, which the server never answers
            } finally {
                awaitIgnoringInterrupts(cancelDone);
            }
            return Response.noContent();
        });
        long begin = System.nanoTime();

        TestResponse response = TestClient.of(app).get("/");

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertEquals(503, response.status());
        assertTrue(millis < 100 + 1_000 + 500, "answered after " + millis + " ms, not after the cancel's 5 s");
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void runsACancelRegisteredAfterTheDeadlineAtOnceOnTheCallersThread() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Handler app = Timeout.of(Duration.ofMillis(20)).wrap(request -> {
            Deadline deadline = Deadline.current().orElseThrow();
            while (!deadline.expired()) {
                Thread.onSpinWait(); // ignores the interrupt, as a busy handler would
            }
            deadline.onExpiry(() -> ranOn.set(Thread.currentThread()));
            return Response.noContent();
        });

        Thread caller = Thread.currentThread();
        assertEquals(503, TestClient.of(app).get("/").status());
        assertEquals(caller, ranOn.get());
    }

    @Test
    void offersTheDeadlineOnlyInsideTheLayerAndTheInnermostOneThere() {
        AtomicReference<Optional<Deadline>> outer = new AtomicReference<>();
        AtomicReference<Optional<Deadline>> inner = new AtomicReference<>();
        Handler innermost = request -> {
            inner.set(Deadline.current());
            return Response.noContent();
        };
        Handler app = Timeout.of(Duration.ofSeconds(10)).wrap(request -> {
            outer.set(Deadline.current());
            Response response = Timeout.of(Duration.ofSeconds(5)).wrap(innermost).handle(request);
            assertEquals(outer.get(), Deadline.current(), "the outer deadline is current again");
            return response;
        });

        assertEquals(204, TestClient.of(app).get("/").status());

        assertTrue(outer.get().isPresent());
        assertTrue(inner.get().isPresent());
        assertNotEquals(outer.get(), inner.get());
        assertEquals(Optional.empty(), Deadline.current());
    }

    @Test
    void anEnclosingDeadlineRunsTheCancelsRegisteredInsideANestedOne() throws InterruptedException {
        CountDownLatch cancelled = new CountDownLatch(1);
        Handler innermost = request -> {
            Deadline.current().orElseThrow().onExpiry(cancelled::countDown);
            assertTrue(cancelled.await(30, TimeUnit.SECONDS));
            assertTrue(Deadline.current().orElseThrow().expired(), "expired counts the enclosing deadline");
            return Response.noContent();
        };
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(Timeout.of(Duration.ofSeconds(60)).wrap(innermost));

        assertEquals(503, TestClient.of(app).get("/").status());
        assertTrue(cancelled.await(0, TimeUnit.SECONDS));
    }

    @Test
    void logsOneLineWithTheFailureTheHandlerEndedWithAndNoTrace() {
        Handler app = Timeout.of(Duration.ofMillis(30)).wrap(Router.create().get("/", request -> {
            CountDownLatch cancelled = new CountDownLatch(1);
            Deadline.current().orElseThrow().onExpiry(cancelled::countDown);
            cancelled.await();
            throw new SQLException("ERROR: canceling statement due to user request\n  Where: SQL statement", "57014");
        }).build());

        try (LogCapture log = new LogCapture()) {
            assertEquals(503, TestClient.of(app).get("/").status());

            // This request's lines only: handlers of earlier tests that outlived their own may still log now.
            String thread = Thread.currentThread().getName();
            List<ILoggingEvent> lines = log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .filter(e -> e.getThreadName().equals(thread)).toList();
            assertEquals(1, lines.size(), lines.toString());
            ILoggingEvent line = lines.getFirst();
            assertEquals(Level.WARN, line.getLevel());
            assertEquals(Timeout.class.getName(), line.getLoggerName());
            assertNull(line.getThrowableProxy());
            assertTrue(line.getFormattedMessage().matches("Request timed out after 30ms, answered 503; the handler "
                    + "returned \\d+ ms after the deadline, with 57014 ERROR: canceling statement due to user request"),
                    line.getFormattedMessage());
        }
    }

    @Test
    void expiresEveryDeadlineWhenMoreRequestsRunThanTheTimerFirstMadeRoomFor() throws Exception {
        // The timer starts with 1,024 slots; 3,000 requests at once make it move to larger tables while
        // deadlines sit in the old ones.
        Handler app = Timeout.of(Duration.ofMillis(200)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.noContent();
        });
        TestClient client = TestClient.of(app);
        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3000; i++) {
                statuses.add(threads.submit(() -> client.get("/").status()));
            }
            for (Future<Integer> status : statuses) {
                assertEquals(503, status.get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void firesAfterTheTimerSleptThroughAnIdleSecond() throws InterruptedException {
        Thread.sleep(1_500); // nothing registered: the timer parks until the next request wakes it
        Handler app = Timeout.of(Duration.ofMillis(50)).wrap(request -> {
            Thread.sleep(60_000);
            return Response.noContent();
        });

        long begin = System.nanoTime();
        assertEquals(503, TestClient.of(app).get("/").status());
        assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30));
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> Timeout.of(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Timeout.of(Duration.ofSeconds(-1)));
    }
}
