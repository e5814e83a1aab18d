package dev.backend.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh PostgreSQL database for each test class, on a real server, so classes never see each other's
 * rows; optionally with the application's migrations applied once, and put back to the state they left
 * before each test method.
 *
 * <p>The server is chosen once per JVM: the one {@code TEST_DATABASE_URL} names (its user must be allowed
 * to {@code CREATE DATABASE}); else a Testcontainers {@code postgres:18-alpine} when run with {@code
 * -Dbackend.test.db=testcontainers} and Docker answers; else embedded PostgreSQL (real binaries, no Docker).
 * The same tests run unchanged against all three.
 *
 * {@snippet :
 * class UsersApiTest {
 *     @RegisterExtension
 *     static final TestDatabase DB = new TestDatabase()
 *             .withMigrations(dataSource -> Migrator.create(dataSource, App.MIGRATIONS, Config.defaults().migrations())
 *                     .migrate())
 *             .withResetBeforeEachTest();
 *
 *     @Test
 *     void createsAUser() {
 *         TestClient client = TestClient.of(App.server().config(Config.defaults()).handler(DB.dataSource()));
 *         assertEquals(201, client.post("/api/users", Map.of("email", "a@example.com")).status());
 *     }
 * }
 * }
 *
 * <p>Register it on a {@code static} field: the database lives from before the first test of the class to
 * after the last, and is dropped then. Its name and URL stay the same for the whole class, so a server or
 * pool started once per class keeps working across the resets.
 *
 * <p>The migrations are whatever {@link Migrations} does with the database: backend-server's {@code
 * Migrator}, as above, or Flyway, Liquibase, a SQL file. A hook instead of a dependency keeps this module
 * free of backend-server for applications that use neither, and backend-server's own tests depend on this
 * module, not the other way round.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestDatabase.class);
    /** How long a reset waits for a lock another connection holds: generous, the machines may be busy. */
    private static final Duration RESET_LOCK_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Brings a new, empty database to the application's schema, once per test class.
     *
     * {@snippet :
     * TestDatabase.Migrations migrations = dataSource -> Flyway.configure().dataSource(dataSource).load().migrate();
     * }
     */
    @FunctionalInterface
    public interface Migrations {
        /**
         * Applies the migrations to the database {@code dataSource} connects to.
         *
         * @param dataSource the class's new database
         * @throws Exception any failure, which fails the class's tests
         */
        void apply(DataSource dataSource) throws Exception;
    }

    private final Optional<Migrations> migrations;
    private final boolean resetBeforeEachTest;
    private PostgresServer server;
    private String name;
    private Baseline baseline;

    /** An extension to register on a static field: an empty database per class, kept as the tests leave it. */
    public TestDatabase() {
        this(Optional.empty(), false);
    }

    private TestDatabase(Optional<Migrations> migrations, boolean resetBeforeEachTest) {
        this.migrations = migrations;
        this.resetBeforeEachTest = resetBeforeEachTest;
    }

    /**
     * A copy that applies {@code migrations} to the class's database before its first test.
     *
     * @param migrations what brings the empty database to the application's schema
     * @return the copy, to register
     */
    public TestDatabase withMigrations(Migrations migrations) {
        return new TestDatabase(Optional.of(Objects.requireNonNull(migrations, "migrations")), resetBeforeEachTest);
    }

    /**
     * A copy that, before each test method, puts the data back as the migrations left it: every table they
     * created is emptied ({@code TRUNCATE}), the rows they inserted (their history, seed data) are copied
     * back, and every sequence gets its value back. The test methods of the class must run one at a time.
     * Tables a test creates, and changes to the schema, are not undone.
     *
     * <p>On embedded PostgreSQL 18 this measured several times faster than cloning a template database per
     * method ({@code CREATE DATABASE ... TEMPLATE}), and it keeps one database, and URL, for the whole class.
     *
     * @return the copy, to register
     */
    public TestDatabase withResetBeforeEachTest() {
        return new TestDatabase(migrations, true);
    }

    @Override
    @SuppressWarnings("deprecation") // getOrComputeIfAbsent: see ServerResource
    public void beforeAll(ExtensionContext context) throws Exception {
        // The root store outlives every class and closes the server when the whole run ends.
        server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(ServerResource.class, key -> new ServerResource(PostgresServer.start()),
                        ServerResource.class)
                .server();
        name = databaseNameFor(context.getRequiredTestClass());
        try (Connection admin = connect(server.adminDatabase()); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        if (migrations.isPresent()) {
            migrations.get().apply(dataSource());
        }
        if (resetBeforeEachTest) {
            try (Connection connection = connect()) {
                baseline = Baseline.take(connection);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        if (baseline != null) {
            try (Connection connection = connect()) {
                baseline.restore(connection, RESET_LOCK_TIMEOUT);
            }
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

    /**
     * Holds the server in the root store through the API JUnit Jupiter 5 and 6 both have, so the user's JUnit
     * decides the version: 6 deprecates {@code getOrComputeIfAbsent} and {@code CloseableResource} for {@code
     * computeIfAbsent} and {@code AutoCloseable} values, which 5 before 5.13 does not have or does not close.
     * Both interfaces, one {@code close()}: before 5.13 JUnit closes it as a {@code CloseableResource}; from 5.13
     * on as an {@code AutoCloseable}, once, and without its warning for a value that is only the former.
     */
    @SuppressWarnings("deprecation")
    private record ServerResource(PostgresServer server)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    /**
     * {@return the database name: {@code test_}, the test class's simple name in lower case, and a random hex
     * suffix, unique to this class and run}
     *
     * @throws IllegalStateException if the extension has not started (it is not on a static field)
     */
    public String name() {
        return requireStarted(name);
    }

    /**
     * {@return the pgJDBC URL {@code jdbc:postgresql://host:port/name}, without credentials (pass {@link #user()}
     * and {@link #password()} separately)}
     *
     * @throws IllegalStateException if the extension has not started
     */
    public String jdbcUrl() {
        requireStarted(name);
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
    }

    /**
     * {@return the libpq connection URI {@code postgres://user:password@host:port/name}, the form a {@code
     * DATABASE_URL} usually takes; user and password are percent-encoded, and the password and its colon are
     * left out when it is empty}
     *
     * @throws IllegalStateException if the extension has not started
     */
    public String url() {
        requireStarted(name);
        String credentials = encode(server.user()) + (server.password().isEmpty() ? "" : ":" + encode(server.password()));
        return "postgres://" + credentials + "@" + server.host() + ":" + server.port() + "/" + name;
    }

    /**
     * {@return the user to connect as}
     *
     * @throws IllegalStateException if the extension has not started
     */
    public String user() {
        requireStarted(name);
        return server.user();
    }

    /**
     * {@return that user's password: empty for the embedded server, which trusts local connections}
     *
     * @throws IllegalStateException if the extension has not started
     */
    public String password() {
        requireStarted(name);
        return server.password();
    }

    /**
     * {@return a new unpooled pgJDBC data source for this database: each {@code getConnection()} opens a
     * connection, so close what you take}
     *
     * @throws IllegalStateException if the extension has not started
     */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl());
        dataSource.setUser(user());
        dataSource.setPassword(password());
        return dataSource;
    }

    /**
     * {@return a new connection to this database, which the caller closes}
     *
     * @throws SQLException if the server refuses or cannot be reached
     * @throws IllegalStateException if the extension has not started
     */
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
