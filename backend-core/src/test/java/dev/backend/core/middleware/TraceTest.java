package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.MDC;

class TraceTest {

    private static final Handler OK = request -> Response.text("ok");

    @Test
    void generatesARequestIdAndEchoesItInTheResponse() {
        TestResponse response = TestClient.of(Trace.create().wrap(OK)).get("/");

        String id = response.header("X-Request-Id").orElseThrow();
        assertEquals(id, UUID.fromString(id).toString());
        assertEquals(4, UUID.fromString(id).version());
    }

    @Test
    void generatesADifferentIdForEachRequest() {
        TestClient client = TestClient.of(Trace.create().wrap(OK));

        assertNotEquals(client.get("/").header("X-Request-Id"), client.get("/").header("X-Request-Id"));
    }

    @Test
    void keepsASaneIdFromTheClient() {
        TestClient client = TestClient.of(Trace.create().wrap(OK));

        for (String id : List.of("abc-123", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a:b/c+d=e@f_g.h",
                "x".repeat(Trace.MAX_ID_LENGTH))) {
            assertEquals(id, client.send(Request.builder("GET", "/").header("X-Request-Id", id))
                    .header("X-Request-Id").orElseThrow());
        }
    }

    @Test
    void replacesAnIdThatIsTooLongOrCouldForgeLogLines() {
        TestClient client = TestClient.of(Trace.create().wrap(OK));

        for (String id : List.of("", "x".repeat(Trace.MAX_ID_LENGTH + 1), "has space", "quote\"", "tab\t",
                "brace{}", "é")) {
            String echoed = client.send(Request.builder("GET", "/").header("X-Request-Id", id))
                    .header("X-Request-Id").orElseThrow();
            assertNotEquals(id, echoed);
            assertEquals(echoed, UUID.fromString(echoed).toString());
        }
    }

    /** Two ids are ambiguous (a forged one in front of the proxy's, say), as two traceparent headers are. */
    @Test
    void replacesTwoIdsWithAFreshOne() {
        TestClient client = TestClient.of(Trace.create().wrap(OK));

        String echoed = client.send(Request.builder("GET", "/").header("X-Request-Id", "from-client")
                .header("X-Request-Id", "from-proxy")).header("X-Request-Id").orElseThrow();

        assertEquals(echoed, UUID.fromString(echoed).toString());
    }

    @Test
    void putsTheIdInTheMdcWhileTheHandlerRunsAndRemovesItAfter() {
        AtomicReference<String> seen = new AtomicReference<>();
        Handler app = Trace.create().wrap(request -> {
            seen.set(MDC.get(Trace.MDC_KEY));
            return Response.noContent();
        });

        TestResponse response = TestClient.of(app).get("/");

        assertEquals(response.header("X-Request-Id").orElseThrow(), seen.get());
        assertNull(MDC.get(Trace.MDC_KEY));
    }

    @Test
    void restoresAnOuterIdWhenNested() {
        MDC.put(Trace.MDC_KEY, "outer");
        try {
            TestClient.of(Trace.create().wrap(OK)).get("/");
            assertEquals("outer", MDC.get(Trace.MDC_KEY));
        } finally {
            MDC.remove(Trace.MDC_KEY);
        }
    }

    @Test
    void restoresOuterTraceIdsSetWithoutARequestId() {
        // As a tracer's own MDC integration may leave them: only the trace and span ids.
        MDC.put(Trace.TRACE_ID_MDC_KEY, "outer-trace");
        MDC.put(Trace.SPAN_ID_MDC_KEY, "outer-span");
        try {
            TestClient.of(Trace.create().wrap(OK)).get("/");
            assertNull(MDC.get(Trace.MDC_KEY));
            assertEquals("outer-trace", MDC.get(Trace.TRACE_ID_MDC_KEY));
            assertEquals("outer-span", MDC.get(Trace.SPAN_ID_MDC_KEY));
        } finally {
            MDC.remove(Trace.TRACE_ID_MDC_KEY);
            MDC.remove(Trace.SPAN_ID_MDC_KEY);
        }
    }

