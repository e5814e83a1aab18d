package dev.backend.server;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import dev.backend.server.pgjdbc.PerHostConnectTimeout;
import org.postgresql.Driver;
import org.postgresql.jdbc.SslMode;

/**
 * Opens pgJDBC connections the way libpq bounds them: each host of the URL gets its own {@code connect_timeout} to
 * connect and log in, and a connection, once logged in, reads as long as its user allows. For the pool ({@link
 * ConnectionPool}, which HikariCP calls) and the migrations' connection ({@link MigrationConnection}) alike.
 *
 * <p>pgJDBC spends its {@code loginTimeout} and (since 42.7) its {@code connectTimeout} over all the hosts of a URL
 * together, where libpq's {@code connect_timeout} bounds each host (libpq's "Connection Strings" documentation).
 * With two hosts and the first one silent (its network dropping the connection request, or a server or proxy that
 * accepts the connection and never answers: an address being failed over, a backend gone), the first host used
 * the whole attempt and the second, which would have answered, was never tried: the start and {@code migrate}
 * failed every time. So here, with a per-host bound of the URL's {@code connectTimeout} (libpq's {@code
 * connect_timeout} becomes it; 0 waits for ever) or else the caller's:
 * <ul>
 *   <li>each host's TCP connect waits at most the bound ({@link PerHostConnectTimeout}, pgJDBC's {@code
 *       socketFactory}), and all of them together the bound times the number of tries (pgJDBC's {@code
 *       connectTimeout}): one per host, two under {@code sslmode=prefer} (the default) or {@code allow}, whose
 *       first try with TLS a silent host fails before pgJDBC tries it again without;
 *   <li>each of the login's reads waits at most the bound ({@code socketTimeout}; pgJDBC gives up that host when
 *       one times out, and tries the next);
 *   <li>the whole login waits at most the bound times the number of tries, and a second ({@code loginTimeout});
 *   <li>once logged in, the connection's reads wait {@code readTimeout} (pgJDBC's network timeout; 0 for ever),
 *       which HikariCP takes as the connection's own and restores after each of its checks.
 * </ul>
 * A {@code socketTimeout}, {@code loginTimeout} or {@code socketFactory} in the URL is the operator's own and is left
 * as given, during the login and after it.
 */
final class ConnectAttempts implements DataSource {

    private final Driver driver = new Driver();
    private final String jdbcUrl;
    private final Properties properties;
    /** The reads' bound once logged in, in milliseconds; -1 when the URL sets it ({@code socketTimeout}). */
    private final int readMillis;
    /** The whole login's bound in seconds, as pgJDBC's {@code loginTimeout} applies it; 0 for ever. */
    private final int loginSeconds;

    private ConnectAttempts(String jdbcUrl, Properties properties, int readMillis, int loginSeconds) {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.readMillis = readMillis;
        this.loginSeconds = loginSeconds;
    }

