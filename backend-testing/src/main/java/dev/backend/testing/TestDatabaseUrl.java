package dev.backend.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code TEST_DATABASE_URL} read as backend-server reads {@code DATABASE_URL}: a libpq URI, {@code
 * postgres://user:password@host:5432/postgres} ({@code postgresql://} too), or a pgJDBC URL, {@code
 * jdbc:postgresql://host:5432/postgres?user=..&password=..}, split and percent-decoded by libpq's rules (PostgreSQL
 * docs §32.1.1.2; {@code conninfo_uri_parse_options} and {@code conninfo_uri_decode} in {@code fe-connect.c}).
 *
 * <p>The user information ends at the first {@code @} before any {@code /}, so {@code #}, {@code ?} and spaces may
 * stand unencoded in a password; {@code %XX} takes ASCII hex digits only, never {@code %00}, {@code +} stays a plus,
 * other characters stand for their UTF-8 bytes, and the decoded bytes must be UTF-8. A libpq URI's query may set
 * {@code host}, {@code hostaddr}, {@code port}, {@code dbname}, {@code user} and {@code password}; a pgJDBC URL's
 * {@code user} and {@code password}. Other parameters are not applied: {@code TestDatabase} connects with these
 * alone.
 *
 * <p>backend-server's own parser ({@code ConnectionString}, {@code DatabaseUrl}) cannot be used here: its tests
 * depend on this module. Its tests and this module's read the same cases ({@code database-url-cases.tsv} in
 * backend-server's test resources). No message repeats the value, which may hold a password.
 */
final class TestDatabaseUrl {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final String ENCODING_HINT = "percent-encode special characters in the user name and password"
            + " (@ as %40, : as %3A, / as %2F, % as %25)";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    private TestDatabaseUrl() {}

    /**
     * The server {@code value} names; without a user it is {@code postgres}, without a port 5432, without a
     * database {@code postgres}.
     *
     * @throws IllegalArgumentException naming {@code TEST_DATABASE_URL} and what is wrong, never repeating the value
     */
    static PostgresServer.External parse(String value) {
        try {
            return read(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PostgresServer.URL_VARIABLE + " is not valid: " + e.getMessage());
        }
    }

    private static PostgresServer.External read(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        boolean jdbc = lower.startsWith(JDBC_PREFIX);
        if (!jdbc && !lower.startsWith("postgresql://") && !lower.startsWith("postgres://")) {
            throw new IllegalArgumentException("expected postgres://user:password@host:5432/postgres (or "
                    + "postgresql://...) or jdbc:postgresql://host:5432/postgres?user=..&password=..; keyword=value "
                    + "pairs are not read here");
        }
        String rest = text.substring(lower.indexOf("://") + 3);
        // libpq keeps the last value of a keyword: the query's override the parts'.
        Map<String, String> settings = new HashMap<>();
        int p = 0;
        // libpq looks for the end of the user information before the first '/' only.
        int at = firstOf(rest, 0, "@/");
        if (at < rest.length() && rest.charAt(at) == '@') {
            int colon = rest.indexOf(':');
            if (colon >= 0 && colon < at) {
                settings.put("user", decode(rest.substring(0, colon), "user name"));
                settings.put("password", decode(rest.substring(colon + 1, at), "password"));
            } else {
                settings.put("user", decode(rest.substring(0, at), "user name"));
            }
            p = at + 1;
        }
        String host;
        if (p < rest.length() && rest.charAt(p) == '[') {
            int close = rest.indexOf(']', p);
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 address opened with '[' has no ']'");
            }
            if (close == p + 1) {
                throw new IllegalArgumentException("an IPv6 address between '[' and ']' is empty");
            }
            host = rest.substring(p + 1, close);
            p = close + 1;
            if (p < rest.length() && ":/?,".indexOf(rest.charAt(p)) < 0) {
                throw new IllegalArgumentException("an IPv6 address in '[...]' must be followed by ':', '/', '?', "
                        + "',' or the end");
            }
        } else {
            int end = firstOf(rest, p, ":/?,");
            host = rest.substring(p, end);
            p = end;
        }
        if (!host.isEmpty()) {
            settings.put("host", decode(host, "host"));
        }
        if (p < rest.length() && rest.charAt(p) == ':') {
            int end = firstOf(rest, p + 1, "/?,");
            if (end > p + 1) {
                settings.put("port", decode(rest.substring(p + 1, end), "port"));
            }
            p = end;
        }
        if (p < rest.length() && rest.charAt(p) == ',') {
            throw new IllegalArgumentException("it names several hosts; TestDatabase creates its databases on one "
                    + "server: name one");
        }
        if (p < rest.length() && rest.charAt(p) == '/') {
            int end = firstOf(rest, p + 1, "?");
            String dbname = rest.substring(p + 1, end);
            if (dbname.indexOf('@') >= 0) {
                throw new IllegalArgumentException("the database name contains '@' (write %40 if it really does); "
                        + ENCODING_HINT);
            }
            settings.put("dbname", decode(dbname, "database name"));
            p = end;
        }
        if (p < rest.length() && rest.charAt(p) == '?') {
            query(rest.substring(p + 1), jdbc, settings);
        }
        return server(settings);
    }

    private static void query(String query, boolean jdbc, Map<String, String> settings) {
        int p = 0;
        boolean afterSecret = false;
        int count = 0;
        while (p < query.length()) {
            int end = firstOf(query, p, "&");
            String pair = query.substring(p, end);
            int eq = pair.indexOf('=');
            count++;
            if (jdbc && eq < 0) {
                // pgJDBC reads a name alone as an empty value, and splits name=value at the first '='.
                pair = pair + "=";
                eq = pair.length() - 1;
            } else if (!jdbc && (eq < 0 || pair.indexOf('=', eq + 1) >= 0)) {
                throw new IllegalArgumentException("query parameter " + count + " is not name=value"
                        + (afterSecret ? " (an unencoded & or = in the password before it? write %26, %3D)"
                                : " (write = in a value as %3D, & as %26)"));
            }
            String keyword = decode(pair.substring(0, eq), "parameter name");
            String value = decode(pair.substring(eq + 1), "parameter value");
            boolean read = jdbc ? keyword.equals("user") || keyword.equals("password")
                    : keyword.equals("user") || keyword.equals("password") || keyword.equals("host")
                            || keyword.equals("hostaddr") || keyword.equals("port") || keyword.equals("dbname");
            if (read && value.isEmpty()) {
                // libpq: an empty value is no value; pgJDBC: an empty user or password is none.
                settings.remove(keyword);
            } else if (read) {
                settings.put(keyword, value);
            }
            String lower = keyword.toLowerCase(Locale.ROOT);
            afterSecret = lower.contains("password") || lower.contains("secret") || lower.startsWith("scram_");
            p = end + 1;
        }
    }

    private static PostgresServer.External server(Map<String, String> settings) {
        String host = settings.get("host");
        String hostaddr = settings.get("hostaddr");
        if (host != null && hostaddr != null) {
            throw new IllegalArgumentException("hostaddr beside host: libpq connects to the address and "
                    + "authenticates the name, pgJDBC can only connect to the name; give one of them");
        }
        String name = host != null ? host : hostaddr;
        if (name == null || name.isEmpty() || name.startsWith("/") || name.startsWith("@")
                || name.matches("[A-Za-z]:[\\\\/].*")) {
            throw new IllegalArgumentException("the host is missing, empty, a directory or starts with @, which to "
                    + "libpq means a Unix-domain socket; pgJDBC connects over TCP only: name a host, e.g. localhost");
        }
        if (name.indexOf(',') >= 0) {
            throw new IllegalArgumentException("it names several hosts; TestDatabase creates its databases on one "
                    + "server: name one");
        }
        if (name.indexOf(':') != name.lastIndexOf(':') && IPV6.matcher(name).matches()) {
            name = "[" + name + "]";
        } else if (!HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the host is not a host name or IP address (letters, digits, '-', "
                    + "'.', '_', or an IPv6 address in [...])" + (name.indexOf('@') >= 0
                            ? "; an unencoded '@' in the password? " + ENCODING_HINT : ""));
        }
        String port = setting(settings, "port", "").strip();
        if (port.isEmpty()) {
            port = "5432";
        } else if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("the port must be a number from 1 to 65535");
        }
        return new PostgresServer.External(name, Integer.parseInt(port), setting(settings, "user", "postgres"),
                setting(settings, "password", ""), setting(settings, "dbname", "postgres"));
    }

    /** As libpq, an empty value is none ({@code postgres://:secret@host} names no user). */
    private static String setting(Map<String, String> settings, String keyword, String fallback) {
        String value = settings.get(keyword);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /**
     * libpq's percent-decoding, byte by byte ({@code conninfo_uri_decode}): {@code %XX} with ASCII hex digits
     * only, never {@code %00}, and {@code +} stays a plus; other text passes through as its UTF-8 bytes, and the
     * decoded bytes must be UTF-8. {@link java.net.URLDecoder} differs on each: it reads Arabic-Indic digits as
     * hex, passes {@code %00}, turns bytes that are not UTF-8 into U+FFFD and quotes the text in its errors.
     */
    static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            int percent = text.indexOf('%', i);
            int end = percent < 0 ? text.length() : percent;
            if (end > i) {
                // A whole run at once: encoding char by char would split a surrogate pair into two '?'.
                try {
                    ByteBuffer run = utf8.encode(CharBuffer.wrap(text, i, end));
                    bytes.write(run.array(), run.arrayOffset() + run.position(), run.remaining());
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("the " + what + " holds a lone UTF-16 surrogate, which is"
                            + " not text");
                }
                i = end;
                continue;
            }
            int high = i + 2 < text.length() ? hexDigit(text.charAt(i + 1)) : -1;
            int low = high < 0 ? -1 : hexDigit(text.charAt(i + 2));
            if (low < 0) {
                throw new IllegalArgumentException("a '%' in the " + what + " is not followed by two hex digits; "
                        + ENCODING_HINT);
            }
            if (high == 0 && low == 0) {
                throw new IllegalArgumentException("the " + what + " contains %00, which libpq forbids");
            }
            bytes.write(high * 16 + low);
            i += 3;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent-encoded bytes of the " + what + " are not UTF-8");
        }
    }

    /** An ASCII hex digit's value, else -1, as libpq's {@code get_hexdigit}. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        } else if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int firstOf(String text, int from, String characters) {
        for (int i = from; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
