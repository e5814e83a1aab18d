package dev.backend.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads typed values from environment variables, collecting every problem instead of stopping at the
 * first, so one start-up attempt tells the operator everything that is wrong.
 */
final class Env {

    private final Map<String, String> vars;
    private final List<String> problems = new ArrayList<>();

    Env(Map<String, String> vars) {
        this.vars = vars;
    }

    /** The trimmed value, if set and not blank. */
    Optional<String> string(String name) {
        String value = vars.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    int integer(String name, int fallback, int min, int max) {
        return string(name).map(value -> {
            try {
                int n = Integer.parseInt(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below with the allowed range
            }
            return invalid(name, value, "an integer from " + min + " to " + max, fallback);
        }).orElse(fallback);
    }

    Duration duration(String name, Duration fallback) {
        return string(name).map(value -> parseDuration(value)
                .orElseGet(() -> invalid(name, value, "a duration such as 500ms, 3s, 10m or 1h", fallback)))
                .orElse(fallback);
    }

    long size(String name, long fallback) {
        return string(name).map(value -> parseSize(value)
                .orElseGet(() -> invalid(name, value, "a size such as 512KB, 10MB or 1GB (or a number of bytes)", fallback)))
                .orElse(fallback);
    }

    boolean flag(String name, boolean fallback) {
        return string(name).map(value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> invalid(name, value, "true or false", fallback);
        }).orElse(fallback);
    }

    /** One of {@code allowed} (compared case-insensitively), returned in its canonical spelling. */
    String choice(String name, String fallback, List<String> allowed) {
        return string(name).map(value -> allowed.stream()
                .filter(a -> a.equalsIgnoreCase(value))
                .findFirst()
                .orElseGet(() -> invalid(name, value, "one of " + String.join(", ", allowed), fallback)))
                .orElse(fallback);
    }

    /** Runs a constructor that validates; its {@link IllegalArgumentException} becomes a problem. */
    <T> Optional<T> build(Supplier<T> constructor) {
        try {
            return Optional.of(constructor.get());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    void problem(String message) {
        problems.add(message);
    }

    void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private <T> T invalid(String name, String value, String expected, T fallback) {
        problems.add(name + "=" + value + " is not valid: expected " + expected);
        return fallback;
    }

    static Optional<Duration> parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < v.length() && Character.isDigit(v.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 12) {
            return Optional.empty();
        }
        long amount = Long.parseLong(v.substring(0, split));
        return switch (v.substring(split).trim()) {
            case "ms" -> Optional.of(Duration.ofMillis(amount));
            case "s" -> Optional.of(Duration.ofSeconds(amount));
            case "m", "min" -> Optional.of(Duration.ofMinutes(amount));
            case "h" -> Optional.of(Duration.ofHours(amount));
            default -> Optional.empty();
        };
    }

    /** Sizes are binary: 1KB is 1024 bytes, as in most server configuration. */
    static Optional<Long> parseSize(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        int split = 0;
        while (split < v.length() && Character.isDigit(v.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 12) {
            return Optional.empty();
        }
        long amount = Long.parseLong(v.substring(0, split));
        long unit = switch (v.substring(split).trim()) {
            case "", "B" -> 1L;
            case "KB", "KIB", "K" -> 1L << 10;
            case "MB", "MIB", "M" -> 1L << 20;
            case "GB", "GIB", "G" -> 1L << 30;
            default -> -1L;
        };
        return unit < 0 ? Optional.empty() : Optional.of(amount * unit);
    }
}
