package dev.backend.server.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The console appender the access log goes through: off the request thread, in batches, and nothing lost. */
class AsyncConsoleAppenderTest {

    /** Generous: a loaded build machine may keep the writing thread off the CPU for a while. */
    private static final long PATIENCE_MILLIS = 10_000;

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger(AsyncConsoleAppenderTest.class.getName() + "." + UUID.randomUUID());
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream original = System.out;
    private AsyncConsoleAppender appender;

    @BeforeEach
    void captureStandardOutput() {
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardOutput() {
        if (appender != null) {
            logger.detachAppender(appender);
            appender.stop();
        }
        System.setOut(original);
    }

    private void start(int queueSize, String pattern) {
        start(queueSize, pattern, new PatternLayoutEncoder());
    }

    private void start(int queueSize, String pattern, PatternLayoutEncoder encoder) {
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        appender = new AsyncConsoleAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
    }

    private List<String> lines() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("line ")).toList();
        }
    }

    private List<String> awaitLines(int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (lines().size() < count && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return lines();
    }

    @Test
    void aLoneLineIsWrittenWithoutWaitingForAnother() throws InterruptedException {
        start(8192, "line %level %msg%n");

        logger.info("alone");

        assertEquals(List.of("line INFO alone"), awaitLines(1));
    }

    @Test
    void linesFromManyThreadsAreAllWrittenEachWhole() throws InterruptedException {
        start(64, "line %msg%n");
        int threads = 8;
        int perThread = 2000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    logger.info("{} {}", id, i);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(PATIENCE_MILLIS, TimeUnit.MILLISECONDS));

        List<String> lines = awaitLines(threads * perThread);
        assertEquals(threads * perThread, lines.size());
        // Each thread's lines in the order it logged them: one queue, written first in, first out.
        for (int t = 0; t < threads; t++) {
            String prefix = "line " + t + " ";
            List<String> own = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                expected.add(prefix + i);
            }
            assertEquals(expected, own);
        }
    }

    @Test
    void aFullQueueWakesTheWriterRatherThanWaitingOutItsBatchInterval() throws InterruptedException {
        // One line per batch interval would take 20,000 x 3 ms = 60 s; woken when full, it takes well under a second.
        start(1, "line %msg%n");
        int count = 20_000;
        Thread logging = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < count; i++) {
                logger.info("{}", i);
            }
        });

        assertTrue(logging.join(Duration.ofSeconds(20)), "the logging thread waited for the writer's timer");
        assertEquals(count, awaitLines(count).size());
    }

    @Test
    void aWarningIsWrittenBeforeTheCallReturnsAfterTheLinesQueuedBeforeIt() {
        start(8192, "line %level %msg%n");

        for (int i = 0; i < 100; i++) {
            logger.info("{}", i);
        }
        logger.warn("then this");

        List<String> lines = lines();
        assertEquals(101, lines.size());
        assertEquals("line INFO 0", lines.getFirst());
        assertEquals("line WARN then this", lines.getLast());
    }

    @Test
    void stoppingWritesEveryQueuedLine() {
        start(8192, "line %msg%n");

        for (int i = 0; i < 5000; i++) {
            logger.info("{}", i);
        }
        appender.stop();

        assertEquals(5000, lines().size());
        assertEquals("line 4999", lines().getLast());
    }

    @Test
    void theIdsOfTheRequestAreTakenWhenTheLineIsLoggedNotWhenItIsWritten() throws InterruptedException {
        start(8192, "line %msg req=%X{request_id} [%thread]%n");

        logInARequestThenOutside();

        assertEquals(List.of("line in a request req=r-1 [" + Thread.currentThread().getName() + "]",
                "line outside req= [" + Thread.currentThread().getName() + "]"), awaitLines(2));
    }

    @Test
    void linesAreFormattedByTheThreadThatLogsThem() throws InterruptedException {
        RecordingEncoder encoder = new RecordingEncoder(false);
        start(8192, "line %msg%n", encoder);

        logger.info("here");

        assertEquals(List.of("line here"), awaitLines(1));
        assertEquals(List.of(Thread.currentThread().getName()), encoder.threads());
    }

    @Test
    void aStatefulEncoderFormatsOnTheWritingThreadInOrderWithTheIdsTakenWhenLogged() throws InterruptedException {
        RecordingEncoder encoder = new RecordingEncoder(true);
        start(8192, "line %msg req=%X{request_id}%n", encoder);

        logInARequestThenOutside();

        assertEquals(List.of("line in a request req=r-1", "line outside req="), awaitLines(2));
        assertTrue(encoder.threads().stream().allMatch(name -> name.startsWith("log-writer-")), encoder.threads().toString());
    }

    /** Logs "in a request" with the request id r-1 in the MDC, then "outside" without it. */
    private void logInARequestThenOutside() {
        MDC.put("request_id", "r-1");
        try {
            logger.info("in a request");
        } finally {
            MDC.remove("request_id");
        }
        logger.info("outside");
    }

    /** Records which threads format lines; {@code stateful} says whether it keeps state between events. */
    private static final class RecordingEncoder extends PatternLayoutEncoder {
        private final boolean stateful;
        private final List<String> threads = new ArrayList<>();

        RecordingEncoder(boolean stateful) {
            this.stateful = stateful;
        }

        @Override
        public boolean isStateful() {
            return stateful;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            synchronized (threads) {
                threads.add(Thread.currentThread().getName());
            }
            return super.encode(event);
        }

        List<String> threads() {
            synchronized (threads) {
                return List.copyOf(threads);
            }
        }
    }

    @Test
    void linesBeyondOneWritesWorthAreWrittenWholeAndInOrder() {
        start(8192, "line %msg%n");
        String long100k = "x".repeat(100 * 1024);

        // 2000 lines of about 60 bytes fill more than one 64 KB write; the middle one is longer than a write.
        for (int i = 0; i < 2000; i++) {
            logger.info("{} {}", i, i == 1000 ? long100k : "and some padding to make the line longer than short");
        }
        appender.stop();

        List<String> lines = lines();
        assertEquals(2000, lines.size());
        for (int i = 0; i < 2000; i++) {
            assertTrue(lines.get(i).startsWith("line " + i + " "), lines.get(i).substring(0, 20));
        }
        assertEquals("line 1000 " + long100k, lines.get(1000));
    }
}
