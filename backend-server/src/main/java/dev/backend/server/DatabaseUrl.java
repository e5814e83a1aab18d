package dev.backend.server;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A PostgreSQL location as users write it: {@code postgres://user:pass@host:5432/db?sslmode=require}
 * (also {@code postgresql://}) or {@code jdbc:postgresql://host:5432/db?user=..&password=..}.
 *
 * <p>{@link #toString()} and {@link #masked()} never show the password, so the URL can be logged.
 *
 * @param jdbcUrl the JDBC URL without credentials
 * @param user the user, if the URL names one
 * @param password the password, if the URL has one
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    /** Parses {@code value}; the message of the exception says what is wrong, without the password. */
    public static DatabaseUrl parse(String value) {
        String trimmed = value.trim();
        boolean jdbc = trimmed.startsWith("jdbc:postgresql://");
        if (!jdbc && !trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
            throw new IllegalArgumentException(
                    "expected postgres://user:password@host:5432/database or jdbc:postgresql://host:5432/database");
        }
        URI uri;
        try {
            uri = URI.create(jdbc ? trimmed.substring("jdbc:".length()) : trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid URL (special characters in the password must be percent-encoded)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("the URL has no host");
        }
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : uri.getRawPath().substring(1);
        if (database.isEmpty()) {
            throw new IllegalArgumentException("the URL names no database (add /database after the host)");
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
                String[] kv = pair.split("=", 2);
                switch (kv[0]) {
                    case "user" -> user = Optional.of(decode(kv.length > 1 ? kv[1] : ""));
                    case "password" -> password = Optional.of(decode(kv.length > 1 ? kv[1] : ""));
                    default -> params.add(pair);
                }
            }
        }
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String query = params.isEmpty() ? "" : "?" + String.join("&", params);
        return new DatabaseUrl("jdbc:postgresql://" + uri.getHost() + port + "/" + database + query, user, password);
    }

    private static String decode(String s) {
        // '+' is literal in the user-info part of a URL, not a space.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code postgres://user:***@host:port/db?..}: safe for logs. */
    public String masked() {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        String credentials = user.map(u -> u + (password.isPresent() ? ":***" : "") + "@").orElse("");
        return "postgres://" + credentials + rest;
    }

    @Override
    public String toString() {
        return masked();
    }
}
