package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS: TLS over a blocking socket per connection, configured per connection by the {@link HttpsConfigurator}. */
class HttpsTest {

    @TempDir
    static Path directory;
    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private static HttpsServer server;
    private static final AtomicInteger CONFIGURED = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = directory.resolve("server.p12");
        // A throwaway self-signed certificate, made by the JDK's own keytool.
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "secret", "-keypass", "secret")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, "secret".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "secret".toCharArray());
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trustManagers.getTrustManagers(), null);

        server = BackendHttp.createHttps(TestServers.anyPort(), 0, HttpServerOptions.defaults());
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext) {
            @Override
            public void configure(HttpsParameters parameters) {
                CONFIGURED.incrementAndGet();
                parameters.setSSLParameters(getSSLContext().getDefaultSSLParameters());
            }
        });
        server.createContext("/", exchange -> InMemory.answer(exchange, 200, (exchange instanceof HttpsExchange tls
                ? "tls " + tls.getSSLSession().getProtocol() : "plain") + " " + exchange.getRequestURI()));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void servesHttpsWithTheConfiguratorsContext() throws Exception {
        HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://localhost:" + TestServers.port(server)
                + "/hello").toURL().openConnection();
        connection.setSSLSocketFactory(clientContext.getSocketFactory());

        try (InputStream in = connection.getInputStream()) {
            assertEquals(200, connection.getResponseCode());
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).matches("tls TLSv1\\.[23] /hello"));
        }
        assertTrue(CONFIGURED.get() >= 1, "the configurator saw the connection");
    }

    @Test
    void keepsATlsConnectionForSeveralRequests() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                TestServers.port(server))) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (String path : new String[] {"/one", "/two"}) {
                out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readResponse(in);
                assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
                assertTrue(response.endsWith(path), response);
            }
        }
    }

    @Test
    void anHttpsServerWithoutConfiguratorDoesNotStart() throws Exception {
        HttpsServer bare = BackendHttp.createHttps(TestServers.anyPort(), 0, HttpServerOptions.defaults());
        try {
            assertThrows(IllegalStateException.class, bare::start);
            assertThrows(NullPointerException.class, () -> bare.setHttpsConfigurator(null));
        } finally {
            bare.stop(0);
        }
    }

    /** Reads one response with a Content-Length body. */
    private static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed inside a response: " + head);
            }
            head.append((char) b);
        }
        int at = head.indexOf("Content-Length: ") + "Content-Length: ".length();
        int length = Integer.parseInt(head.substring(at, head.indexOf("\r\n", at)));
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
