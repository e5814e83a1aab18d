package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code BackendServer.Builder.handler}: what start() serves, in process, for TestClient. */
class ServerHandlerTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final Request.Key<String> CLIENT = Request.Key.of("client");

    private static BackendServer.Builder service() {
        return BackendServer.builder()
                .routes(dataSource -> Router.create()
                        .post("/upload", request -> Response.json(Map.of("bytes", request.bodyBytes().length)))
                        .get("/who", request -> Response.text(request.attribute(CLIENT).orElse("nobody")))
                        .get("/boom", request -> {
                            throw new IllegalStateException("secret");
                        })
                        .get("/now", request -> {
                            try (Connection connection = dataSource.getConnection();
                                    Statement statement = connection.createStatement();
                                    ResultSet rs = statement.executeQuery("SELECT current_database()")) {
                                rs.next();
                                return Response.text(rs.getString(1));
                            }
                        }))
                .middleware(next -> request -> next.handle(request.withAttribute(CLIENT, "ada")))
                .readinessCheck("payments", Duration.ofSeconds(10), () -> {
                    throw new IllegalStateException("payments refused the connection");
                });
    }

    @Test
    void readsBodiesUpToTheServersLimitNotTheDefaultOfARequestNoMiddlewareLimited() {
        long serverLimit = Config.defaults().http().bodyLimit();
        byte[] overTheBareDefault = new byte[(int) Request.DEFAULT_BODY_LIMIT + 1];
        TestClient stack = TestClient.of(service().config(Config.defaults()).handler(DB.dataSource()));
        TestClient routesAlone = TestClient.of(Router.create()
                .post("/upload", request -> Response.json(Map.of("bytes", request.bodyBytes().length))).build());

        assertEquals(413, routesAlone.send(Request.builder("POST", "/upload").body(overTheBareDefault)).status());
        assertEquals(200, stack.send(Request.builder("POST", "/upload").body(overTheBareDefault)).status());
        assertEquals(413, stack.send(Request.builder("POST", "/upload").body(new byte[(int) serverLimit + 1])).status());
    }

    @Test
    void followsTheConfigurationItIsGiven() {
        Config small = Config.defaults().withHttp(Config.fromEnvironment(Map.of("BODY_LIMIT", "1KB",
                "SECURITY_HEADERS", "none", "REQUEST_ID_HEADER", "X-Trace")).http());
        TestClient client = TestClient.of(service().config(small).handler(DB.dataSource()));

        TestResponse response = client.send(Request.builder("POST", "/upload").body(new byte[1025]));

        assertEquals(413, response.status());
        assertTrue(response.header("X-Trace").isPresent());
        assertEquals(Optional.empty(), response.header("X-Content-Type-Options"));
    }

    @Test
    void runsTheStandardStackAroundTheApplicationsMiddlewareAndRoutes() {
        TestClient client = TestClient.of(service().config(Config.defaults()).handler(DB.dataSource()));

        TestResponse who = client.get("/who");
        TestResponse boom = client.get("/boom");

        assertEquals("ada", who.text(), "the application's middleware runs");
        assertTrue(who.header("X-Request-Id").isPresent(), "Trace runs");
        assertEquals(Optional.of("nosniff"), who.header("X-Content-Type-Options"));
        assertEquals(500, boom.status());
        assertEquals("{\"error\":\"Internal server error\"}", boom.text());
        assertEquals(Optional.of("nosniff"), boom.header("X-Content-Type-Options"), "the 500 got the stack's headers");
    }

    @Test
    void servesTheHealthEndpointsWithTheApplicationsChecksAndTheRoutesOnTheGivenDataSource() {
        TestClient client = TestClient.of(service().config(Config.defaults()).handler(DB.dataSource()));

        assertEquals(DB.name(), client.get("/now").text());
        TestResponse ready = client.get("/health/ready");
        assertEquals(503, ready.status());
        assertTrue(ready.text().contains("{\"name\":\"database\",\"status\":\"UP\"},{\"name\":\"payments\",\"status\":"
                + "\"DOWN\"}"), ready.text());
        assertEquals(200, client.get("/health/live").status());
    }
}
