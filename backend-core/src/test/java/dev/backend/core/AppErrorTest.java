package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class AppErrorTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger errorLogger = (Logger) LoggerFactory.getLogger(AppError.class);

    @BeforeEach
    void captureLogs() {
        logged.start();
        errorLogger.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        errorLogger.detachAppender(logged);
    }

    static Stream<Arguments> everyVariant() {
        return Stream.of(
                Arguments.of(new AppError.BadRequest("bad"), 400, "bad"),
                Arguments.of(new AppError.Validation("email is required"), 400, "email is required"),
                Arguments.of(new AppError.Unauthorized("who are you"), 401, "who are you"),
                Arguments.of(new AppError.Forbidden("not yours"), 403, "not yours"),
                Arguments.of(new AppError.NotFound("User 1 not found"), 404, "User 1 not found"),
                Arguments.of(new AppError.MethodNotAllowed("nope", Set.of("GET")), 405, "nope"),
                Arguments.of(new AppError.Timeout("too slow"), 503, "too slow"),
                Arguments.of(new AppError.Timeout("too slow", 504), 504, "too slow"),
                Arguments.of(new AppError.Timeout("too slow", 408), 408, "too slow"),
                Arguments.of(new AppError.Conflict("taken"), 409, "taken"),
                Arguments.of(new AppError.PayloadTooLarge("too big"), 413, "too big"),
                Arguments.of(new AppError.UnsupportedMediaType("json please"), 415, "json please"),
                Arguments.of(new AppError.Unprocessable("wrong shape"), 422, "wrong shape"),
                Arguments.of(new AppError.TooManyRequests("slow down", Duration.ofSeconds(2)), 429, "slow down"),
                Arguments.of(new AppError.Database(new SQLException("syntax error at SELECT secret")), 500,
                        "Internal server error"),
                Arguments.of(new AppError.Internal(new IllegalStateException("stack secret")), 500,
                        "Internal server error"),
                Arguments.of(new AppError.Unavailable("busy", Duration.ofMillis(1500)), 503, "busy"),
                Arguments.of(new AppError.Overloaded("shed", Duration.ofSeconds(1)), 503, "shed"));
    }

    @ParameterizedTest
    @MethodSource("everyVariant")
    void mapsEveryVariantToItsStatusAndJsonBody(AppError error, int status, String message) {
        Response response = error.toResponse();

        assertEquals(status, error.status());
        assertEquals(status, response.status());
        assertEquals("application/json", response.header("Content-Type").orElseThrow());
        assertEquals("{\"error\":\"" + message + "\"}", new String(((Response.Body.Bytes) response.body()).bytes()));
        assertEquals(error, response.error().orElseThrow());
    }

    @ParameterizedTest
    @MethodSource("everyVariant")
    void thrownAndReturnedErrorsGiveTheSameResponse(AppError error, int status, String message) {
        TestClient client = TestClient.of(Router.create()
                .get("/returned", r -> error.toResponse())
                .get("/thrown", r -> {
                    throw error.toException();
                })
                .build());

        TestResponse returned = client.get("/returned");
        TestResponse thrown = client.get("/thrown");

        assertEquals(returned.status(), thrown.status());
        assertEquals(returned.text(), thrown.text());
        assertEquals(returned.header("Retry-After"), thrown.header("Retry-After"));
        assertEquals(returned.header("Allow"), thrown.header("Allow"));
        assertEquals(returned.header("WWW-Authenticate"), thrown.header("WWW-Authenticate"));
    }

    @Test
    void a401ChallengesForABearerTokenByDefault() {
        TestClient client = TestClient.of(Router.create()
                .get("/returned", r -> new AppError.Unauthorized("who are you").toResponse())
                .get("/thrown", r -> {
                    throw AppError.unauthorized("who are you").toException();
                })
                .build());

        for (String path : List.of("/returned", "/thrown")) {
            TestResponse response = client.get(path);
            assertEquals(401, response.status(), path);
            assertEquals("Bearer", response.header("WWW-Authenticate").orElseThrow(), path);
        }
    }

    @Test
    void a401CarriesTheChallengeItWasGiven() {
        String challenge = "Basic realm=\"api\", charset=\"UTF-8\"";
        TestClient client = TestClient.of(Router.create()
                .get("/returned", r -> new AppError.Unauthorized("who are you", challenge).toResponse())
                .get("/thrown", r -> {
                    throw AppError.unauthorized("who are you", challenge).toException();
                })
                .build());

        for (String path : List.of("/returned", "/thrown")) {
            TestResponse response = client.get(path);
            assertEquals(401, response.status(), path);
            assertEquals(challenge, response.header("WWW-Authenticate").orElseThrow(), path);
            assertEquals("who are you", response.error().orElseThrow(), path);
        }
    }

    @Test
    void refusesAChallengeThatIsNotOneWhenTheErrorIsMade() {
        IllegalArgumentException injected = assertThrows(IllegalArgumentException.class,
                () -> AppError.unauthorized("no", "Bearer\r\nSet-Cookie: session=stolen"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new AppError.Unauthorized("no", ""));

        assertEquals("not a WWW-Authenticate challenge (RFC 9110 §11.6.1): expected a space, ',' or the end after"
                + " the auth-scheme at index 6 of a value of 34 characters", injected.getMessage());
        assertTrue(empty.getMessage().contains("expected an auth-scheme (a token) at index 0"), empty.getMessage());
        assertThrows(NullPointerException.class, () -> new AppError.Unauthorized("no", null));
    }

    @Test
    void setsAllowOn405() {
        Response response = new AppError.MethodNotAllowed("nope", Set.of("POST", "GET")).toResponse();

        assertEquals("GET, POST", response.header("Allow").orElseThrow());
    }

    @Test
    void setsRetryAfterInWholeSecondsRoundedUp() {
        assertEquals("2", new AppError.Unavailable("busy", Duration.ofMillis(1500)).toResponse()
                .header("Retry-After").orElseThrow());
        assertEquals("2", new AppError.Overloaded("shed", Duration.ofMillis(1500)).toResponse()
                .header("Retry-After").orElseThrow());
        assertEquals("1", new AppError.TooManyRequests("slow", Duration.ZERO).toResponse()
                .header("Retry-After").orElseThrow());
        assertEquals("3", new AppError.TooManyRequests("slow", Duration.ofSeconds(3)).toResponse()
                .header("Retry-After").orElseThrow());
    }

    @Test
    void neverLeaksServerSideDetailsToTheClient() {
        TestClient client = TestClient.of(Router.create()
                .get("/sql", r -> {
                    throw new SQLException("relation \"secret_table\" does not exist");
                })
                .get("/bug", r -> {
                    throw new NullPointerException("field secretField was null");
                })
                .build());

        for (String path : List.of("/sql", "/bug")) {
            TestResponse response = client.get(path);
            assertEquals(500, response.status());
            assertEquals("{\"error\":\"Internal server error\"}", response.text());
            assertFalse(response.text().contains("secret"));
        }
    }

    @Test
    void logsServerSideCausesOnceWithTheRequestId() {
        TestClient client = TestClient.of(Router.create()
                .get("/bug", r -> {
                    throw new IllegalStateException("the real cause");
                })
                .build());

        MDC.put("request_id", "req-123");
        try {
            client.get("/bug");
        } finally {
            MDC.remove("request_id");
        }

        assertEquals(1, logged.list.size());
        ILoggingEvent event = logged.list.getFirst();
        assertEquals("req-123", event.getMDCPropertyMap().get("request_id"));
        assertEquals("the real cause", event.getThrowableProxy().getMessage());
    }

    @Test
    void doesNotLogClientErrors() {
        AppError.notFound("nothing here").toResponse();

        assertTrue(logged.list.isEmpty());
    }

    @Test
    void classifiesFailures() {
        assertInstanceOf(AppError.Conflict.class, AppError.from(AppError.conflict("x").toException()));
        assertInstanceOf(AppError.Unavailable.class, AppError.from(new SQLTransientConnectionException("pool")));
        assertInstanceOf(AppError.Database.class, AppError.from(new SQLException("db")));
        assertInstanceOf(AppError.Database.class, AppError.from(new SQLException("syntax", "42601")));
        assertInstanceOf(AppError.Internal.class, AppError.from(new RuntimeException("bug")));
    }

    @Test
    void answersPoolTimeoutsWith503AndRetryAfter() {
        TestResponse response = TestClient.of(r -> {
            throw new SQLTransientConnectionException("Connection is not available, request timed out");
        }).get("/");

        assertEquals(503, response.status());
        assertEquals("1", response.header("Retry-After").orElseThrow());
        assertEquals("The service is busy, retry shortly", response.error().orElseThrow());
        assertTrue(logged.list.isEmpty(), "the pool reports its timeouts once per burst");
    }

    @Test
    void answersAPoolTimeoutCarryingAConnectionFailureAsTheDatabaseUnavailable() {
        // HikariCP gives its timeout the SQLSTATE of the last failed attempt to connect.
        TestResponse response = TestClient.of(r -> {
            throw new SQLTransientConnectionException("db - Connection is not available", "57P03",
                    new SQLException("FATAL: the database system is starting up", "57P03"));
        }).get("/");

        assertEquals(503, response.status());
        assertEquals("5", response.header("Retry-After").orElseThrow());
        assertEquals("The database is unavailable, retry shortly", response.error().orElseThrow());
    }

    /**
     * SQLSTATEs that a test cannot provoke on the shared test server (a crash, a server starting up, a full disk,
     * no memory); the ones it can are provoked against real PostgreSQL in backend-server's DatabaseFailuresTest.
     */
    static Stream<Arguments> unprovokableStates() {
        return Stream.of(
                Arguments.of("57P02", "FATAL: terminating connection because of crash of another server process"),
                Arguments.of("57P03", "FATAL: the database system is starting up"),
                Arguments.of("57P04", "FATAL: database \"app\" was dropped"),
                Arguments.of("57000", "operator intervention"),
                Arguments.of("53100", "ERROR: could not extend file: No space left on device"),
                Arguments.of("53200", "ERROR: out of memory"),
                Arguments.of("53400", "ERROR: configuration limit exceeded"),
                Arguments.of("08003", "This connection has been closed."),
                Arguments.of("08004", "FATAL: server rejected the connection"),
                Arguments.of("08P01", "FATAL: invalid frontend message type"));
    }

    @ParameterizedTest
    @MethodSource("unprovokableStates")
    void answersTheDatabaseUnavailableWith503AndOneLineForStatesThatCannotBeProvoked(String state, String message) {
        TestResponse response = TestClient.of(r -> {
            throw new SQLException(message, state);
        }).get("/");

        assertEquals(503, response.status());
        assertEquals("5", response.header("Retry-After").orElseThrow());
        assertEquals("The database is unavailable, retry shortly", response.error().orElseThrow());
        assertEquals(1, logged.list.size());
        assertEquals("WARN Database unavailable, answered 503: " + state + " " + message, line(0));
        assertNull(logged.list.getFirst().getThrowableProxy());
    }

    /**
     * 54023 comes from SQL the application built from a client's list (a call with more than 100 arguments); the
     * rest of class 54 is provoked in DatabaseFailuresTest. 54011 (too many columns) comes from the schema: a bug.
     */
    @Test
    void answersTooManyArgumentsAsTheClientsErrorAndTooManyColumnsAsABug() {
        TestResponse arguments = TestClient.of(r -> {
            throw new SQLException("ERROR: cannot pass more than 100 arguments to a function", "54023");
        }).get("/");
        TestResponse columns = TestClient.of(r -> {
            throw new SQLException("ERROR: tables can have at most 1600 columns", "54011");
        }).get("/");

        assertEquals(400, arguments.status());
        assertEquals("The request has too many values for the database", arguments.error().orElseThrow());
        assertEquals("INFO Database refused a value, answered 400: 54023 ERROR: cannot pass more than 100 arguments"
                + " to a function", line(0));
        assertEquals(500, columns.status());
    }

    @Test
    void findsTheSqlStateOfADatabaseFailureWrappedByTheApplicationOrChainedByTheDriver() {
        SQLException batch = new SQLException("Batch entry 0 was aborted", (String) null);
        batch.setNextException(new SQLException("ERROR: deadlock detected", "40P01"));

        assertEquals(503, AppError.from(new IllegalStateException("repository failed",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01"))).status());
        assertEquals(503, AppError.from(batch).status());
        assertEquals("WARN Database busy, answered 503: 40P01 ERROR: deadlock detected", line(1));
    }

    @Test
    void logsAnUnexpectedDatabaseFailureOnceWithItsTrace() {
        TestResponse response = TestClient.of(r -> {
            throw new SQLException("ERROR: relation \"users\" does not exist", "42P01");
        }).get("/");

        assertEquals(500, response.status());
        assertEquals(1, logged.list.size());
        assertEquals("ERROR Database error", line(0));
        assertEquals("ERROR: relation \"users\" does not exist", logged.list.getFirst().getThrowableProxy().getMessage());
    }

    @Test
    void answersAFailureOnAThreadAStopInterruptedWith503AndOneLineWithoutTrace() {
        TestResponse sleeping = TestClient.of(r -> {
            Thread.currentThread().interrupt(); // as the stop does once SHUTDOWN_TIMEOUT is over
            Thread.sleep(60_000);
            return Response.text("slept");
        }).get("/");
        boolean keptInterrupted = Thread.interrupted();
        TestResponse waitingForThePool = TestClient.of(r -> {
            // HikariCP's answer to an interrupted wait for a connection; it sets the interrupt again.
            Thread.currentThread().interrupt();
            throw new SQLException("HikariPool-1 - Interrupted during connection acquisition", "08006");
        }).get("/");
        Thread.interrupted();

        assertTrue(keptInterrupted, "the interrupt is kept for whoever runs the handler");
        for (TestResponse response : List.of(sleeping, waitingForThePool)) {
            assertEquals(503, response.status());
            assertEquals("1", response.header("Retry-After").orElseThrow());
            assertEquals("The server is stopping", response.error().orElseThrow());
        }
        assertEquals(List.of("WARN Request interrupted by the stop, answered 503: InterruptedException: sleep "
                + "interrupted", "WARN Request interrupted by the stop, answered 503: 08006 HikariPool-1 - "
                + "Interrupted during connection acquisition"), List.of(line(0), line(1)));
        assertNull(logged.list.getFirst().getThrowableProxy());
        assertEquals(2, logged.list.size());
    }

    private String line(int index) {
        ILoggingEvent event = logged.list.get(index);
        return event.getLevel() + " " + event.getFormattedMessage();
    }

    @Test
    void answersANullResponseWith500() {
        assertEquals(500, TestClient.of(r -> null).get("/").status());
    }

    @Test
    void resultCarriesValuesAndErrorsToTheSameResponses() {
        Result<String> ok = Result.ok("x");
        Result<String> err = Result.err(AppError.notFound("gone"));

        assertEquals(200, ok.toResponse(Response::text).status());
        assertEquals(404, err.toResponse(Response::text).status());
        assertEquals(404, err.map(String::length).toResponse(Response::json).status());
        assertEquals("X", ok.map(String::toUpperCase).orThrow());
        AppException thrown = org.junit.jupiter.api.Assertions.assertThrows(AppException.class, err::orThrow);
        assertInstanceOf(AppError.NotFound.class, thrown.error());
    }
}
