package dev.backend.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh, empty PostgreSQL database for each test class, on a real server, so classes never see each
 * other's rows.
 *
 * <p>The server is chosen once per JVM: the one {@code TEST_DATABASE_URL} names (its user must be allowed
 * to {@code CREATE DATABASE}); else a Testcontainers {@code postgres:18-alpine} when run with {@code
 * -Dbackend.test.db=testcontainers} and Docker answers; else embedded PostgreSQL (real binaries, no Docker).
 * The same tests run unchanged against all three.
 *
 * {@snippet :
 * class UserRepositoryTest {
 *     @RegisterExtension
 *     static final TestDatabase DB = new TestDatabase();
 *
 *     @Test
 *     void insertsAUser() throws Exception {
 *         try (Connection connection = DB.dataSource().getConnection()) { ... }
 *     }
 * }
 * }
 *
 * <p>Register it on a {@code static} field: the database lives from before the first test of the class to
 * after the last, and is dropped then.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestDatabase.class);

    private PostgresServer server;
    private String name;

    /** An extension to register on a static field. */
    public TestDatabase() {}

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        // The root store outlives every class and closes the server when the whole run ends.
        server = context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(PostgresServer.class, key -> PostgresServer.start(), PostgresServer.class);
        name = databaseNameFor(context.getRequiredTestClass());
        try (Connection admin = connect(server.adminDatabase()); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (name == null) {
            return;
        }
        try (Connection admin = connect(server.adminDatabase()); Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** The database name, unique to this class and run. */
    public String name() {
        return requireStarted(name);
    }

    /** {@code jdbc:postgresql://host:port/name}, without credentials. */
    public String jdbcUrl() {
        requireStarted(name);
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
    }

    /** {@code postgres://user:password@host:port/name}, the form a {@code DATABASE_URL} usually takes. */
    public String url() {
        requireStarted(name);
        String credentials = encode(server.user()) + (server.password().isEmpty() ? "" : ":" + encode(server.password()));
        return "postgres://" + credentials + "@" + server.host() + ":" + server.port() + "/" + name;
    }

    /** The user to connect as. */
    public String user() {
        requireStarted(name);
        return server.user();
    }

    /** That user's password (empty for the embedded server, which trusts local connections). */
    public String password() {
        requireStarted(name);
        return server.password();
    }

    /** An unpooled data source for this database. */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl());
        dataSource.setUser(user());
        dataSource.setPassword(password());
        return dataSource;
    }

    /** A new connection to this database. */
    public Connection connect() throws SQLException {
        return connect(name());
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database,
                server.user(), server.password());
    }

    private static String databaseNameFor(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        return "test_" + base.substring(0, Math.min(base.length(), 40)) + "_" + random;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> T requireStarted(T value) {
        if (value == null) {
            throw new IllegalStateException("TestDatabase is not started: register it on a static @RegisterExtension field");
        }
        return value;
    }
}
