package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.AppError;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.testing.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics} of a running server, over real sockets, with a real PostgreSQL behind the pool. */
class MetricsTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final String REQUESTS = "http_server_requests_seconds_count";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Config config(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", "0", "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1", "ACCESS_LOG", "false"));
        environment.putAll(overrides);
        return Config.fromEnvironment(environment);
    }

    private static Router routes(javax.sql.DataSource dataSource) {
        return Router.create()
                .get("/users/{id}", request -> request.path("id").equals("1")
                        ? Response.text("ada")
                        : AppError.notFound("no such user").toResponse())
                .post("/users", request -> Response.status(201))
                .get("/boom", request -> {
                    throw new IllegalStateException("bug");
                })
                .get("/db", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT 41 + 1")) {
                        rows.next();
                        return Response.text(rows.getString(1));
                    }
                })
                .nest("/old", Router.create().fallback(request -> Response.status(301).withHeader("Location", "/new")));
    }

    @Test
    void countsEveryRequestByRouteTemplateMethodStatusOutcomeAndException() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).routes(MetricsTest::routes).start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(server, "GET", "/users/1").statusCode());
            }
            assertEquals(404, send(server, "GET", "/users/2").statusCode());
            assertEquals(404, send(server, "GET", "/users/3").statusCode());
            assertEquals(201, send(server, "POST", "/users").statusCode());
            assertEquals(500, send(server, "GET", "/boom").statusCode());
            assertEquals("42", send(server, "GET", "/db").body());
            for (int i = 0; i < 4; i++) {
                assertEquals(404, send(server, "GET", "/nowhere/" + i).statusCode());
            }
            assertEquals(405, send(server, "DELETE", "/users/1").statusCode());
            assertEquals(301, send(server, "GET", "/old/page").statusCode());
            assertEquals(200, send(server, "GET", "/health/live").statusCode());

            Scrape scrape = scrape(server);

            assertEquals(3, requests(scrape, "GET", "/users/{id}", "200", "SUCCESS", "none"));
            assertEquals(2, requests(scrape, "GET", "/users/{id}", "404", "CLIENT_ERROR", "none"));
            assertEquals(1, requests(scrape, "POST", "/users", "201", "SUCCESS", "none"));
            assertEquals(1, requests(scrape, "GET", "/boom", "500", "SERVER_ERROR", "IllegalStateException"));
            assertEquals(1, requests(scrape, "GET", "/db", "200", "SUCCESS", "none"));
            assertEquals(4, requests(scrape, "GET", "NOT_FOUND", "404", "CLIENT_ERROR", "none"));
            assertEquals(1, requests(scrape, "DELETE", "UNKNOWN", "405", "CLIENT_ERROR", "none"));
            assertEquals(1, requests(scrape, "GET", "REDIRECTION", "301", "REDIRECTION", "none"));
            assertEquals(14, scrape.named(REQUESTS).stream().mapToDouble(Scrape.Sample::value).sum(),
                    "the probes and the scrape itself are outside the stack, and not counted");
            assertEquals(1, scrape.value("http_server_requests_seconds_bucket",
                    Map.of("uri", "/db", "le", "10.0")), "histogram buckets up to 10 s");
            assertEquals(0, scrape.value("http_server_requests_active", Map.of()));
        }
    }

    @Test
    void tenThousandDistinctUnknownPathsCreateNoNewTimeSeries() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).routes(MetricsTest::routes).start()) {
            send(server, "GET", "/unknown/first");
            int series = requestSeries(scrape(server));

            List<CompletableFuture<HttpResponse<Void>>> batch = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                batch.add(client.sendAsync(HttpRequest.newBuilder(uri(server.port(), "/unknown/" + i + "/x" + i)).build(),
                        HttpResponse.BodyHandlers.discarding()));
                if (batch.size() == 32) {
                    for (CompletableFuture<HttpResponse<Void>> response : batch) {
                        assertEquals(404, response.get(60, TimeUnit.SECONDS).statusCode());
                    }
                    batch.clear();
                }
            }
            for (CompletableFuture<HttpResponse<Void>> response : batch) {
                assertEquals(404, response.get(60, TimeUnit.SECONDS).statusCode());
            }

            Scrape after = scrape(server);
            assertEquals(series, requestSeries(after));
            assertEquals(10_001, requests(after, "GET", "NOT_FOUND", "404", "CLIENT_ERROR", "none"));
        }
    }

    @Test
    void countsRequestsInFlightAndThoseShedByTheConcurrencyLimit() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BackendServer server = BackendServer.builder().config(config(Map.of("MAX_IN_FLIGHT", "1")))
                .routes(dataSource -> Router.create().get("/busy", request -> {
                    entered.countDown();
                    release.await(60, TimeUnit.SECONDS);
                    return Response.text("done");
                }))
                .start()) {
            CompletableFuture<HttpResponse<String>> busy = client.sendAsync(
                    HttpRequest.newBuilder(uri(server.port(), "/busy")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(30, TimeUnit.SECONDS));

            assertEquals(503, send(server, "GET", "/busy").statusCode(), "the one slot is taken");
            Scrape during = scrape(server);
            assertEquals(1, during.value("http_server_requests_active", Map.of()));
            assertEquals(1, during.value("http_server_requests_rejected_total", Map.of("reason", "load_shed")));
            assertEquals(1, requests(during, "GET", "UNKNOWN", "503", "SERVER_ERROR", "none"), "shed before routing");
            release.countDown();
            assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());

            Scrape after = scrape(server);
            assertEquals(0, after.value("http_server_requests_active", Map.of()));
            assertEquals(1, requests(after, "GET", "/busy", "200", "SUCCESS", "none"));
            assertEquals(0, after.value("http_server_requests_rejected_total", Map.of("reason", "timeout")));
        }
    }

    @Test
    void countsRequestsTimedOutAndRefusedByTheBodyLimit() throws Exception {
        Config config = config(Map.of("REQUEST_TIMEOUT", "200ms", "BODY_LIMIT", "10"));
        try (BackendServer server = BackendServer.builder().config(config)
                .routes(dataSource -> Router.create()
                        .get("/slow", request -> {
                            Thread.sleep(60_000);
                            return Response.text("never");
                        })
                        .post("/upload", request -> Response.text(request.bodyText())))
                .start()) {
            int timedOut = send(server, "GET", "/slow").statusCode();
            assertTrue(timedOut == 408 || timedOut == 503 || timedOut == 504, "timeout answered " + timedOut);
            HttpResponse<String> tooLarge = client.send(HttpRequest.newBuilder(uri(server.port(), "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, tooLarge.statusCode());

            Scrape after = scrape(server);
            assertEquals(0, after.value("http_server_requests_rejected_total", Map.of("reason", "load_shed")));
            assertEquals(1, after.value("http_server_requests_rejected_total", Map.of("reason", "timeout")));
            assertEquals(1, after.value("http_server_requests_rejected_total", Map.of("reason", "body_limit")));
            assertEquals(1, requests(after, "GET", "/slow", Integer.toString(timedOut), HttpMetrics.outcome(timedOut),
                    "none"), "a timeout keeps its route");
            assertEquals(1, requests(after, "POST", "UNKNOWN", "413", "CLIENT_ERROR", "none"),
                    "a declared length over the limit is refused before routing");
        }
    }

    @Test
    void servesThePoolJvmAndProcessMetricsToo() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).routes(MetricsTest::routes).start()) {
            send(server, "GET", "/db");

            // The JVM meters are bound aside after the start, the virtual-thread scheduler's last.
            Scrape scrape = scrape(server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!scrape.has("jvm_threads_virtual_live_threads") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                scrape = scrape(server);
            }

            for (String name : List.of("hikaricp_connections_active", "hikaricp_connections_idle",
                    "hikaricp_connections_pending", "hikaricp_connections_max", "hikaricp_connections_timeout_total",
                    "hikaricp_connections_acquire_seconds_count", "hikaricp_connections_usage_seconds_count")) {
                assertEquals("db", scrape.named(name).getFirst().labels().get("pool"), name);
            }
            assertEquals(2, scrape.value("hikaricp_connections_max", Map.of("pool", "db")));
            for (String name : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_threads_live_threads", "jvm_classes_loaded_classes", "jvm_info", "process_cpu_usage",
                    "system_cpu_count", "process_uptime_seconds", "process_start_time_seconds")) {
                assertTrue(scrape.has(name), name);
            }
            assertTrue(scrape.value("process_uptime_seconds", Map.of()) > 0);
            for (String name : List.of("jvm_threads_virtual_parallelism", "jvm_threads_virtual_pool_size_threads")) {
                assertTrue(scrape.value(name, Map.of()) >= 1, name);
            }
            assertTrue(scrape.value("jvm_threads_virtual_live_threads", Map.of("scheduling_status", "mounted")) >= 1,
                    "the request scraping is one");
            assertTrue(scrape.value("jvm_threads_virtual_live_threads", Map.of("scheduling_status", "queued")) >= 0);
        }
    }

    @Test
    void answersInOpenMetricsWhenTheScraperAsksAndGzipWhenItAccepts() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).start()) {
            HttpResponse<String> text = client.send(HttpRequest.newBuilder(uri(server.port(), "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElseThrow());
            assertFalse(text.body().contains("# EOF"));

            HttpResponse<byte[]> open = client.send(HttpRequest.newBuilder(uri(server.port(), "/metrics"))
                    .header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4")
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                    open.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("gzip", open.headers().firstValue("Content-Encoding").orElseThrow());
            String body;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(open.body()))) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(body.endsWith("# EOF\n"), body.substring(Math.max(0, body.length() - 100)));
            assertTrue(body.contains("# TYPE http_server_requests_rejected counter"), "OpenMetrics names counters bare");
        }
    }

    @Test
    void metricsFalseRegistersNothingAndLeavesMetricsToTheApplication() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of("METRICS", "false")))
                .routes(dataSource -> Router.create().get("/metrics", request -> Response.text("the application's")))
                .start()) {
            assertEquals("the application's", send(server, "GET", "/metrics").body());
            assertTrue(server.meterRegistry().isEmpty());
        }
    }

    @Test
    void metricsPortServesOnlyMetricsOnAListenerOfItsOwn() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Map.of("METRICS_PORT", "0")))
                .routes(MetricsTest::routes).start()) {
            int metricsPort = server.metricsPort().orElseThrow();
            send(server, "GET", "/users/1");

            assertEquals(404, send(server, "GET", "/metrics").statusCode(), "not on the public port");
            HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri(metricsPort, "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertEquals(1, requests(Scrape.parse(scrape.body()), "GET", "/users/{id}", "200", "SUCCESS", "none"));
            assertEquals(404, client.send(HttpRequest.newBuilder(uri(metricsPort, "/users/1")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "and nothing else on the metrics port");
        }
    }

    @Test
    void anEmbeddersPrometheusRegistryCarriesItsOwnMetricsNextToTheServersAndStaysOpen() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter orders = Counter.builder("orders.placed").register(registry);
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).meterRegistry(registry)
                .routes(dataSource -> Router.create().post("/orders", request -> {
                    orders.increment();
                    return Response.status(201);
                }))
                .start()) {
            assertEquals(registry, server.meterRegistry().orElseThrow());
            send(server, "POST", "/orders");

            Scrape scrape = scrape(server);
            assertEquals(1, scrape.value("orders_placed_total", Map.of()));
            assertEquals(1, requests(scrape, "POST", "/orders", "201", "SUCCESS", "none"));
        }
        assertFalse(registry.isClosed(), "the application's registry is the application's to close");
        registry.close();
    }

    @Test
    void anEmbedderExportingAnotherWayGetsTheMetersButNoEndpoint() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (BackendServer server = BackendServer.builder().config(config(Map.of())).meterRegistry(registry)
                .routes(MetricsTest::routes).start()) {
            send(server, "GET", "/users/1");

            assertEquals(404, send(server, "GET", "/metrics").statusCode());
            assertEquals(1, registry.get(HttpMetrics.REQUESTS).tag("uri", "/users/{id}").timer().count());
        }
    }

    @Test
    void theHandlerForTestsInProcessCountsOnTheRegistryTheApplicationGave() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TestClient inProcess = TestClient.of(BackendServer.builder().config(config(Map.of())).meterRegistry(registry)
                .routes(MetricsTest::routes).handler(DB.dataSource()));

        assertEquals(200, inProcess.get("/users/1").status());

        Scrape scrape = Scrape.parse(inProcess.get("/metrics").text());
        assertEquals(1, requests(scrape, "GET", "/users/{id}", "200", "SUCCESS", "none"));
        registry.close();
    }

    private static double requests(Scrape scrape, String method, String uri, String status, String outcome,
            String exception) {
        return scrape.value(REQUESTS, Map.of("method", method, "uri", uri, "status", status, "outcome", outcome,
                "exception", exception));
    }

    private static int requestSeries(Scrape scrape) {
        return (int) scrape.samples().stream().filter(s -> s.name().startsWith("http_server_requests_seconds")).count();
    }

    private Scrape scrape(BackendServer server) throws IOException, InterruptedException {
        HttpResponse<String> response = send(server, "GET", "/metrics");
        assertEquals(200, response.statusCode(), response.body());
        return Scrape.parse(response.body());
    }

    private HttpResponse<String> send(BackendServer server, String method, String path)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(server.port(), path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
