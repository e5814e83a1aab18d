package dev.backend.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A libpq connection string read by libpq's rules (PostgreSQL docs §32.1.1; {@code conninfo_parse} and {@code
 * conninfo_uri_parse_options} in {@code fe-connect.c}) into the keyword/value settings it stands for, in the
 * order given, so that a later one overrides an earlier one as in libpq.
 *
 * <p>The URI form {@code postgresql://[user[:password]@][host][:port][,...][/dbname][?name=value[&...]]}
 * ({@code postgres://} too): its parts become the settings {@code user}, {@code password}, {@code host}, {@code
 * port} and {@code dbname}, each percent-decoded, followed by the query's; {@code [...]} encloses an IPv6
 * address; {@code ssl=true} in the query means {@code sslmode=require}. The keyword/value form {@code
 * host=localhost port=5432 dbname='my db'}: values may be single-quoted, and a backslash escapes the next
 * character. No message repeats the text, which may hold a password.
 */
final class ConnectionString {

    /** One setting, as libpq would store it. */
    record Setting(String keyword, String value) {}

    /**
     * A URI's settings: those of its user information, host list, port list and path ({@code user}, {@code
     * password}, {@code host}, {@code port}, {@code dbname}), then those of its query.
     */
    record Uri(List<Setting> parts, List<Setting> query) {
        /** All of them, in the order libpq stores them: the query's override the parts'. */
        List<Setting> settings() {
            List<Setting> all = new ArrayList<>(parts);
            all.addAll(query);
            return all;
        }
    }

    static final String ENCODING_HINT = "percent-encode special characters in the user name and password"
            + " (@ as %40, : as %3A, / as %2F, % as %25)";

    private ConnectionString() {}

    /** Whether {@code text} is a URI to libpq ({@code postgresql://} or {@code postgres://}, in any case). */
    static boolean isUri(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.startsWith("postgresql://") || lower.startsWith("postgres://");
    }

    /**
     * The settings of a URI, from after its {@code scheme://}. With {@code jdbc}, a pgJDBC URL: its query holds
     * pgJDBC's properties, read as pgJDBC reads them (a name alone is an empty value; {@code ssl=true} is
     * pgJDBC's, not libpq's).
     */
    static Uri uri(String rest, boolean jdbc) {
        List<Setting> settings = new ArrayList<>();
        List<Setting> query = new ArrayList<>();
        int p = 0;
        // libpq looks for the end of the user information before the first '/' only.
        int at = firstOf(rest, 0, "@/");
        if (at < rest.length() && rest.charAt(at) == '@') {
            int colon = rest.indexOf(':');
            if (colon >= 0 && colon < at) {
                add(settings, "user", decode(rest.substring(0, colon), "user name"));
                add(settings, "password", decode(rest.substring(colon + 1, at), "password"));
            } else {
                add(settings, "user", decode(rest.substring(0, at), "user name"));
            }
            p = at + 1;
        }
        StringBuilder hosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        char terminator;
        while (true) {
            if (p < rest.length() && rest.charAt(p) == '[') {
                int close = rest.indexOf(']', p);
                if (close < 0) {
                    throw new IllegalArgumentException("an IPv6 address opened with '[' has no ']'");
                }
                if (close == p + 1) {
                    throw new IllegalArgumentException("an IPv6 address between '[' and ']' is empty");
                }
                hosts.append(rest, p + 1, close);
                p = close + 1;
                if (p < rest.length() && ":/?,".indexOf(rest.charAt(p)) < 0) {
                    throw new IllegalArgumentException("an IPv6 address in '[...]' must be followed by ':', '/', "
                            + "'?', ',' or the end");
                }
            } else {
                int end = firstOf(rest, p, ":/?,");
                hosts.append(rest, p, end);
                p = end;
            }
            terminator = p < rest.length() ? rest.charAt(p) : '\0';
            if (terminator == ':') {
                int end = firstOf(rest, p + 1, "/?,");
                ports.append(rest, p + 1, end);
                p = end;
                terminator = p < rest.length() ? rest.charAt(p) : '\0';
            }
            if (terminator != ',') {
                break;
            }
            hosts.append(',');
            ports.append(',');
            p++;
        }
        if (!hosts.isEmpty()) {
            add(settings, "host", decode(hosts.toString(), "host"));
        }
        if (!ports.isEmpty()) {
            add(settings, "port", decode(ports.toString(), "port"));
        }
        if (terminator == '/') {
            int end = firstOf(rest, p + 1, "?");
            String dbname = rest.substring(p + 1, end);
            if (dbname.indexOf('@') >= 0) {
                // libpq would take it as part of the name, but it is far more often a password's unencoded '/'
                // having ended the user information early.
                throw new IllegalArgumentException("the database name contains '@' (write %40 if it really "
                        + "does); " + ENCODING_HINT);
            }
            add(settings, "dbname", decode(dbname, "database name"));
            p = end;
            terminator = p < rest.length() ? rest.charAt(p) : '\0';
        }
        if (terminator == '?') {
            query(rest.substring(p + 1), jdbc, query);
        }
        return new Uri(List.copyOf(settings), List.copyOf(query));
    }

    private static void query(String query, boolean jdbc, List<Setting> settings) {
        int p = 0;
        while (p < query.length()) {
            int end = firstOf(query, p, "&");
            String pair = query.substring(p, end);
            int eq = pair.indexOf('=');
            boolean afterSecret = !settings.isEmpty() && isSecret(settings.getLast().keyword());
            if (jdbc && eq < 0) {
                // pgJDBC reads a name alone as an empty value, and splits name=value at the first '='.
                pair = pair + "=";
                eq = pair.length() - 1;
            } else if (!jdbc && (eq < 0 || pair.indexOf('=', eq + 1) >= 0)) {
                throw new IllegalArgumentException("query parameter " + (settings.size() + 1) + " is not name=value"
                        + (afterSecret ? " (an unencoded & or = in the password before it? write %26, %3D)"
                                : " (write = in a value as %3D, & as %26)"));
            }
            String keyword = decode(pair.substring(0, eq), "parameter name");
            String value = decode(pair.substring(eq + 1), "parameter value");
            if (!jdbc && keyword.equals("ssl") && value.equals("true")) {
                // libpq's compatibility with JDBC URLs.
                add(settings, "sslmode", "require");
            } else {
                add(settings, keyword, value);
            }
            p = end + 1;
        }
    }

    /** The settings of a keyword/value string, such as {@code host=localhost port=5432 dbname=app}. */
    static List<Setting> keywordValue(String text) {
        List<Setting> settings = new ArrayList<>();
        int p = 0;
        int n = text.length();
        while (p < n) {
            if (space(text.charAt(p))) {
                p++;
                continue;
            }
            int start = p;
            while (p < n && text.charAt(p) != '=' && !space(text.charAt(p))) {
                p++;
            }
            String keyword = text.substring(start, p);
            while (p < n && space(text.charAt(p))) {
                p++;
            }
            boolean afterSecret = !settings.isEmpty() && isSecret(settings.getLast().keyword());
            if (p >= n || text.charAt(p) != '=') {
                throw new IllegalArgumentException("setting " + (settings.size() + 1) + " has no '=' after its name"
                        + (afterSecret ? " (a space in the password before it? quote the value: password='a b')" : ""));
            }
            p++;
            while (p < n && space(text.charAt(p))) {
                p++;
            }
            StringBuilder value = new StringBuilder();
            if (p < n && text.charAt(p) == '\'') {
                p++;
                while (true) {
                    if (p >= n) {
                        throw new IllegalArgumentException("the quoted value of setting " + (settings.size() + 1)
                                + " has no closing quote");
                    }
                    char c = text.charAt(p++);
                    if (c == '\\' && p < n) {
                        value.append(text.charAt(p++));
                    } else if (c == '\'') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
            } else {
                while (p < n && !space(text.charAt(p))) {
                    char c = text.charAt(p++);
                    if (c == '\\' && p < n) {
                        value.append(text.charAt(p++));
                    } else if (c != '\\') {
                        value.append(c);
                    }
                }
            }
            add(settings, keyword, value.toString());
        }
        return settings;
    }

    /** Whether a keyword's value is secret: never shown, and no later message quotes what follows it. */
    static boolean isSecret(String keyword) {
        String lower = keyword.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.startsWith("scram_");
    }

    private static void add(List<Setting> settings, String keyword, String value) {
        settings.add(new Setting(keyword, value));
    }

    /**
     * libpq's percent-decoding, byte by byte ({@code conninfo_uri_decode}): {@code %XX} with ASCII hex digits
     * only, never {@code %00}, and {@code +} stays a plus. Other text passes through as its UTF-8 bytes, so a
     * character outside the BMP next to an escape survives; the decoded bytes must be UTF-8.
     */
    private static String decode(String text, String what) {
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

    /**
     * An ASCII hex digit's value, else -1, as libpq's {@code get_hexdigit}: {@link Character#digit} would also take
     * Arabic-Indic and fullwidth digits, reading {@code %٤٠} as {@code @}.
     */
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

    /** C's isspace in the C locale, as libpq uses it. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }
}