    @Test
    void logsOneAccessLineWithMethodPathStatusBytesAndLatency() {
        Handler app = Trace.create().wrap(Router.create().get("/users/{id}", OK).build());
        try (LogCapture logs = new LogCapture()) {
            TestResponse response = TestClient.of(app).get("/users/42?token=secret");

            List<ILoggingEvent> lines = logs.events(Trace.ACCESS_LOGGER, Level.INFO);
            assertEquals(1, lines.size());
            String line = lines.getFirst().getFormattedMessage();
            assertTrue(line.matches("method=GET path=/users/42 status=200 bytes=2 latency_ms=\\d+\\.\\d{3}"), line);
            assertFalse(line.contains("secret"));
            assertEquals(response.header("X-Request-Id").orElseThrow(), lines.getFirst().getMDCPropertyMap().get(Trace.MDC_KEY));
        }
    }

    @Test
    void theLatencyIsInMillisecondsWithThreeDecimalsAndTheMicrosecondsZeroPadded() {
        Request request = Request.builder("GET", "/x").build();
        Response ok = Response.text("ok");

        assertEquals("method=GET path=/x status=200 bytes=2 latency_ms=0.000", Trace.line(request, ok, 999));
        assertEquals("method=GET path=/x status=200 bytes=2 latency_ms=0.007", Trace.line(request, ok, 7_999));
        assertEquals("method=GET path=/x status=200 bytes=2 latency_ms=0.042", Trace.line(request, ok, 42_000));
        assertEquals("method=GET path=/x status=200 bytes=2 latency_ms=1.500", Trace.line(request, ok, 1_500_000));
        assertEquals("method=GET path=/x status=200 bytes=2 latency_ms=12345.678",
                Trace.line(request, ok, 12_345_678_000L));
    }

    @Test
    void aPathLongerThan256CharactersIsLoggedCutWithAnEllipsis() {
        String path = "/" + "a".repeat(300);

        String line = Trace.line(Request.builder("GET", path).build(), Response.status(404), 0);

        assertTrue(line.startsWith("method=GET path=" + path.substring(0, 256) + "... status=404 "), line);
    }

    @Test
    void logsErrorStatusesAndZeroBytesForHead() {
        Handler app = Trace.create().wrap(Router.create().get("/x", OK).build());
        try (LogCapture logs = new LogCapture()) {
            TestClient client = TestClient.of(app);
            client.get("/missing");
            client.head("/x");

            List<String> lines = logs.events(Trace.ACCESS_LOGGER, Level.INFO).stream()
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(lines.get(0).startsWith("method=GET path=/missing status=404 bytes="), lines.get(0));
            assertTrue(lines.get(1).startsWith("method=HEAD path=/x status=200 bytes=0 "), lines.get(1));
        }
    }

    @Test
    void logsAnUnknownLengthAsADash() {
        Handler app = Trace.create().wrap(r -> Response.stream(200, "text/plain", -1, out -> out.write(1)));
        try (LogCapture logs = new LogCapture()) {
            TestClient.of(app).get("/");

            assertTrue(logs.events(Trace.ACCESS_LOGGER, Level.INFO).getFirst().getFormattedMessage().contains(" bytes=- "));
        }
    }

    @Test
    void errorsLoggedBelowCarryTheRequestId() {
        Handler app = Trace.create().wrap(request -> {
            throw new IllegalStateException("boom");
        });
        try (LogCapture logs = new LogCapture()) {
            TestResponse response = TestClient.of(app).get("/");

            assertEquals(500, response.status());
            List<ILoggingEvent> errors = logs.errors();
            assertEquals(1, errors.size());
            assertEquals(response.header("X-Request-Id").orElseThrow(), errors.getFirst().getMDCPropertyMap().get(Trace.MDC_KEY));
        }
    }

    @Test
    void streamedBodiesAreWrittenWithTheIdInTheMdc() {
        AtomicReference<String> seen = new AtomicReference<>();
        Handler app = Trace.create().wrap(request -> Response.stream(200, "text/plain", -1, out -> {
            seen.set(MDC.get(Trace.MDC_KEY));
            out.write("streamed".getBytes(StandardCharsets.UTF_8));
        }));

        TestResponse response = TestClient.of(app).get("/");

        assertEquals("streamed", response.text());
        assertEquals(response.header("X-Request-Id").orElseThrow(), seen.get());
        assertNull(MDC.get(Trace.MDC_KEY));
    }

