package dev.backend.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A PostgreSQL location as users write it: {@code postgres://user:pass@host:5432/db?sslmode=require}
 * (also {@code postgresql://}) or {@code jdbc:postgresql://host:5432/db?user=..&password=..}.
 *
 * <p>Special characters in the user name and password must be percent-encoded, as libpq requires
 * ({@code @} as {@code %40}, {@code :} as {@code %3A}, {@code /} as {@code %2F}, {@code #} as {@code
 * %23}). {@link #toString()} and {@link #masked()} never show the password, and no message of {@link
 * #parse(String)} repeats any part of the value, so both are safe for logs.
 *
 * @param jdbcUrl the JDBC URL without credentials
 * @param user the user, if the URL names one
 * @param password the password, if the URL has one
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final String ENCODING_HINT = "percent-encode special characters in the user name and password"
            + " (@ as %40, : as %3A, / as %2F, # as %23, ? as %3F)";

    /** Checks that {@code jdbcUrl} is a PostgreSQL JDBC URL. */
    public DatabaseUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with " + JDBC_PREFIX);
        }
    }

    /** Parses {@code value}; the message of the exception says what is wrong, without repeating the value. */
    public static DatabaseUrl parse(String value) {
        String trimmed = value.strip();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith(JDBC_PREFIX)) {
            rest = trimmed.substring(JDBC_PREFIX.length());
        } else if (lower.startsWith("postgres://")) {
            rest = trimmed.substring("postgres://".length());
        } else if (lower.startsWith("postgresql://")) {
            rest = trimmed.substring("postgresql://".length());
        } else {
            throw new IllegalArgumentException("expected postgres://user:password@host:5432/database, "
                    + "postgresql://... or jdbc:postgresql://host:5432/database");
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            // The exception's own message quotes the input, password included: never pass it on.
            throw new IllegalArgumentException("not a valid URL; " + ENCODING_HINT);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the URL contains '#'; " + ENCODING_HINT);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("the URL has no host, or an unencoded character hides it; " + ENCODING_HINT);
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("the port must be from 1 to 65535");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty()) {
            throw new IllegalArgumentException("the URL names no database (add /database after the host)");
        }
        if (database.contains("/")) {
            throw new IllegalArgumentException("the database name contains '/'; " + ENCODING_HINT);
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = Optional.of(decode(parts[0])).filter(s -> !s.isEmpty());
            password = parts.length > 1 ? Optional.of(decode(parts[1])) : Optional.empty();
        }
        List<String> params = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                switch (kv[0]) {
                    case "user" -> user = Optional.of(decode(kv.length > 1 ? kv[1] : "")).filter(s -> !s.isEmpty());
                    case "password" -> password = Optional.of(decode(kv.length > 1 ? kv[1] : ""));
                    default -> params.add(pair);
                }
            }
        }
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String query = params.isEmpty() ? "" : "?" + String.join("&", params);
        return new DatabaseUrl(JDBC_PREFIX + uri.getHost() + port + "/" + database + query, user, password);
    }

    private static String decode(String s) {
        // '+' is literal in the user-info part of a URL, not a space.
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a '%' in the user name or password is not followed by two hex digits; "
                    + ENCODING_HINT);
        }
    }

    /** {@code postgres://user:***@host:port/db?..}: safe for logs, other password-like parameters masked too. */
    public String masked() {
        String rest = jdbcUrl.substring(JDBC_PREFIX.length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            List<String> params = new ArrayList<>();
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                params.add(name.toLowerCase(Locale.ROOT).contains("password") ? name + "=***" : pair);
            }
            rest = rest.substring(0, q + 1) + String.join("&", params);
        }
        String credentials = user.map(u -> u + (password.isPresent() ? ":***" : "") + "@")
                .orElse(password.isPresent() ? ":***@" : "");
        return "postgres://" + credentials + rest;
    }

    @Override
    public String toString() {
        return masked();
    }
}
