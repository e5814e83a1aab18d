package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

class HealthTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void answersOkWhileTheDatabaseAnswers() {
        TestClient client = TestClient.of(new Health(DB.dataSource()).routes().build());
        assertStatus(client.get("/health"), 200, "ok");
        assertStatus(client.get("/health/live"), 200, "ok");
        assertStatus(client.get("/health/ready"), 200, "ok");
    }

    @Test
    void answersDegradedWhenNothingListensWhereTheDatabaseShouldBe() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        TestClient client = TestClient.of(new Health(dataSourceAt(port)).routes().build());
        assertStatus(client.get("/health"), 503, "degraded");
        assertStatus(client.get("/health/ready"), 503, "degraded");
        assertStatus(client.get("/health/live"), 200, "ok");
    }

    @Test
    void answersDegradedWithinItsBoundWhenTheDatabaseHangs() throws IOException {
        // Accepts connections and never answers: the driver would wait forever for the server's greeting.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TestClient client = TestClient.of(new Health(dataSourceAt(silent.getLocalPort())).routes().build());
            long begin = System.nanoTime();
            assertStatus(client.get("/health"), 503, "degraded");
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void readinessAnswersDrainingOnceAStopBegins() {
        Health health = new Health(DB.dataSource());
        TestClient client = TestClient.of(health.routes().build());
        health.drain();
        assertStatus(client.get("/health/ready"), 503, "draining");
        assertStatus(client.get("/health"), 200, "ok");
        assertStatus(client.get("/health/live"), 200, "ok");
    }

    private static DataSource dataSourceAt(int port) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        dataSource.setUser("postgres");
        return dataSource;
    }

    private static void assertStatus(TestResponse response, int status, String value) {
        assertEquals(status, response.status());
        assertEquals("{\"status\":\"" + value + "\"}", response.text());
    }
}
