package dev.backend.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.server.Config;
import dev.backend.server.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelloTest {

    private final TestClient client = TestClient.of(Hello.app());

    @Test
    void greetsByTheDecodedName() {
        TestResponse response = client.get("/hello/J%C3%BCrgen");

        assertEquals(200, response.status());
        assertEquals("Hello, Jürgen!", response.text());
    }

    @Test
    void answers404JsonElsewhere() {
        assertEquals(404, client.get("/").status());
    }

    @Test
    void runsOnTheProviderTheClassPathBringsAsDocumented() throws Exception {
        // HttpServer.create takes the first provider on the class path: backend-server, which the other examples
        // need, brings backend-http, which registers itself as one.
        HttpServer server = Hello.serve(0);
        try {
            assertTrue(server.getClass().getName().startsWith("dev.backend.http."), server.getClass().getName());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void readsPortTrimmedWith8080WhenUnsetOrBlank() {
        assertEquals(8080, Hello.port(Map.of()));
        assertEquals(8080, Hello.port(Map.of("PORT", " \t")));
        assertEquals(8081, Hello.port(Map.of("PORT", " 8081\n")));
        assertEquals(8081, Hello.port(Map.of("PORT", "008081")));
        assertEquals(0, Hello.port(Map.of("PORT", "0")));
    }

    @Test
    void refusesAPortThatIsNotOneInTheServersOneLine() {
        assertEquals("Invalid configuration: PORT=abc is not valid: expected an integer from 0 to 65535",
                assertThrows(IllegalArgumentException.class, () -> Hello.port(Map.of("PORT", "abc"))).getMessage());
        assertEquals("Invalid configuration: PORT=70000 is not valid: expected an integer from 0 to 65535",
                assertThrows(IllegalArgumentException.class, () -> Hello.port(Map.of("PORT", "70000"))).getMessage());
        // Integer.parseInt reads Arabic-Indic digits: this was port 8080.
        assertEquals("Invalid configuration: PORT=\u0668\u0660\u0668\u0660 is not valid: write it in the digits 0 to 9 "
                + "alone, without a sign; expected an integer from 0 to 65535",
                assertThrows(IllegalArgumentException.class,
                        () -> Hello.port(Map.of("PORT", "\u0668\u0660\u0668\u0660"))).getMessage());
    }

    /** The examples read PORT by backend-server's rules, and say what it says: checked against Config itself. */
    @ParameterizedTest
    @ValueSource(strings = {"8080", " 8080", "08080", "0", "65535", "", " ", "abc", "+8080", "-0", "-1",
            "\u0668\u0660\u0668\u0660", "\uFF18\uFF10\uFF18\uFF10", "70000", "0x1F90", "8080.0", "8 080",
            "99999999999999999999", "000000000000000000008080", "80\n80", "8\u20280", "80\u0000",
            "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"})
    void readsPortExactlyAsBackendServerDoes(String value) {
        Map<String, String> environment = Map.of("PORT", value);
        String server;
        try {
            server = "port " + Config.fromEnvironment(environment).http().port();
        } catch (ConfigException e) {
            server = e.getMessage();
        }
        String hello;
        try {
            hello = "port " + Hello.port(environment);
        } catch (IllegalArgumentException e) {
            hello = e.getMessage();
        }
        assertEquals(server, hello);
    }
}
