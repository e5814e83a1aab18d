package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * deploy/kubernetes/ offline: every manifest validated against the Kubernetes API schemas (the npm package
 * kubernetes-models, installed here with {@code npm ci} from the committed lock file), then checked against what
 * the service and docs/operations.md need from it. kubernetes-models checks types, formats and required fields
 * but lets unknown fields through, so the checks below also make sure the fields that matter are where they
 * belong (a misspelt {@code readinessProbe} would fail them).
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path MANIFESTS = ROOT.resolve("deploy/kubernetes");
    private static final Path VALIDATOR = MANIFESTS.resolve("validate");
    /** PostgreSQL's default max_connections, less its default superuser_reserved_connections. */
    private static final int POSTGRES_CONNECTIONS = 100 - 3;

    private static List<JsonNode> documents;

    @BeforeAll
    static void validate() throws Exception {
        Assumptions.assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed to validate the Kubernetes "
                + "manifests (Debian: apt-get install nodejs npm)");
        if (!Files.isDirectory(VALIDATOR.resolve("node_modules"))) {
            Run install = run(VALIDATOR, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assertEquals(0, install.exit(), install.output());
        }
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
        try (Stream<Path> files = Stream.concat(Files.list(MANIFESTS), Files.list(MANIFESTS.resolve("migrate-job")))) {
            files.filter(file -> file.toString().endsWith(".yaml")).sorted().forEach(file -> command.add(file.toString()));
        }
        Run validation = run(VALIDATOR, command.toArray(String[]::new));
        assertEquals(0, validation.exit(), validation.output());
        documents = new ArrayList<>();
        Json.mapper().readTree(validation.stdout()).forEach(documents::add);
    }

    @Test
    void everyManifestIsValidAndEachKindIsThere() {
        assertEquals(List.of("Deployment", "HorizontalPodAutoscaler", "Job", "PodDisruptionBudget", "Service"),
                documents.stream().map(d -> d.get("kind").asString()).sorted().toList());
    }

    @Test
    void theValidatorRefusesAManifestTheApiServerWouldRefuse(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(MANIFESTS.resolve("service.yaml"))
                .replace("port: 80", "port: \"eighty\""));
        Run validation = run(VALIDATOR, "node", "validate.mjs", bad.toString());
        assertEquals(1, validation.exit(), validation.output());
        assertTrue(validation.output().contains("(Service reference-service): data/spec/ports/0/port must be integer"),
                validation.output());
    }

    @Test
    void theDeploymentProbesTheHealthEndpointsAndOutwaitsTheDrain() {
        JsonNode pod = kind("Deployment").get("spec").get("template").get("spec");
        JsonNode container = pod.get("containers").get(0);
        assertEquals("/health/live", container.get("livenessProbe").get("httpGet").get("path").asString());
        assertEquals("/health/ready", container.get("readinessProbe").get("httpGet").get("path").asString());
        assertEquals("/health/live", container.get("startupProbe").get("httpGet").get("path").asString());

        Config config = Config.fromEnvironment(environment(container));
        Duration drain = config.shutdownDelay().plus(config.shutdownTimeout());
        assertTrue(config.shutdownDelay().compareTo(Duration.ofSeconds(5)) >= 0, "SHUTDOWN_DELAY covers endpoint removal");
        long grace = pod.get("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > drain.toSeconds(), "terminationGracePeriodSeconds " + grace + " <= SHUTDOWN_DELAY + "
                + "SHUTDOWN_TIMEOUT = " + drain.toSeconds() + " s");

        JsonNode databaseUrl = env(container, "DATABASE_URL");
        assertTrue(databaseUrl.get("valueFrom").has("secretKeyRef"), "DATABASE_URL comes from a Secret");
        assertFalse(databaseUrl.has("value"));
        assertTrue(env(container, "MIGRATION_DATABASE_URL").get("valueFrom").get("secretKeyRef").get("optional")
                .asBoolean());
    }

    @Test
    void theDeploymentRunsAsTheImagesNonRootUserOnAReadOnlyRootFilesystemWithLimits() throws IOException {
        JsonNode pod = kind("Deployment").get("spec").get("template").get("spec");
        JsonNode container = pod.get("containers").get(0);
        assertTrue(pod.get("securityContext").get("runAsNonRoot").asBoolean());
        Matcher user = Pattern.compile("(?m)^USER (\\d+):").matcher(Files.readString(ROOT.resolve("deploy/Dockerfile")));
        assertTrue(user.find());
        assertEquals(user.group(1), pod.get("securityContext").get("runAsUser").asString());
        assertTrue(container.get("securityContext").get("readOnlyRootFilesystem").asBoolean());
        assertFalse(container.get("securityContext").get("allowPrivilegeEscalation").asBoolean());
        assertEquals("/tmp", container.get("volumeMounts").get(0).get("mountPath").asString());
        assertTrue(pod.get("volumes").get(0).has("emptyDir"));
        assertTrue(container.get("resources").get("requests").has("memory"));
        assertTrue(container.get("resources").get("limits").has("memory"));
        assertEquals(8080, container.get("ports").get(0).get("containerPort").asInt(), "the image's PORT");
    }

    @Test
    void theServiceBudgetAndAutoscalerSelectTheDeploymentsPods() {
        JsonNode deployment = kind("Deployment");
        JsonNode labels = deployment.get("spec").get("template").get("metadata").get("labels");
        assertEquals(labels, kind("Service").get("spec").get("selector"));
        assertEquals(labels, kind("PodDisruptionBudget").get("spec").get("selector").get("matchLabels"));
        assertEquals(deployment.get("spec").get("template").get("spec").get("containers").get(0).get("ports").get(0)
                .get("name"), kind("Service").get("spec").get("ports").get(0).get("targetPort"));
        JsonNode target = kind("HorizontalPodAutoscaler").get("spec").get("scaleTargetRef");
        assertEquals("Deployment", target.get("kind").asString());
        assertEquals(deployment.get("metadata").get("name"), target.get("name"));
    }

    @Test
    void atTheAutoscalersMaximumDuringARolloutThePoolsFitPostgresqlsConnections() {
        JsonNode deployment = kind("Deployment");
        Config config = Config.fromEnvironment(environment(
                deployment.get("spec").get("template").get("spec").get("containers").get(0)));
        int pods = kind("HorizontalPodAutoscaler").get("spec").get("maxReplicas").asInt()
                + deployment.get("spec").get("strategy").get("rollingUpdate").get("maxSurge").asInt();
        // A starting pod also holds one connection for its migrations (two while it checks for a pooler).
        int needed = pods * config.database().maxConnections() + 2;
        assertTrue(needed <= POSTGRES_CONNECTIONS, needed + " connections > " + POSTGRES_CONNECTIONS);
    }

    @Test
    void theMigrateJobRunsTheMigrateCommandOnce() {
        JsonNode pod = kind("Job").get("spec").get("template").get("spec");
        assertEquals("Never", pod.get("restartPolicy").asString());
        assertEquals("migrate", pod.get("containers").get(0).get("args").get(0).asString());
        assertTrue(env(pod.get("containers").get(0), "DATABASE_URL").get("valueFrom").has("secretKeyRef"));
    }

    private static JsonNode kind(String kind) {
        return documents.stream().filter(d -> d.get("kind").asString().equals(kind)).findFirst().orElseThrow();
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode variable : container.get("env")) {
            if (variable.get("name").asString().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no " + name + " in " + container.get("env"));
    }

    /** The container's literal environment values, as the server would read them. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new HashMap<>();
        for (JsonNode variable : container.get("env")) {
            if (variable.has("value")) {
                environment.put(variable.get("name").asString(), variable.get("value").asString());
            }
        }
        return environment;
    }

    /** What a command printed: {@code stdout} alone, and {@code output}, stdout then stderr, for messages. */
    private record Run(int exit, String stdout, String output) {}

    private static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
        CompletableFuture<String> stdout = read(process.getInputStream());
        CompletableFuture<String> stderr = read(process.getErrorStream());
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 5 minutes");
        }
        return new Run(process.exitValue(), stdout.join(), stdout.join() + stderr.join());
    }

    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
