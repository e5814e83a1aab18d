package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.ServerProcess;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The jar with the OpenTelemetry Java agent attached, exporting spans as OTLP JSON lines ({@code
 * otel.traces.exporter=logging-otlp}): one JVM, one request, so the agent's slow start is paid once.
 */
class OpenTelemetryAgentIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final int SERVER = 2;
    private static final int CLIENT = 3;

    private static Path agent() {
        return Path.of(System.getProperty("opentelemetry.javaagent.jar", "target/otel/opentelemetry-javaagent.jar"));
    }

    private static Path jar() {
        return Path.of(System.getProperty("reference.service.jar", "target/reference-service.jar"));
    }

    @Test
    void aRequestIsOneServerSpanNamedAfterItsRouteWithTheQueryAsAJdbcChildAndTheLogsCarryItsIds() throws Exception {
        assertTrue(Files.isRegularFile(agent()), "the build downloads the agent to " + agent());
        List<String> jvm = List.of("-javaagent:" + agent(), "-Dotel.service.name=reference-service",
                "-Dotel.traces.exporter=logging-otlp", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
                "-Dotel.bsp.schedule.delay=100");
        try (ServerProcess server = ServerProcess.jar(jar(), jvm, Map.of("DATABASE_URL", DB.url(), "PORT", "0"))) {
            int port = server.awaitPort();
            String path = "/api/v1/users/" + UUID.randomUUID();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path))
                    .header("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), response.body());

            List<JsonNode> spans = awaitSpans(server);
            List<JsonNode> serverSpans = spans.stream().filter(s -> s.get("kind").asInt() == SERVER).toList();
            assertEquals(1, serverSpans.size(), spans.toString());
            JsonNode span = serverSpans.getFirst();
            assertEquals("GET /api/v1/users/{id}", span.get("name").asString());
            assertEquals(Optional.of("/api/v1/users/{id}"), attribute(span, "http.route"));
            assertEquals(Optional.of("404"), attribute(span, "http.response.status_code"));
            assertEquals(CALLER_SPAN, span.get("parentSpanId").asString(), "the caller's span is the parent");
            String spanId = span.get("spanId").asString();

            List<JsonNode> queries = spans.stream().filter(s -> s.get("kind").asInt() == CLIENT
                    && spanId.equals(s.path("parentSpanId").asString())
                    && attribute(s, "db.statement").orElse("").contains("FROM users")).toList();
            assertEquals(1, queries.size(), "one JDBC child span for the lookup: " + spans);

            assertEquals("00-" + CALLER_TRACE + "-" + spanId + "-01", response.headers().firstValue("traceparent")
                    .orElseThrow(), "the response names the agent's span");
            String access = server.awaitLine("dev\\.backend\\.access .*path=" + path);
            assertTrue(access.contains(" trace_id=" + CALLER_TRACE + " span_id=" + spanId + " "), access);
        }
    }

    /** Every span of the caller's trace exported so far, once the server span and a child have come (60 s at most). */
    private static List<JsonNode> awaitSpans(ServerProcess server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<JsonNode> spans = List.of();
        while (System.nanoTime() < deadline) {
            spans = spans(server.lines());
            boolean serverSpan = spans.stream().anyMatch(s -> s.get("kind").asInt() == SERVER);
            if (serverSpan && spans.stream().anyMatch(s -> s.has("parentSpanId")
                    && !CALLER_SPAN.equals(s.get("parentSpanId").asString()))) {
                return spans;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no server span with a child in 60 s:\n" + server.output());
    }

    private static List<JsonNode> spans(List<String> lines) {
        List<JsonNode> spans = new ArrayList<>();
        for (String line : lines) {
            int json = line.indexOf("{\"resource\"");
            if (!line.contains("OtlpJsonLoggingSpanExporter") || json < 0) {
                continue;
            }
            JsonNode export;
            try {
                export = Json.mapper().readTree(line.substring(json));
            } catch (JacksonException torn) {
                // The server's standard error shares the test's pipe with its standard output, and a pipe keeps
                // only writes of up to 4 KB whole, so another write can land inside a long export line (one such
                // torn line failed a full run once). It is skipped; the wait goes on for whole ones.
                continue;
            }
            for (JsonNode scope : export.get("scopeSpans")) {
                for (JsonNode span : scope.get("spans")) {
                    if (span.get("traceId").asString().equals(CALLER_TRACE)) {
                        spans.add(span);
                    }
                }
            }
        }
        assertFalse(spans.stream().anyMatch(s -> !s.has("kind")), "every span has a kind");
        return spans;
    }

    private static Optional<String> attribute(JsonNode span, String key) {
        for (JsonNode attribute : span.get("attributes")) {
            if (attribute.get("key").asString().equals(key)) {
                JsonNode value = attribute.get("value");
                return Optional.of(value.has("stringValue") ? value.get("stringValue").asString()
                        : value.get("intValue").asString());
            }
        }
        return Optional.empty();
    }
}