    @Test
    void accessLogCanBeTurnedOffWhileIdsRemain() {
        Handler app = Trace.of(Trace.Config.defaults().withAccessLog(false)).wrap(OK);
        try (LogCapture logs = new LogCapture()) {
            TestResponse response = TestClient.of(app).get("/");

            assertTrue(response.header("X-Request-Id").isPresent());
            assertTrue(logs.events(Trace.ACCESS_LOGGER, Level.TRACE).isEmpty());
        }
    }

    @Test
    void usesAConfiguredHeader() {
        Handler app = Trace.of(Trace.Config.defaults().withHeader("X-Correlation-Id")).wrap(OK);

        TestResponse response = TestClient.of(app).send(Request.builder("GET", "/").header("X-Correlation-Id", "c-1"));

        assertEquals("c-1", response.header("X-Correlation-Id").orElseThrow());
        assertTrue(response.header("X-Request-Id").isEmpty());
    }

    @Test
    void anIdHeaderNamedTraceparentStillAnswersWithOneTraceparent() {
        // W3C Trace Context §3.2: a message with more than one traceparent is invalid. As before the two headers
        // were added in one copy, the trace context's value is the one that stays.
        for (String header : List.of("traceparent", "TraceParent")) {
            Handler app = Trace.of(Trace.Config.defaults().withHeader(header)).wrap(OK);

            TestResponse response = TestClient.of(app).send(Request.builder("GET", "/"));

            List<String> values = response.headers("traceparent");
            assertEquals(1, values.size(), values.toString());
            assertTrue(values.getFirst().startsWith("00-"), values.toString());
        }
    }

