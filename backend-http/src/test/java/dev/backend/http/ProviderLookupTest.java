package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The provider is found the three ways the JDK looks: by the system property, through META-INF/services on the
 * class path, and through the module's {@code provides} on the module path. The last two run in JVMs of their
 * own, since the JDK picks its provider once per JVM; each also proves the JVM exits once the server stops.
 */
class ProviderLookupTest {

    @Test
    void theServiceLoaderFindsTheProviderOnTheClassPath() throws Exception {
        List<String> found = new ArrayList<>();
        ServiceLoader.load(HttpServerProvider.class).forEach(provider -> found.add(provider.getClass().getName()));

        assertTrue(found.contains(BackendHttpServerProvider.class.getName()), found.toString());
        HttpServerProvider provider = new BackendHttpServerProvider();
        HttpServer plain = provider.createHttpServer(null, 0);
        HttpsServer secure = provider.createHttpsServer(null, 0);
        assertInstanceOf(PlainServer.class, plain);
        assertInstanceOf(TlsServer.class, secure);
        plain.stop(0);
        secure.stop(0);
    }

    @Test
    void theSystemPropertyNamesTheProvider() throws Exception {
        String output = probe(List.of("-Dcom.sun.net.httpserver.HttpServerProvider=" + BackendHttpServerProvider.class.getName(),
                "-cp", classPath()));

        assertTrue(output.contains("server=dev.backend.http.PlainServer"), output);
        assertTrue(output.contains("filter=true"), output);
        assertTrue(output.contains("body=probe"), output);
    }

    @Test
    void theModuleProvidesTheProviderOnTheModulePath() throws Exception {
        Path classes = Path.of("target", "classes");
        Path testClasses = Path.of("target", "test-classes");
        String output = probe(List.of("--module-path", classes.toString(), "--add-modules", "dev.backend.http",
                "-cp", testClasses.toString()));

        assertTrue(output.contains("server=dev.backend.http.PlainServer"), output);
        assertTrue(output.contains("module=dev.backend.http"), output);
        assertTrue(output.contains("body=probe"), output);
    }

    private static String classPath() {
        return Path.of("target", "classes") + File.pathSeparator + Path.of("target", "test-classes");
    }

    /** Runs the probe in a new JVM with {@code options}; it must exit by itself, successfully. */
    private static String probe(List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("dev.backend.http.probe.ProviderProbe");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "the JVM did not exit after stop: " + output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
