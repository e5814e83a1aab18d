package dev.backend.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in its own JVM, with its output (stdout and stderr merged) collected line by line. Public, in the test
 * jar, for reference-service's tests of its runnable jar.
 */
public final class ServerProcess implements AutoCloseable {

    /** The start-up line, in text or JSON (where slashes may be escaped). */
    private static final Pattern LISTENING = Pattern.compile("Listening on http:(?:\\\\?/){2}[^:]+:(\\d+) ");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ServerProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("server-output").start(() -> {
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

    /** {@code java -jar jar [arguments]}, with exactly {@code environment} (plus PATH). */
    public static ServerProcess jar(Path jar, Map<String, String> environment, String... arguments)
            throws IOException {
        return jar(jar, List.of(), environment, arguments);
    }

    /** {@code java [jvmOptions] -jar jar [arguments]}, with exactly {@code environment} (plus PATH). */
    public static ServerProcess jar(Path jar, List<String> jvmOptions, Map<String, String> environment,
            String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(arguments));
        return start(command, environment);
    }

    /** {@code java -cp <the test class path> mainClass}, with exactly {@code environment} (plus PATH). */
    public static ServerProcess main(Class<?> mainClass, Map<String, String> environment) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return start(List.of(java(), "-cp", classPath, mainClass.getName()), environment);
    }

    /** {@code command}, with exactly {@code environment} (plus PATH). */
    public static ServerProcess command(List<String> command, Map<String, String> environment) throws IOException {
        return start(command, environment);
    }

    private static ServerProcess start(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(environment);
        return new ServerProcess(builder.start());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits for the start-up line and returns the port it names. */
    public int awaitPort() throws InterruptedException {
        Matcher matcher = LISTENING.matcher(awaitLine(LISTENING.pattern()));
        if (!matcher.find()) {
            throw new AssertionError("no port in the start-up line");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Waits up to 60 s for a line containing a match of {@code regex}. */
    public String awaitLine(String regex) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            for (int seen = 0; ; ) {
                for (; seen < lines.size(); seen++) {
                    if (pattern.matcher(lines.get(seen)).find()) {
                        return lines.get(seen);
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || ended) {
                    throw new AssertionError("no line matching " + regex + " in:\n" + String.join("\n", lines));
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits up to 60 s for the process to exit and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after 60 s:\n" + output());
        }
        return process.exitValue();
    }

    public Process process() {
        return process;
    }

    /** Everything printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Stops a server a failed test left running, gracefully first so embedded PostgreSQL stops too. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