    /**
     * Connection attempts to {@code url}.
     *
     * @param connectSeconds how long each host's attempt may take, in seconds, unless the URL says ({@code
     *     connectTimeout}); 0 for ever
     * @param readSeconds how long a logged-in connection's read may wait, in seconds; 0 for ever
     * @param defaults pgJDBC properties the URL's own override, such as {@code ApplicationName}
     */
    static ConnectAttempts to(DatabaseUrl url, int connectSeconds, long readSeconds, Properties defaults) {
        // The URL as pgJDBC reads it: its parameters, decoded, and PGHOST, the comma-separated hosts. pgJDBC reads
        // them over the properties set here, so an operator's own always win; those are left as given.
        Properties given = Driver.parseURL(url.jdbcUrl(), null);
        if (given == null) { // not a URL pgJDBC reads, which DatabaseUrl never makes; pgJDBC says so when connecting
            given = new Properties();
        }
        Properties properties = new Properties();
        properties.putAll(defaults);
        url.user().ifPresent(user -> properties.setProperty("user", user));
        url.password().ifPresent(password -> properties.setProperty("password", password));
        // The URL's connectTimeout is per host here, as libpq's connect_timeout: pgJDBC's own is for all hosts. One
        // that is not a number stays in the URL, for pgJDBC to refuse as before.
        OptionalLong fromUrl = wholeSeconds(given.getProperty("connectTimeout"));
        long perHost = fromUrl.orElse(connectSeconds);
        String jdbcUrl = fromUrl.isPresent() ? url.jdbcUrlWithout("connectTimeout") : url.jdbcUrl();
        int hosts = given.getProperty("PGHOST", "").split(",", -1).length;
        long allHosts = Math.min(Integer.MAX_VALUE / 1000, perHost * hosts * triesPerHost(given));
        properties.setProperty("connectTimeout", Long.toString(allHosts));
        if (given.getProperty("socketFactory") == null) {
            properties.setProperty("socketFactory", PerHostConnectTimeout.class.getName());
            properties.setProperty("socketFactoryArg", Long.toString(perHost * 1000));
        }
        int readMillis = -1;
        if (given.getProperty("socketTimeout") == null) {
            properties.setProperty("socketTimeout", Long.toString(perHost));
            readMillis = (int) Math.min(Integer.MAX_VALUE, readSeconds * 1000);
        }
        // A second over the tries' bounds, so that those always end a silent host first, and the failure says which
        // read timed out, rather than racing the last host's read with the same deadline.
        long login = allHosts == 0 ? 0 : allHosts + 1;
        String loginTimeout = given.getProperty("loginTimeout");
        if (loginTimeout == null) {
            properties.setProperty("loginTimeout", Long.toString(login));
        } else { // the operator's, as pgJDBC reads it; one it cannot read is refused when connecting
            try {
                login = Math.max(0, Integer.parseInt(loginTimeout));
            } catch (NumberFormatException e) {
                login = 0;
            }
        }
        return new ConnectAttempts(jdbcUrl, properties, readMillis, (int) login);
    }

    /**
     * How many times pgJDBC connects to each host: twice under {@code sslmode=prefer} (the default) and {@code
     * allow}, which try once with TLS and once without, a silent host failing both (each held to the bound); else
     * once. A mode pgJDBC will refuse counts as two, so the bound is never the shorter for it.
     */
    private static int triesPerHost(Properties given) {
        try {
            SslMode mode = SslMode.of(given);
            return mode == SslMode.PREFER || mode == SslMode.ALLOW ? 2 : 1;
        } catch (SQLException | RuntimeException e) {
            return 2;
        }
    }

    /** A number of seconds as pgJDBC reads one (0 or less waits for ever, as in libpq); empty if none or not one. */
    private static OptionalLong wholeSeconds(String value) {
        try {
            return value == null ? OptionalLong.empty()
                    : OptionalLong.of(Math.min(Integer.MAX_VALUE / 1000, Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = driver.connect(jdbcUrl, properties);
        if (connection == null) { // pgJDBC answers null for a URL not its own, which DatabaseUrl never makes
            throw new SQLException("Not a PostgreSQL URL: " + jdbcUrl);
        }
        if (readMillis >= 0) {
            try {
                connection.setNetworkTimeout(Runnable::run, readMillis);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    /** Credentials other than the URL's are not taken: the URL is the one place that says where and as whom. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("The user and password come from the database URL");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // pgJDBC logs through java.util.logging, which the application's SLF4J binding receives.
    }

    /** Ignored: the login's bound is the one {@link #to} set from the URL (HikariCP sets one from its own). */
    @Override
    public void setLoginTimeout(int seconds) {}

    /**
     * {@return how long a whole login may take, in seconds (0: for ever)} HikariCP waits that long at shutdown for
     * the connection it may be opening; at 0 it gave up at once and warned at every stop that found one opening.
     */
    @Override
    public int getLoginTimeout() {
        return loginSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("Not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
