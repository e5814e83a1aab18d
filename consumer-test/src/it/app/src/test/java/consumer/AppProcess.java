package consumer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The application in a JVM of its own, started the way its users start it: the built jar, the runtime class
 * path Maven gives it (plus whatever a run adds, such as a logging backend), and only the given environment.
 */
final class AppProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private AppProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("app-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        });
    }

    /** The built application jar. */
    static Path appJar() {
        return Path.of(System.getProperty("app.jar"));
    }

    /** The runtime class path Maven resolved for the application, without the application itself. */
    static List<Path> runtimeClassPath() {
        try {
            String text = Files.readString(Path.of(System.getProperty("app.runtime.classpath"))).strip();
            return text.isEmpty() ? List.of() : Stream.of(text.split(":")).map(Path::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jars of an SLF4J backend copied for these tests: {@code simple} or {@code logback}. */
    static List<Path> backend(String name) {
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("app.backends"), name))) {
            return jars.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code java -cp app.jar:<runtime class path>:<extra> consumer.App}. */
    static AppProcess onClassPath(List<Path> extra, Map<String, String> environment) throws IOException {
        return start(List.of("-cp", path(extra), "consumer.App"), environment);
    }

    /** {@code java -p app.jar:<runtime class path>:<extra> -m consumer/consumer.App}. */
    static AppProcess onModulePath(List<Path> extra, Map<String, String> environment) throws IOException {
        return start(List.of("-p", path(extra), "-m", "consumer/consumer.App"), environment);
    }

    private static String path(List<Path> extra) {
        List<Path> entries = new ArrayList<>(List.of(appJar()));
        entries.addAll(runtimeClassPath());
        entries.addAll(extra);
        return String.join(":", entries.stream().map(Path::toString).toList());
    }

    private static AppProcess start(List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(environment);
        return new AppProcess(builder.start());
    }

    /** A port nobody listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits up to 60 s for a line containing {@code text}. */
    String awaitLine(String text) throws InterruptedException {
        return await(line -> line.contains(text), "a line containing " + text);
    }

    private String await(Predicate<String> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            for (int seen = 0; ; ) {
                for (; seen < lines.size(); seen++) {
                    if (wanted.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || ended) {
                    throw new AssertionError("no " + what + " in:\n" + output());
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    /** Waits up to 60 s for the process to exit and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after 60 s:\n" + output());
        }
        return process.exitValue();
    }

    /** Every line printed so far, standard output and standard error merged. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return send(port, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)));
    }

    static HttpResponse<String> postJson(int port, String path, String json) throws IOException, InterruptedException {
        return send(port, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> send(int port, HttpRequest.Builder request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops the application with SIGTERM, as an orchestrator would, and waits for it. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
