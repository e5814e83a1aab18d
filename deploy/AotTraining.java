import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run of the container image's JDK 25 AOT cache (JEP 483, 514, 515), which deploy/image-layout.sh
 * runs in the image's build stage: starts a throw-away PostgreSQL, starts the service with the image's own runtime
 * and class path under {@code -XX:AOTCacheOutput}, sends it the traffic it will see (probes, scrapes, the users
 * API with its errors), stops it with SIGTERM, and waits while the JVM writes the cache as it exits.
 *
 * <p>This program runs on the build's JDK with reference-service.jar (the runnable jar, which carries zonky's
 * embedded PostgreSQL) as its class path, a separate process from the service: the database binaries and this
 * driver are never on the class path the cache describes.
 *
 * <pre>
 * java -cp reference-service/target/reference-service.jar deploy/AotTraining.java CACHE ROUNDS JAVA [ARGS...]
 * </pre>
 * JAVA [ARGS...] is the service's command without the cache flag; this program adds {@code -XX:AOTCacheOutput=CACHE}
 * after JAVA. Exits 0 once CACHE is written; any unexpected answer, or a service that does not start or stop
 * cleanly, fails the build with the service's output.
 */
public final class AotTraining {

    private static final Pattern LISTENING = Pattern.compile("Listening on http://[^:]+:(\\d+) ");
    private static final Duration START_WAIT = Duration.ofSeconds(120);
    /** The JVM writes the cache at exit, from a second JVM it starts: seconds, more on a busy builder. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(300);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    private AotTraining(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: AotTraining CACHE ROUNDS JAVA [ARGS...]");
            System.exit(2);
        }
        Path cache = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        List<String> command = new ArrayList<>(List.of(args).subList(2, args.length));
        command.add(1, "-XX:AOTCacheOutput=" + cache);
        Files.deleteIfExists(cache);
        long begin = System.nanoTime();
        boolean trained;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            trained = train(command, cache, rounds, postgres.getPort());
        }
        if (!trained) {
            System.exit(1);
        }
        System.out.printf("aot-training: cache of %d MB written, %d s in all%n", Files.size(cache) >> 20,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin));
    }

    /** Runs the service under {@code command} against the database on {@code port}; false, said why, when it failed. */
    private static boolean train(List<String> command, Path cache, int rounds, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DATABASE_URL", "postgres://postgres@localhost:" + port + "/postgres");
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("PORT", "0");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process service = builder.start();
        Output output = new Output(service);
        try {
            int requests = new AotTraining(output.port().get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS)).traffic(rounds);
            // SIGTERM: the graceful stop, then the exit that writes the cache. Through the handle, since
            // Process.destroy() also closes the pipes, and the JVM that assembles the cache, started at exit with
            // the same output, would die of SIGPIPE at its first line and leave no cache.
            service.toHandle().destroy();
            if (!service.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the service did not exit within " + STOP_WAIT.toSeconds() + " s of SIGTERM");
            }
            // The exit code alone does not tell: the training JVM exits 0 even when the one assembling the cache failed.
            if (service.exitValue() != 0 || !Files.isRegularFile(cache)) {
                throw new IllegalStateException("the service exited with " + service.exitValue()
                        + (Files.isRegularFile(cache) ? "" : " and wrote no cache"));
            }
            System.out.printf("aot-training: %d requests answered as expected%n", requests);
            return true;
        } catch (Exception | AssertionError e) {
            service.destroyForcibly();
            service.waitFor();
            System.err.println("aot-training failed: " + e.getMessage() + "\n--- the service's output:\n" + output.all());
            return false;
        }
    }

    /** What the service will see, {@code rounds} times over; returns the count of requests sent. */
    private int traffic(int rounds) throws IOException, InterruptedException {
        int sent = 0;
        for (int round = 0; round < rounds; round++) {
            expect(200, send("GET", "/health/ready", null));
            expect(200, send("GET", "/health/live", null));
            HttpResponse<String> created = send("POST", "/api/v1/users",
                    "{\"email\":\"user" + round + "@example.com\",\"name\":\"User " + round + "\"}");
            expect(201, created);
            String user = created.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
            expect(200, send("GET", user, null));
            expect(200, send("PUT", user, "{\"email\":\"user" + round + "@example.org\",\"name\":\"Renamed\"}"));
            expect(200, send("GET", "/api/v1/users?limit=2", null));
            expect(400, send("POST", "/api/v1/users", "{\"email\":\"not an address\",\"name\":\"\"}"));
            expect(404, send("GET", "/api/v1/users/" + UUID.randomUUID(), null));
            expect(204, send("DELETE", user, null));
            sent += 9;
            if (round % 10 == 0) {
                expect(200, send("GET", "/health", null));
                expect(200, send("GET", "/metrics", null));
                sent += 2;
            }
        }
        return sent;
    }

    private HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new AssertionError(response.request().method() + " " + response.uri().getPath() + " answered "
                    + response.statusCode() + " instead of " + status + ": " + response.body());
        }
    }

    /** The service's output, kept for a failure report, and the port its start-up line names. */
    private static final class Output {
        private final StringBuilder text = new StringBuilder();
        private final CompletableFuture<Integer> port = new CompletableFuture<>();
        private final Thread reader;

        Output(Process process) {
            reader = Thread.ofPlatform().daemon().name("service-output").start(() -> {
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        synchronized (text) {
                            text.append(line).append('\n');
                        }
                        Matcher listening = LISTENING.matcher(line);
                        if (listening.find()) {
                            port.complete(Integer.parseInt(listening.group(1)));
                        }
                    }
                } catch (IOException e) {
                    port.completeExceptionally(e);
                }
                port.completeExceptionally(new IllegalStateException("the service exited before it listened"));
            });
        }

        /** All of it, once the service has exited and its output has ended (or after a few seconds). */
        String all() throws InterruptedException {
            reader.join(Duration.ofSeconds(5));
            return text();
        }

        CompletableFuture<Integer> port() {
            return port;
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
