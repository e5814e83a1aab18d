package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.server.migration.MigrationSource;
import dev.backend.testing.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The migration meters: what this start applied, and the version the schema is at. */
class MigrationMetricsTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final MigrationSource BUNDLED = MigrationSource.classpath("dev/backend/server/migration/bundled");

    @Test
    void countsTheMigrationsThisStartAppliedAndGaugesTheSchemaVersion() {
        Scrape first = startAndScrape();
        assertEquals(2, first.value("migrations_applied_total", Map.of()));
        assertEquals(2, first.value("migrations_schema_version", Map.of("version", "2")));

        Scrape second = startAndScrape();
        assertEquals(0, second.value("migrations_applied_total", Map.of()), "nothing was pending");
        assertEquals(2, second.value("migrations_schema_version", Map.of("version", "2")));
    }

    private static Scrape startAndScrape() {
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (BackendServer server = BackendServer.builder().config(config).meterRegistry(registry).migrations(BUNDLED)
                .start()) {
            assertEquals(registry, server.meterRegistry().orElseThrow());
            return Scrape.parse(registry.scrape());
        } finally {
            registry.close();
        }
    }
}
