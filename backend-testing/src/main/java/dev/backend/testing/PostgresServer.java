package dev.backend.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A PostgreSQL server the tests may create databases on: one per JVM, chosen once, closed when the test
 * run ends.
 */
sealed interface PostgresServer extends AutoCloseable {

    Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    /** The environment variable naming an external server to use instead. */
    String URL_VARIABLE = "TEST_DATABASE_URL";

    /** The system property that asks for Testcontainers. */
    String SOURCE_PROPERTY = "backend.test.db";

    String host();

    int port();

    String user();

    String password();

    /** The database to connect to for {@code CREATE DATABASE}. */
    String adminDatabase();

    @Override
    void close();

    /** Picks the source: {@value #URL_VARIABLE}, else Testcontainers if asked and Docker runs, else embedded. */
    static PostgresServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            External external = External.parse(url);
            LOG.info("Tests use the external PostgreSQL at {}:{} ({})", external.host(), external.port(), URL_VARIABLE);
            return external;
        }
        if ("testcontainers".equals(System.getProperty(SOURCE_PROPERTY))) {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return Container.start();
            }
            LOG.warn("-D{}=testcontainers was given but no Docker engine answers; using embedded PostgreSQL",
                    SOURCE_PROPERTY);
        }
        return Embedded.start();
    }

    /** A server someone else runs; databases are still created and dropped per test class. */
    record External(String host, int port, String user, String password, String adminDatabase)
            implements PostgresServer {

        /**
         * Reads {@code postgres://user:pass@host:port/db} or {@code jdbc:postgresql://host:port/db?user=..} as
         * backend-server reads {@code DATABASE_URL} ({@link TestDatabaseUrl}).
         */
        static External parse(String url) {
            return TestDatabaseUrl.parse(url);
        }

        @Override
        public void close() {}
    }

    /** PostgreSQL in a Docker container, when asked for and Docker is there. */
    record Container(PostgreSQLContainer container) implements PostgresServer {

        static Container start() {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:18-alpine");
            container.start();
            LOG.info("Tests use PostgreSQL in container {}", container.getContainerId());
            return new Container(container);
        }

        @Override
        public String host() {
            return container.getHost();
        }

        @Override
        public int port() {
            return container.getMappedPort(5432);
        }

        @Override
        public String user() {
            return container.getUsername();
        }

        @Override
        public String password() {
            return container.getPassword();
        }

        @Override
        public String adminDatabase() {
            return container.getDatabaseName();
        }

        @Override
        public void close() {
            container.stop();
        }
    }

    /** Real PostgreSQL binaries run from a temporary directory: the default, no Docker needed. */
    record Embedded(EmbeddedPostgres postgres) implements PostgresServer {

        static Embedded start() {
            try {
                long started = System.nanoTime();
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        // Tests create and drop many databases; durability buys nothing here.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "300")
                        .start();
                LOG.info("Tests use embedded PostgreSQL on port {} (started in {} ms)", postgres.getPort(),
                        (System.nanoTime() - started) / 1_000_000);
                return new Embedded(postgres);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
        }

        @Override
        public String host() {
            return "localhost";
        }

        @Override
        public int port() {
            return postgres.getPort();
        }

        @Override
        public String user() {
            return "postgres";
        }

        @Override
        public String password() {
            return "";
        }

        @Override
        public String adminDatabase() {
            return "postgres";
        }

        @Override
        public void close() {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("Stopping embedded PostgreSQL failed", e);
            }
        }
    }
}
