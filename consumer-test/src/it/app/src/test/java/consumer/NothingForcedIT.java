package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Depending on backend-server brings the runtime and nothing the application did not ask for: no logging
 * backend or its configuration, no JUL bridge, no PostgreSQL binaries, no resources at the class-path root,
 * no reference service, no OpenTelemetry API.
 */
class NothingForcedIT {

    private static List<String> jarNames() {
        return AppProcess.runtimeClassPath().stream().map(p -> p.getFileName().toString()).sorted().toList();
    }

    /**
     * Exactly these: a new dependency of backend-server is a decision for every user, so it changes this list.
     * Micrometer and the Prometheus text formats are the metrics the runtime serves by default (METRICS=true);
     * the protobuf exposition format is not among them.
     * backend-http is the default HTTP engine, and needs nothing but the JDK.
     */
    @Test
    void theRuntimeClassPathHoldsTheLibraryItsPoolDriverJsonSlf4jApiAndMetricsOnly() {
        List<String> names = jarNames();
        List<String> expected = List.of("HdrHistogram-", "HikariCP-", "backend-core-", "backend-http-", "backend-server-",
                "checker-qual-", "jackson-annotations-", "jackson-core-", "jackson-databind-", "jspecify-",
                "micrometer-commons-", "micrometer-core-", "micrometer-observation-",
                "micrometer-registry-prometheus-", "postgresql-", "prometheus-metrics-config-",
                "prometheus-metrics-core-", "prometheus-metrics-exposition-textformats-", "prometheus-metrics-model-",
                "prometheus-metrics-tracer-common-", "slf4j-api-");
        assertEquals(expected.size(), names.size(), String.join("\n", names));
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(names.get(i).startsWith(expected.get(i)), expected.get(i) + " in\n" + String.join("\n", names));
        }
    }

    @Test
    void noLoggingConfigurationMigrationsOrReferenceServiceAreVisibleToTheApplication() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (Path entry : AppProcess.runtimeClassPath()) {
            urls.add(entry.toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            for (String resource : List.of("logback.xml", "logback-test.xml", "migrations", "migrations/V1__create_users.sql",
                    "simplelogger.properties", "log4j2.xml")) {
                assertNull(loader.getResource(resource), resource);
            }
            for (String type : List.of("ch.qos.logback.classic.Logger", "org.slf4j.bridge.SLF4JBridgeHandler",
                    "io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "dev.backend.embedded.EmbeddedPostgresProvider",
                    "dev.backend.reference.Main", "dev.backend.server.Main",
                    "io.opentelemetry.api.trace.Span")) {
                assertThrows(ClassNotFoundException.class, () -> loader.loadClass(type), type);
            }
            assertEquals(List.of(), Collections.list(loader.getResources(
                    "META-INF/services/dev.backend.server.spi.EmbeddedDatabaseProvider")));
        }
    }

    @Test
    void theLibraryJarsKeepEveryFileUnderTheirOwnPackages() throws IOException {
        for (Path jar : AppProcess.runtimeClassPath()) {
            String name = jar.getFileName().toString();
            if (!name.startsWith("backend-")) {
                continue;
            }
            try (JarFile file = new JarFile(jar.toFile())) {
                for (JarEntry entry : Collections.list(file.entries())) {
                    String path = entry.getName();
                    assertTrue(entry.isDirectory() || path.startsWith("dev/backend/") || path.startsWith("META-INF/")
                            || path.equals("module-info.class"), name + " has " + path + " outside its packages");
                }
            }
        }
    }
}