    @Test
    void rejectsAFieldThatFramesTheMessageOrControlsTheConnectionAsTheIdHeader() {
        for (String header : List.of("Connection", "connection", "Content-Length", "Host", "Keep-Alive",
                "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "UPGRADE")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trace.Config.defaults().withHeader(header), header);
            assertTrue(e.getMessage().contains("controls the connection"), e.getMessage());
        }
    }

    /** Break test 13: with Content-Type as the id's header, every answer's media type was the request id. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Content-Type | it is representation metadata (RFC 9110 section 8.3)",
        "content-encoding | it is representation metadata (RFC 9110 section 8.4)",
        "Content-Language | it is representation metadata (RFC 9110 section 8.5)",
        "Content-Location | it is representation metadata (RFC 9110 section 8.7)",
        "Content-Range | it is representation metadata (RFC 9110 section 14.4)",
        "ETag | it is representation metadata (RFC 9110 section 8.8.3)",
        "Last-Modified | it is representation metadata (RFC 9110 section 8.8.2)",
        "Date | it is the message's origination date (RFC 9110 section 6.6.1)",
        "Location | it is response context (RFC 9110 section 10.2)",
        "Retry-After | it is response context (RFC 9110 section 10.2)",
        "Authorization | it carries authentication (RFC 9110 section 11)",
        "WWW-Authenticate | it carries authentication (RFC 9110 section 11)",
        "Vary | it negotiates the content (RFC 9110 section 12.5)",
        "Accept-Encoding | it negotiates the content (RFC 9110 section 12.5)",
        "Range | it asks for or offers ranges (RFC 9110 section 14)",
        "If-None-Match | it makes the request conditional (RFC 9110 section 13.1)",
        "Cache-Control | it controls caching (RFC 9111 section 5)",
        "Set-Cookie | it carries cookies (RFC 6265 section 4)",
        "Cookie | it carries cookies (RFC 6265 section 4)",
        "Origin | it names the requesting origin (RFC 6454 section 7)",
        "Access-Control-Allow-Origin | it belongs to the CORS protocol (Fetch standard, CORS protocol)",
        "Sec-Fetch-Site | browsers set it themselves (Fetch standard, forbidden request-header)",
        "tracestate | it is W3C Trace Context's (Trace Context section 3.3)",
        "X-Content-Type-Options | browsers enforce it (Fetch standard)",
    })
    void rejectsAFieldWhoseMeaningAStandardDefinesNamingTheStandard(String header, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trace.Config.defaults().withHeader(header));

        assertEquals("header: '" + header + "' cannot carry the request id: " + reason + "; the id would replace it"
                + " in every response and be read from it in every request. Use a field of its own, such as"
                + " X-Request-Id", e.getMessage());
    }

    @Test
    void acceptsTheIdFieldsInUse() {
        for (String header : List.of("X-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Trace-Id",
                "traceparent", "Content-Id-X", "Sec", "Dated")) {
            assertEquals(header, Trace.Config.defaults().withHeader(header).header());
        }
    }

    @Test
    void rejectsAHeaderNameThatIsNotAToken() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trace.Config.defaults().withHeader("X Request Id"));

        assertTrue(e.getMessage().startsWith("header:"), e.getMessage());
    }

    @Test
    void continuesTheCallersTraceAndAnswersWithItsOwnSpanInTraceparent() {
        AtomicReference<TraceContext> attribute = new AtomicReference<>();
        AtomicReference<String> traceId = new AtomicReference<>();
        AtomicReference<String> spanId = new AtomicReference<>();
        Handler app = Trace.create().wrap(request -> {
            attribute.set(request.attribute(TraceContext.KEY).orElseThrow());
            traceId.set(MDC.get(Trace.TRACE_ID_MDC_KEY));
            spanId.set(MDC.get(Trace.SPAN_ID_MDC_KEY));
            return Response.noContent();
        });

        TestResponse response = TestClient.of(app).send(Request.builder("GET", "/")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .header("tracestate", "congo=t61rcWkgMzE"));

        TraceContext context = attribute.get();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", context.traceId());
        assertEquals("congo=t61rcWkgMzE", context.traceState());
        assertEquals(context.traceId(), traceId.get());
        assertEquals(context.spanId(), spanId.get());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + context.spanId() + "-01",
                response.header("traceparent").orElseThrow());
        assertNull(MDC.get(Trace.TRACE_ID_MDC_KEY));
        assertNull(MDC.get(Trace.SPAN_ID_MDC_KEY));
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceThatTheAccessLogAndErrorsCarry() {
        Handler app = Trace.create().wrap(request -> {
            throw new IllegalStateException("boom");
        });
        try (LogCapture logs = new LogCapture()) {
            TestResponse response = TestClient.of(app).get("/");

            String traceparent = response.header("traceparent").orElseThrow();
            assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), traceparent);
            for (ILoggingEvent event : List.of(logs.errors().getFirst(),
                    logs.events(Trace.ACCESS_LOGGER, Level.INFO).getFirst())) {
                assertEquals(traceparent.substring(3, 35), event.getMDCPropertyMap().get(Trace.TRACE_ID_MDC_KEY));
                assertEquals(traceparent.substring(36, 52), event.getMDCPropertyMap().get(Trace.SPAN_ID_MDC_KEY));
            }
        }
    }

    @Test
    void aMalformedTraceparentStartsANewTrace() {
        TestResponse response = TestClient.of(Trace.create().wrap(OK)).send(Request.builder("GET", "/")
                .header("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));

        String traceparent = response.header("traceparent").orElseThrow();
        assertFalse(traceparent.toLowerCase(java.util.Locale.ROOT).contains("4bf92f3577b34da6a3ce929d0e0e4736"), traceparent);
    }

    @Test
    void streamedBodiesAreWrittenWithTheTraceIdsInTheMdc() {
        AtomicReference<String> seen = new AtomicReference<>();
        Handler app = Trace.create().wrap(request -> Response.stream(200, "text/plain", -1, out -> {
            seen.set(MDC.get(Trace.TRACE_ID_MDC_KEY) + "-" + MDC.get(Trace.SPAN_ID_MDC_KEY));
            out.write(1);
        }));

        TestResponse response = TestClient.of(app).get("/");

        assertEquals(response.header("traceparent").orElseThrow().substring(3, 52), seen.get());
        assertNull(MDC.get(Trace.TRACE_ID_MDC_KEY));
    }

    @Test
    void aTracerOfItsOwnCanSupplyTheContext() {
        TraceContext fixed = new TraceContext("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", false, "");
        Handler app = Trace.of(Trace.Config.defaults(), request -> fixed).wrap(OK);

        TestResponse response = TestClient.of(app).get("/");

        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", response.header("traceparent").orElseThrow());
    }
}
