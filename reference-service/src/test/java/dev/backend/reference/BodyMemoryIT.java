package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.ServerProcess;
import dev.backend.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12's scenario: the jar under {@code -Xmx256m} (the default heap of a 1 GB container), 200 clients posting 10
 * MB bodies at once, all within {@code BODY_LIMIT} and {@code MAX_IN_FLIGHT}. Before {@code BODY_MEMORY_LIMIT} the
 * JDK's server threads ran out of memory and the process hung, deaf to SIGTERM. Now: no out-of-memory error, the
 * bodies that do not fit the budget are answered 503 at once, {@code /health/live} answers throughout, and SIGTERM
 * still stops the process with exit code 0. Prints its figures.
 */
class BodyMemoryIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int CLIENTS = 200;
    private static final int BODY_BYTES = 10_000_000;

    private static Path jar() {
        return Path.of(System.getProperty("reference.service.jar", "target/reference-service.jar"));
    }

    @Test
    void twoHundredTenMegabytePostsUnder256MegabytesOfHeapNeitherExhaustItNorSilenceTheLivenessProbe() throws Exception {
        byte[] body = tenMegabytesOfJson();
        try (ServerProcess server = ServerProcess.jar(jar(), List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
                Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0", "ACCESS_LOG", "false"))) {
            int port = server.awaitPort();
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicLong slowestProbe = new AtomicLong();
            AtomicLong probes = new AtomicLong();
            AtomicLong peakHeap = new AtomicLong();
            List<String> probeFailures = new ArrayList<>();
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            long begin = System.nanoTime();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?> prober = threads.submit(() -> {
                    while (loading.get()) {
                        long start = System.nanoTime();
                        String live = get(port, "/health/live");
                        slowestProbe.accumulateAndGet(System.nanoTime() - start, Math::max);
                        probes.incrementAndGet();
                        if (!live.startsWith("HTTP/1.1 200")) {
                            synchronized (probeFailures) {
                                probeFailures.add(live.lines().findFirst().orElse("no answer"));
                            }
                        }
                        peakHeap.accumulateAndGet(heapUsed(get(port, "/metrics")), Math::max);
                        Thread.sleep(100);
                    }
                    return null;
                });
                List<Future<String>> posts = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    posts.add(threads.submit(() -> post(port, body)));
                }
                for (Future<String> post : posts) {
                    outcomes.merge(post.get(120, TimeUnit.SECONDS), 1, Integer::sum);
                }
                loading.set(false);
                prober.get(30, TimeUnit.SECONDS);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            System.out.printf(Locale.ROOT, "BodyMemoryIT: %d posts of %d bytes in %d ms: %s; /health/live %d probes, "
                    + "slowest %d ms; heap used at most %d MB of 256%n", CLIENTS, BODY_BYTES, millis,
                    new TreeMap<>(outcomes), probes.get(), slowestProbe.get() / 1_000_000, peakHeap.get() >> 20);

            assertEquals(List.of(), probeFailures, "the liveness probe went unanswered");
            assertTrue(slowestProbe.get() < TimeUnit.SECONDS.toNanos(10), "a probe took " + slowestProbe.get() / 1_000_000
                    + " ms");
            assertTrue(outcomes.getOrDefault("503", 0) > 0, "the budget turned bodies away: " + outcomes);
            assertTrue(outcomes.getOrDefault("400", 0) > 0, "bodies within the budget were read: " + outcomes);
            assertEquals(CLIENTS, outcomes.getOrDefault("400", 0) + outcomes.getOrDefault("503", 0), "only 400 (the "
                    + "name is too long) and 503: " + outcomes);
            String output = server.output();
            assertFalse(output.contains("OutOfMemoryError") || output.contains("Out of memory"), output);

            server.terminate();
            assertEquals(0, server.awaitExit(), server.output());
        }
    }

    /** A user whose name is ten megabytes long: the users API reads it whole, then refuses the name. */
    private static byte[] tenMegabytesOfJson() {
        String head = "{\"email\":\"big@example.com\",\"name\":\"";
        String tail = "\"}";
        return (head + "n".repeat(BODY_BYTES - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Posts the body as a plain client does (no {@code Expect: 100-continue}), writing it on a thread of its own
     * while the answer is read: a server that refuses early answers before the body is in, then closes.
     *
     * @return the status, or why there was none
     */
    private static String post(int port, byte[] body) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(("POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (IOException closedEarly) {
                    // answered and closed before the whole body went: the status line says why
                }
            });
            String status = statusLine(socket.getInputStream());
            writer.join();
            return status.isEmpty() ? "no answer" : status.substring(9, 12);
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String get(int port, String path) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    /** The sum of the heap pools' {@code jvm_memory_used_bytes} in a Prometheus scrape. */
    private static long heapUsed(String scrape) {
        return scrape.lines()
                .filter(line -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }
}
