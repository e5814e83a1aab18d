package dev.backend.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.RawHttp;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** TestClient answers as the adapter does over a socket, where the two could differ: framing and bodies. */
class TestClientTest {

    private static final Handler APP = Router.create()
            .get("/json", r -> Response.json(Map.of("message", "Hello, World!")))
            .get("/empty", r -> Response.status(200))
            .get("/no-content", r -> Response.noContent().withHeader("Content-Length", "10"))
            .get("/not-modified", r -> Response.status(304).withHeader("ETag", "\"v1\"").withHeader("Content-Length", "10"))
            .get("/reset", r -> Response.text("hello").withStatus(205).withHeader("Content-Length", "10"))
            .get("/handler-framing", r -> Response.text("12345").withHeader("Content-Length", "99")
                    .withHeader("Transfer-Encoding", "chunked"))
            .get("/chunked", r -> Response.stream(200, "text/plain", -1, out -> {
                out.write("part0;".getBytes(StandardCharsets.UTF_8));
                out.write("part1;".getBytes(StandardCharsets.UTF_8));
            }))
            .get("/sized-stream", r -> Response.stream(200, "text/plain", 5, out -> out.write("12345".getBytes())))
            .get("/empty-stream", r -> Response.stream(200, "text/plain", 0, out -> out.write("unsent".getBytes())))
            .build();

    @Test
    void reportsTheFramingAndBodyTheAdapterSendsForEveryKindOfBody() throws IOException {
        TestClient client = TestClient.of(APP);
        try (TestServer server = TestServer.start(APP); RawHttp http = new RawHttp(server.port())) {
            for (String path : List.of("/json", "/empty", "/no-content", "/not-modified", "/reset", "/handler-framing",
                    "/chunked", "/sized-stream", "/empty-stream")) {
                for (String method : List.of("GET", "HEAD")) {
                    RawHttp.Reply wire = http.send(method, path);
                    TestResponse inProcess = client.send(Request.builder(method, path));

                    String what = method + " " + path;
                    assertEquals(wire.status(), inProcess.status(), what);
                    assertEquals(Optional.ofNullable(wire.header("Content-Length")), inProcess.header("Content-Length"),
                            what);
                    assertEquals(Optional.ofNullable(wire.header("Transfer-Encoding")),
                            inProcess.header("Transfer-Encoding"), what);
                    assertArrayEquals(wire.body(), inProcess.bodyBytes(), what);
                }
            }
        }
    }

    @Test
    void dropsTheHandlersOwnLengthAndTransferEncodingButKeepsThemOnTheHandlersResponse() {
        TestResponse response = TestClient.of(APP).get("/handler-framing");

        assertEquals(Optional.of("5"), response.header("Content-Length"));
        assertEquals(List.of(), response.headers("Transfer-Encoding"));
        assertEquals(Optional.of("99"), response.response().header("Content-Length"));
    }

    @Test
    void failsWhenAStreamWritesOtherThanTheLengthItDeclared() {
        TestClient client = TestClient.of(Router.create()
                .get("/short", r -> Response.stream(200, "text/plain", 10, out -> out.write("12345".getBytes())))
                .build());

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.get("/short"));
        assertTrue(e.getMessage().contains("declared 10 body bytes and wrote 5"), e.getMessage());
    }
}
