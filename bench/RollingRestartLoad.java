import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steady load of bench/rolling-restart.sh: {@code workers} virtual threads, each creating a user with
 * {@code POST /api/v1/users} and reading it back with {@code GET /api/v1/users/{id}}, paced to {@code rate}
 * requests per second in all, until the file {@code stop} exists or {@code maxSeconds} pass.
 *
 * <p>Every response other than the expected 201 or 200, and every exception, is a failure, printed with its time.
 * Once a second it appends a line of running totals to {@code totals}: {@code <epoch ms> <sent> <failed>
 * <created>}, where created counts the 201s, so the script can compare them with the rows in the table.
 *
 * <p>Run with: {@code java bench/RollingRestartLoad.java http://127.0.0.1:8080 16 300 600 stop-file totals-file}
 */
public final class RollingRestartLoad {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    private RollingRestartLoad(URI base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: RollingRestartLoad <base url> <workers> <rate/s> <max seconds> <stop file> <totals file>");
            System.exit(2);
        }
        RollingRestartLoad load = new RollingRestartLoad(URI.create(args[0]));
        int workers = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        Path stop = Path.of(args[4]);
        Path totals = Path.of(args[5]);
        // Each worker sends two requests per round, spaced so that all of them together keep to the rate.
        long roundNanos = (long) (2 * workers * 1e9 / rate);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                long offset = roundNanos * w / workers;
                pool.submit(() -> load.work(offset, roundNanos, deadline, stop));
            }
            while (System.nanoTime() < deadline && !Files.exists(stop)) {
                Thread.sleep(1000);
                load.report(totals);
                for (String failure = load.failures.poll(); failure != null; failure = load.failures.poll()) {
                    System.out.println(failure);
                }
            }
        }
        load.report(totals);
        for (String failure = load.failures.poll(); failure != null; failure = load.failures.poll()) {
            System.out.println(failure);
        }
        System.out.printf("load: sent=%d failed=%d created=%d%n", load.sent.get(), load.failed.get(), load.created.get());
    }

    private Void work(long offset, long roundNanos, long deadline, Path stop) throws InterruptedException {
        long next = System.nanoTime() + offset;
        while (System.nanoTime() < deadline && !Files.exists(stop)) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next += roundNanos;
            String email = UUID.randomUUID() + "@rolling.example";
            String body = "{\"email\":\"" + email + "\",\"name\":\"Rolling Restart\"}";
            String created = send(HttpRequest.newBuilder(base.resolve("/api/v1/users"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
            if (created == null) {
                continue;
            }
            this.created.incrementAndGet();
            Matcher id = ID.matcher(created);
            if (!id.find()) {
                fail("POST", "201 without an id: " + created);
                continue;
            }
            send(HttpRequest.newBuilder(base.resolve("/api/v1/users/" + id.group(1))).GET().build(), 200);
        }
        return null;
    }

    /** The body when the status is {@code expected}; else null, and the failure recorded. */
    private String send(HttpRequest request, int expected) throws InterruptedException {
        sent.incrementAndGet();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == expected) {
                return response.body();
            }
            fail(request.method(), response.statusCode() + " " + response.body().strip());
        } catch (IOException e) {
            fail(request.method(), e.toString());
        }
        return null;
    }

    private void fail(String method, String what) {
        failed.incrementAndGet();
        failures.add("failure " + Instant.now() + " " + method + " " + what);
    }

    private void report(Path totals) throws IOException {
        List<String> line = new ArrayList<>(List.of(Long.toString(System.currentTimeMillis()),
                Long.toString(sent.get()), Long.toString(failed.get()), Long.toString(created.get())));
        Files.writeString(totals, String.join(" ", line) + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }
}
