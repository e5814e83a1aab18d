package dev.backend.server;

import dev.backend.server.ConnectionString.Setting;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.PGProperty;

/**
 * A PostgreSQL location as libpq accepts it, made into what pgJDBC needs: a JDBC URL, a user and a password.
 *
 * <p>Three forms are read ({@link #parse(String)}):
 * <ul>
 * <li>a libpq URI, {@code postgres://app:secret@pg_primary:5432/app?sslmode=require} ({@code postgresql://}
 *     too), by libpq's rules: percent-decoding in every part, {@code [::1]} for IPv6, several hosts ({@code
 *     h1:5432,h2:5433}), and query parameters that override the parts ({@code ?host=..&port=..&dbname=..});
 * <li>libpq keyword/value pairs, {@code host=pg_primary port=5432 dbname=app user=app password='a b'};
 * <li>a pgJDBC URL, {@code jdbc:postgresql://host:5432/db?user=..&password=..}, whose parameters are pgJDBC's
 *     and passed on as they are.
 * </ul>
 * libpq's parameters are translated to pgJDBC's ({@code application_name} to {@code ApplicationName}, {@code
 * connect_timeout} to {@code connectTimeout}, {@code target_session_attrs=read-write} to {@code
 * targetServerType=primary}, ...). Where pgJDBC cannot do what libpq would (a Unix-domain socket, {@code
 * service}, {@code hostaddr} beside {@code host}, {@code sslmode=prefer} verifying with a root certificate,
 * ...), the value is refused with a message that says so, rather than connecting some other way. A name that
 * is not libpq's but is one of pgJDBC's connection properties ({@code prepareThreshold=0}, {@code
 * preferQueryMode=simple}, {@code reWriteBatchedInserts=true}) is passed to pgJDBC as it is; where it sets what
 * a libpq parameter also sets, it wins. Any other name is refused.
 *
 * <p>libpq's environment variables ({@code PGHOST}, {@code PGPASSWORD}, ...) are not read: the location says
 * everything. Without a port, 5432; without a database, the user's name; without a user, the operating
 * system's (as in libpq); without a password, pgJDBC looks in {@code PGPASSFILE} or {@code ~/.pgpass}.
 *
 * <p>{@link #toString()} and {@link #masked()} never show the password, and no message of {@link
 * #parse(String)} repeats any part of the value, so both are safe for logs.
 *
 * @param jdbcUrl the JDBC URL without credentials
 * @param user the user, if the URL names one
 * @param password the password, if the URL has one
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";

    /** pgJDBC properties that the location itself sets, so they may not be given by name. */
    private static final Set<String> STRUCTURAL = Set.of("PGHOST", "PGPORT", "PGDBNAME");

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    /** Checks that {@code jdbcUrl} is a PostgreSQL JDBC URL. */
    public DatabaseUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with " + JDBC_PREFIX);
        }
    }

    /**
     * Parses {@code value}; the message of the exception says what is wrong, without repeating the value.
     *
     * @param value a libpq URI, libpq keyword/value pairs or a pgJDBC URL (see the class description)
     * @return the location, with libpq's parameters translated to pgJDBC's
     * @throws IllegalArgumentException if the value is in none of the forms, names a parameter neither libpq nor
     *     pgJDBC knows, or asks for what pgJDBC cannot do as libpq would (a Unix-domain socket, {@code service},
     *     ...); the message never repeats the value, so it is safe to log
     */
    public static DatabaseUrl parse(String value) {
        return parse(value, Path.of(System.getProperty("user.home"), ".postgresql", "root.crt"));
    }

    /**
     * Parses {@code value}; {@code defaultRootCertificate} is where libpq and pgJDBC look for the root
     * certificate when {@code sslrootcert} is not given.
     */
    static DatabaseUrl parse(String value, Path defaultRootCertificate) {
        String text = value.strip();
        if (text.regionMatches(true, 0, JDBC_PREFIX, 0, JDBC_PREFIX.length())) {
            return fromJdbc(ConnectionString.uri(text.substring(JDBC_PREFIX.length()), true));
        }
        List<Setting> settings;
        if (ConnectionString.isUri(text)) {
            settings = ConnectionString.uri(text.substring(text.indexOf("://") + 3), false).settings();
        } else if (text.indexOf('=') >= 0) {
            settings = ConnectionString.keywordValue(text);
        } else {
            throw new IllegalArgumentException("expected postgres://user:password@host:5432/database (or "
                    + "postgresql://...), keyword=value pairs such as host=... dbname=..., or jdbc:postgresql://...");
        }
        return fromLibpq(settings, defaultRootCertificate);
    }

    private static DatabaseUrl fromLibpq(List<Setting> settings, Path defaultRootCertificate) {
        Map<String, String> libpq = new LinkedHashMap<>();
        Map<String, String> pgjdbc = new LinkedHashMap<>();
        for (int i = 0; i < settings.size(); i++) {
            Setting setting = settings.get(i);
            String keyword = setting.keyword();
            if (LibpqParameters.KEYWORDS.contains(keyword)) {
                if (setting.value().isEmpty()) {
                    libpq.remove(keyword);
                } else {
                    libpq.put(keyword, setting.value());
                }
            } else if (STRUCTURAL.contains(keyword)) {
                throw new IllegalArgumentException(keyword + " is what the location itself sets: use host, port and "
                        + "dbname");
            } else if (PGProperty.forName(keyword) != null) {
                pgjdbc.put(keyword, setting.value());
            } else if (i > 0 && ConnectionString.isSecret(settings.get(i - 1).keyword())) {
                throw new IllegalArgumentException("the parameter after " + settings.get(i - 1).keyword() + " is "
                        + "neither a libpq keyword nor a pgJDBC property: is a space, & or = in the value before it "
                        + "not encoded?");
            } else {
                throw new IllegalArgumentException("unknown parameter '" + keyword + "': neither a libpq keyword nor "
                        + "a pgJDBC connection property");
            }
        }
        Map<String, String> properties = LibpqParameters.toPgjdbc(libpq, defaultRootCertificate);
        properties.putAll(pgjdbc);
        return build(hosts(libpq.get("host"), libpq.get("hostaddr"), libpq.get("port")),
                Optional.ofNullable(libpq.get("dbname")), properties, Optional.ofNullable(libpq.get("user")),
                Optional.ofNullable(libpq.get("password")));
    }

    private static DatabaseUrl fromJdbc(ConnectionString.Uri uri) {
        Map<String, String> parts = new LinkedHashMap<>();
        uri.parts().forEach(s -> parts.put(s.keyword(), s.value()));
        Map<String, String> properties = new LinkedHashMap<>();
        Optional<String> user = Optional.ofNullable(parts.get("user")).filter(s -> !s.isEmpty());
        Optional<String> password = Optional.ofNullable(parts.get("password")).filter(s -> !s.isEmpty());
        for (Setting s : uri.query()) {
            switch (s.keyword()) {
                case "user" -> user = Optional.of(s.value()).filter(v -> !v.isEmpty());
                case "password" -> password = Optional.of(s.value()).filter(v -> !v.isEmpty());
                default -> properties.put(s.keyword(), s.value());
            }
        }
        return build(hosts(parts.get("host"), null, parts.get("port")),
                Optional.ofNullable(parts.get("dbname")).filter(s -> !s.isEmpty()), properties, user, password);
    }

    private static DatabaseUrl build(List<String> hosts, Optional<String> dbname, Map<String, String> properties,
            Optional<String> user, Optional<String> password) {
        StringBuilder url = new StringBuilder(JDBC_PREFIX).append(String.join(",", hosts)).append('/');
        dbname.ifPresent(d -> url.append(encode(d)));
        String separator = "?";
        for (Map.Entry<String, String> p : properties.entrySet()) {
            url.append(separator).append(p.getKey()).append('=').append(encode(p.getValue()));
            separator = "&";
        }
        return new DatabaseUrl(url.toString(), user.filter(s -> !s.isEmpty()), password.filter(s -> !s.isEmpty()));
    }

    /** {@code host:port} for each host, as pgJDBC reads them (it URL-decodes neither, and needs [] for IPv6). */
    private static List<String> hosts(String host, String hostaddr, String port) {
        if (host != null && hostaddr != null) {
            throw new IllegalArgumentException("hostaddr beside host: libpq connects to the address and authenticates "
                    + "the name, pgJDBC can only connect to the name; give one of them");
        }
        String list = host != null ? host : hostaddr;
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException("the URL names no host, and libpq would then use the local Unix-domain "
                    + "socket, which pgJDBC cannot (it connects over TCP): name the host, e.g. localhost");
        }
        String[] names = list.split(",", -1);
        String[] ports = port == null ? new String[0] : port.split(",", -1);
        if (ports.length > 1 && ports.length != names.length) {
            throw new IllegalArgumentException(ports.length + " ports for " + names.length + " hosts: give one port "
                    + "for all, or one for each");
        }
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            String p = ports.length == 0 ? "" : ports[ports.length == 1 ? 0 : i].strip();
            hosts.add(host(names[i], i + 1, names.length) + (p.isEmpty() ? "" : ":" + port(p)));
        }
        return hosts;
    }

    private static String host(String name, int index, int count) {
        String which = count == 1 ? "the host" : "host " + index;
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("@") || name.matches("[A-Za-z]:[\\\\/].*")) {
            throw new IllegalArgumentException(which + (name.isEmpty() ? " is empty, which" : " is a directory, or "
                    + "starts with @, which") + " to libpq means a Unix-domain socket; pgJDBC connects over TCP only: "
                    + "name a host, e.g. localhost");
        }
        if (name.indexOf(':') != name.lastIndexOf(':') && IPV6.matcher(name).matches()) {
            return "[" + name + "]";
        }
        if (!HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(which + " is not a host name or IP address (letters, digits, '-', "
                    + "'.', '_', or an IPv6 address in [...])" + (name.indexOf('@') >= 0
                            ? "; an unencoded '@' in the password? " + ConnectionString.ENCODING_HINT : ""));
        }
        return name;
    }

    private static String port(String port) {
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("the port must be a number from 1 to 65535");
        }
        return port;
    }

    /** pgJDBC reads a value with URLDecoder, so {@code +} must be encoded, and a space may be {@code +}. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * {@code postgres://user:***@host:port/db?..}: safe for logs, password-like parameters masked too.
     *
     * @return the location as a libpq URI, {@code postgres://user:***@host:port/db?..}, with the password and
     *     password-like parameters masked
     */
    public String masked() {
        String rest = jdbcUrl.substring(JDBC_PREFIX.length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            List<String> params = new ArrayList<>();
            for (String pair : rest.substring(q + 1).split("&")) {
                String name = parameterName(pair);
                params.add(ConnectionString.isSecret(name) ? name + "=***" : pair);
            }
            rest = rest.substring(0, q + 1) + String.join("&", params);
        }
        // libpq reads a + as a plus, so a space is %20 here.
        String credentials = user.map(u -> encode(u).replace("+", "%20") + (password.isPresent() ? ":***" : "") + "@")
                .orElse(password.isPresent() ? ":***@" : "");
        return "postgres://" + credentials + rest;
    }

    /** {@return the JDBC URL without its property {@code name}, so that a property given beside it applies} */
    String jdbcUrlWithout(String name) {
        int q = jdbcUrl.indexOf('?');
        if (q < 0) {
            return jdbcUrl;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : jdbcUrl.substring(q + 1).split("&")) {
            if (!parameterName(pair).equals(name)) {
                kept.add(pair);
            }
        }
        return jdbcUrl.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    /** The name of a {@code name=value} pair of the JDBC URL's query. */
    private static String parameterName(String pair) {
        int eq = pair.indexOf('=');
        return eq < 0 ? pair : pair.substring(0, eq);
    }

    @Override
    public String toString() {
        return masked();
    }
}
