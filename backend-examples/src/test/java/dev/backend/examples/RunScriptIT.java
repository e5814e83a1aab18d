package dev.backend.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.examples.hello.Hello;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code backend-examples/run} as a user runs it: the class path it prints (which the peers benchmark also
 * uses) and the hello example started on exactly that class path.
 */
class RunScriptIT {

    private static List<String> classPath;

    @BeforeAll
    static void printTheClassPath() throws Exception {
        Process run = new ProcessBuilder(Path.of("run").toAbsolutePath().toString(), "--classpath")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // It builds what it needs first: generous for a loaded machine, though it is seconds when up to date.
        assertTrue(run.waitFor(10, TimeUnit.MINUTES), "run --classpath did not finish");
        assertEquals(0, run.exitValue(), output);
        classPath = Arrays.asList(output.strip().lines().reduce((first, last) -> last).orElseThrow().split(":"));
    }

    @Test
    void theClassPathHoldsTheRuntimeDependenciesAndNoTestJars() {
        assertTrue(has("backend-server-"), String.join("\n", classPath));
        assertTrue(has("backend-http-"), String.join("\n", classPath));
        assertTrue(has("backend-embedded-postgres-"), String.join("\n", classPath));
        assertTrue(has("logback-classic-"), String.join("\n", classPath));
        for (String testOnly : List.of("junit-", "backend-testing-", "testcontainers-", "backend-core-0.1.0-SNAPSHOT-tests",
                "opentest4j-")) {
            assertFalse(has(testOnly), testOnly + " is a test dependency:\n" + String.join("\n", classPath));
        }
    }

    @Test
    void helloRunsOnBackendHttpWhichBackendServerPutsOnThatClassPath() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(":", classPath), "dev.backend.examples.hello.Hello")
                .redirectErrorStream(true);
        builder.environment().put("PORT", "0");
        Process hello = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(hello.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher started = Pattern.compile("Hello listening on port (\\d+) \\((.*)\\)").matcher(String.valueOf(line));
            assertTrue(started.matches(), line);
            assertTrue(started.group(2).startsWith("dev.backend.http."), line);
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + started.group(1) + "/hello/you")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("Hello, you!", response.body());
        } finally {
            hello.destroy();
            hello.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void helloOnAPortInUseSaysSoInOneLineNamingThePortAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", String.join(":", classPath), "dev.backend.examples.hello.Hello")
                    .redirectErrorStream(true);
            builder.environment().put("PORT", Integer.toString(taken.getLocalPort()));
            Process hello = builder.start();
            String output = new String(hello.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertTrue(hello.waitFor(60, TimeUnit.SECONDS), output);
            assertEquals(1, hello.exitValue(), output);
            assertEquals(Hello.portInUse(taken.getLocalPort()), output.strip());
            assertTrue(output.contains("PORT="), output);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "dev.backend.examples.hello.Hello, abc", "dev.backend.examples.hello.Hello, 70000",
            "dev.backend.examples.hello.Hello, -0",
            "dev.backend.examples.apikey.ApiKeyExample, abc", "dev.backend.examples.apikey.ApiKeyExample, +8080",
    })
    void anExampleOnAPortThatIsNotOneSaysSoInOneLineAndExits2(String main, String port) throws Exception {
        // Integer.parseInt gave a stack trace for abc and 70000, any free port for -0 and port 8080 for +8080.
        // (The output's encoding is the platform's, so the non-ASCII cases are HelloTest's.)
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(":", classPath), main)
                .redirectErrorStream(true);
        builder.environment().put("PORT", port);
        Process example = builder.start();
        // An example that took the value would listen until stopped: wait for the exit first, then read.
        boolean exited = example.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            example.destroy();
        }
        String output = new String(example.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertTrue(exited, "still running, " + output);
        assertEquals(Hello.INVALID_CONFIGURATION, example.exitValue(), output);
        assertEquals(assertThrows(IllegalArgumentException.class, () -> Hello.port(Map.of("PORT", port))).getMessage(),
                output.strip());
    }

    private static boolean has(String jarPrefix) {
        return classPath.stream().map(entry -> Path.of(entry).getFileName().toString()).anyMatch(n -> n.startsWith(jarPrefix));
    }
}
