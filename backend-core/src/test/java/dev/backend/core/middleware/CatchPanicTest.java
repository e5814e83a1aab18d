package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatchPanicTest {

    /** A middleware between CatchPanic and the router that fails: the router cannot catch this. */
    private static final Middleware BROKEN = next -> request -> {
        throw new IllegalStateException("secret detail");
    };

    @Test
    void answersAFailureBelowItWithGeneric500Json() throws Exception {
        Handler app = Middleware.stack(CatchPanic.create(), BROKEN).wrap(Router.create().build());

        Response response = app.handle(dev.backend.core.Request.builder("GET", "/").build());

        assertEquals(500, response.status());
        TestResponse collected = TestClient.of(app).get("/");
        assertEquals(Map.of("error", "Internal server error"), collected.json(Map.class));
        assertFalse(collected.text().contains("secret"));
    }

    @Test
    void logsAFailureOnceWithTheRequestId() {
        Handler app = Middleware.stack(Trace.create(), CatchPanic.create(), BROKEN).wrap(Router.create().build());
        try (LogCapture logs = new LogCapture()) {
            TestResponse response = TestClient.of(app).get("/");

            assertEquals(1, logs.errors().size());
            assertEquals(response.header("X-Request-Id").orElseThrow(),
                    logs.errors().getFirst().getMDCPropertyMap().get(Trace.MDC_KEY));
        }
    }

    @Test
    void doesNotLogAgainWhatTheRouterAlreadyConverted() {
        Handler app = Middleware.stack(Trace.create(), CatchPanic.create()).wrap(Router.create()
                .get("/boom", request -> {
                    throw new IllegalStateException("boom");
                })
                .build());
        try (LogCapture logs = new LogCapture()) {
            assertEquals(500, TestClient.of(app).get("/boom").status());

            assertEquals(1, logs.errors().size());
        }
    }

    @Test
    void answersErrorsThatAreNotExceptions() {
        Handler app = CatchPanic.create().wrap(request -> {
            throw new StackOverflowError();
        });

        assertEquals(500, TestClient.of(app).get("/").status());
    }

    @Test
    void passesResponsesThrough() throws Exception {
        Response ok = Response.text("ok");
        Handler app = CatchPanic.create().wrap(request -> ok);

        assertSame(ok, app.handle(dev.backend.core.Request.builder("GET", "/").build()));
    }

    @Test
    void logsAFailingStreamOnceWithTheRequestId() throws Exception {
        Handler app = Middleware.stack(Trace.create(), CatchPanic.create()).wrap(request -> Response.stream(200,
                "text/plain", -1, out -> {
                    out.write('a');
                    throw new IllegalStateException("broken generator");
                }));
        try (LogCapture logs = new LogCapture()) {
            Response response = app.handle(dev.backend.core.Request.builder("GET", "/").build());
            Response.Body.Stream stream = assertInstanceOf(Response.Body.Stream.class, response.body());

            IOException aborted = assertThrows(IOException.class, () -> stream.writer().writeTo(new ByteArrayOutputStream()));

            assertInstanceOf(IllegalStateException.class, aborted.getCause());
            assertEquals(1, logs.errors().size());
            assertEquals(response.header("X-Request-Id").orElseThrow(),
                    logs.errors().getFirst().getMDCPropertyMap().get(Trace.MDC_KEY));
        }
    }

    @Test
    void logsAStreamThatBrokeItsDeclaredLengthOnceWithTheRequestId() throws Exception {
        for (int written : new int[] {3, 7}) {
            Handler app = Middleware.stack(Trace.create(), CatchPanic.create()).wrap(request -> Response.stream(200,
                    "text/plain", 5, out -> out.write("1234567".getBytes(), 0, written)));
            try (LogCapture logs = new LogCapture()) {
                Response response = app.handle(dev.backend.core.Request.builder("GET", "/").build());
                Response.Body.Stream stream = assertInstanceOf(Response.Body.Stream.class, response.body());

                IOException aborted = assertThrows(IOException.class,
                        () -> stream.writer().writeTo(new ByteArrayOutputStream()));

                IllegalStateException cause = assertInstanceOf(IllegalStateException.class, aborted.getCause());
                assertTrue(cause.getMessage().startsWith("the response declared 5 body bytes and its writer wrote "),
                        cause.getMessage());
                assertEquals(1, logs.errors().size());
                assertEquals(response.header("X-Request-Id").orElseThrow(),
                        logs.errors().getFirst().getMDCPropertyMap().get(Trace.MDC_KEY));
            }
        }
    }

    @Test
    void logsAWriterThatThrowsAnErrorOnceAndHandsItOnAsAnIoFailure() throws Exception {
        Handler app = Middleware.stack(Trace.create(), CatchPanic.create()).wrap(request -> Response.stream(200,
                "text/plain", -1, out -> {
                    out.write('a');
                    throw new AssertionError("a bug in the writer");
                }));
        try (LogCapture logs = new LogCapture()) {
            Response.Body.Stream stream = assertInstanceOf(Response.Body.Stream.class,
                    app.handle(dev.backend.core.Request.builder("GET", "/").build()).body());

            IOException aborted = assertThrows(IOException.class, () -> stream.writer().writeTo(new ByteArrayOutputStream()));

            assertInstanceOf(AssertionError.class, aborted.getCause());
            assertEquals(1, logs.errors().size());
        }
    }

    @Test
    void logsAClientsFaultFoundWhileStreamingAsOneInfoLineNotAsAServerFailure() throws Exception {
        Handler app = Middleware.stack(Trace.create(), CatchPanic.create()).wrap(request -> Response.stream(200,
                "text/plain", -1, out -> {
                    throw new AppError.Timeout("The request body did not arrive in time", 408).toException();
                }));
        try (LogCapture logs = new LogCapture()) {
            Response.Body.Stream stream = assertInstanceOf(Response.Body.Stream.class,
                    app.handle(dev.backend.core.Request.builder("GET", "/").build()).body());

            assertThrows(IOException.class, () -> stream.writer().writeTo(new ByteArrayOutputStream()));

            assertEquals(0, logs.errors().size());
            assertEquals(List.of("The response body was cut off: AppException: The request body did not arrive in time"),
                    logs.events(CatchPanic.class.getName(), ch.qos.logback.classic.Level.INFO).stream()
                            .map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Test
    void passesAClientsIoFailureOnWithoutLoggingIt() throws Exception {
        Handler app = CatchPanic.create().wrap(request -> Response.stream(200, "text/plain", -1, out -> {
            throw new IOException("Broken pipe");
        }));
        try (LogCapture logs = new LogCapture()) {
            Response.Body.Stream stream = assertInstanceOf(Response.Body.Stream.class,
                    app.handle(dev.backend.core.Request.builder("GET", "/").build()).body());

            IOException lost = assertThrows(IOException.class, () -> stream.writer().writeTo(new ByteArrayOutputStream()));

            assertEquals("Broken pipe", lost.getMessage());
            assertEquals(0, logs.errors().size());
        }
    }
}
