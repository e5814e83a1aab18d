package dev.backend.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
 *
 * <p>Each problem names the variable, the value as given and what is allowed. Values are trimmed; a blank
 * value counts as unset. Integers are ASCII digits alone; durations a whole number and a unit ({@code 500ms},
 * {@code 3s}, {@code 10m}, {@code 1h}); sizes a whole number and an optional binary unit ({@code 512KB}, {@code
 * 10MB}, {@code 1GB}).
 */
final class Env {

    /** The most characters of a value a message quotes ({@link #shown}). */
    static final int SHOWN = 100;

    /** No timeout of this server needs more, and a bound keeps every later conversion from overflowing. */
    static final Duration MAX_DURATION = Duration.ofHours(24);

    private static final String DURATION_EXAMPLES = "such as 500ms, 3s, 10m or 1h";
    private static final String SIZE_EXAMPLES = "such as 512KB, 10MB or 1GB, or a number of bytes";

    private final Map<String, String> vars;
    private final List<String> problems = new ArrayList<>();

    Env(Map<String, String> vars) {
        this.vars = vars;
    }

    /** The trimmed value, if set and not blank. */
    Optional<String> string(String name) {
        String value = vars.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /**
     * An integer from {@code min} to {@code max} (neither negative), written in the ASCII digits alone: no sign and
     * no other script's digits, which {@link Integer#parseInt} would take ({@code PORT=-0} would be a random port).
     */
    int integer(String name, int fallback, int min, int max) {
        return string(name).map(value -> parseInteger(value)
                .filter(n -> n >= min && n <= max)
                .map(Long::intValue)
                .orElseGet(() -> invalid(name, value, integerProblem(value, min, max), "an integer from " + min + " to "
                        + max, fallback)))
                .orElse(fallback);
    }

    /** A whole number of ASCII digits, as durations and sizes are; empty otherwise, or past 18 digits. */
    static Optional<Long> parseInteger(String value) {
        String v = value.strip();
        int n = digits(v);
        return n > 0 && n == v.length() ? Optional.of(Long.parseLong(v)) : Optional.empty();
    }

    /**
     * Why a value Java would read as an integer in range was refused, said first: the range alone would not
     * explain {@code +8080} or {@code ８０８０}. Empty for values whose fault the range does say.
     */
    private static String integerProblem(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return "write it in the digits 0 to 9 alone, without a sign";
            }
        } catch (NumberFormatException e) {
            // not an integer in any notation: "expected an integer" says it
        }
        return "";
    }

    /** A positive duration of at most {@link #MAX_DURATION}. */
    Duration duration(String name, Duration fallback) {
        return duration(name, fallback, Duration.ofMillis(1), false);
    }

    /**
     * A duration from {@code min} to {@link #MAX_DURATION}; with {@code zeroMeansNever}, {@code 0} too (a
     * bare {@code 0} needs no unit).
     */
    Duration duration(String name, Duration fallback, Duration min, boolean zeroMeansNever) {
        return string(name).map(value -> parseDuration(value)
                .filter(d -> (zeroMeansNever && d.isZero()) || (d.compareTo(min) >= 0 && d.compareTo(MAX_DURATION) <= 0))
                .orElseGet(() -> invalid(name, value, (zeroMeansNever ? "0 (never) or " : "") + "a duration from "
                        + human(min) + " to " + human(MAX_DURATION) + ", " + DURATION_EXAMPLES, fallback)))
                .orElse(fallback);
    }

    /** A size of at least one byte. */
    long size(String name, long fallback) {
        return size(name, fallback, 1, Long.MAX_VALUE);
    }

    /** A size from {@code min} to {@code max} bytes. */
    long size(String name, long fallback, long min, long max) {
        String range = max == Long.MAX_VALUE ? "a size of at least " + humanSize(min) : "a size from "
                + humanSize(min) + " to " + humanSize(max);
        return string(name).map(value -> parseSize(value)
                .map(n -> n >= min && n <= max ? n : invalid(name, value, range + ", " + SIZE_EXAMPLES, fallback))
                .orElseGet(() -> invalid(name, value, sizeProblem(value), range + ", " + SIZE_EXAMPLES, fallback)))
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

    /** A file system path (not checked for existence). */
    Path path(String name, String fallback) {
        String value = string(name).orElse(fallback);
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            return invalid(name, value, "a file system path", Path.of(fallback));
        }
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
        return invalid(name, value, "", expected, fallback);
    }

    /** Records the problem: what is wrong with the value first, when the expectation alone would not say it. */
    private <T> T invalid(String name, String value, String wrong, String expected, T fallback) {
        problems.add(name + "=" + shown(value) + " is not valid: " + (wrong.isEmpty() ? "" : wrong + "; ")
                + "expected " + expected);
        return fallback;
    }

    /**
     * {@code value} as a message quotes it: on one line, whatever it holds (a line break, another control character
     * or a line separator is written as {@code \n}, {@code \r}, {@code \t} or a Java Unicode escape), so that the
     * start's failure stays the one log line it is; and at most {@value #SHOWN} characters, then how many there were.
     */
    static String shown(String value) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < Math.min(value.length(), SHOWN); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                default -> shown.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return value.length() > SHOWN ? shown + "... (" + value.length() + " characters)" : shown.toString();
    }

    /** {@code 500ms}, {@code 3s}, {@code 10m}, {@code 1h}; a bare {@code 0} is zero. Empty when malformed. */
    static Optional<Duration> parseDuration(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        int split = digits(v);
        if (split == 0) {
            return Optional.empty();
        }
        long amount = Long.parseLong(v.substring(0, split));
        try {
            return switch (v.substring(split).strip()) {
                case "ms" -> Optional.of(Duration.ofMillis(amount));
                case "s" -> Optional.of(Duration.ofSeconds(amount));
                case "m", "min" -> Optional.of(Duration.ofMinutes(amount));
                case "h" -> Optional.of(Duration.ofHours(amount));
                case "" -> amount == 0 ? Optional.of(Duration.ZERO) : Optional.empty();
                default -> Optional.empty();
            };
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /**
     * Bytes, with an optional binary unit ({@code 1KB} is 1024 bytes, as in most server configuration).
     * Empty when malformed or larger than a {@code long}.
     */
    static Optional<Long> parseSize(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT);
        int split = digits(v);
        if (split == 0) {
            return Optional.empty();
        }
        long amount = Long.parseLong(v.substring(0, split));
        long unit = unit(v.substring(split).strip());
        if (unit < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Math.multiplyExact(amount, unit));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static long unit(String upperCase) {
        return switch (upperCase) {
            case "", "B" -> 1L;
            case "KB", "KIB", "K" -> 1L << 10;
            case "MB", "MIB", "M" -> 1L << 20;
            case "GB", "GIB", "G" -> 1L << 30;
            default -> -1L;
        };
    }

    /**
     * Why {@link #parseSize} refused {@code value}, said first in the message: a range alone ("at least 0 bytes")
     * would hide an unknown unit such as {@code TB} or a number past the largest size.
     */
    static String sizeProblem(String value) {
        String v = value.strip();
        int n = 0;
        while (n < v.length() && v.charAt(n) >= '0' && v.charAt(n) <= '9') {
            n++;
        }
        String unit = v.substring(n).strip();
        if (n == 0) {
            return "it does not start with a whole number";
        } else if (unit.startsWith(".") || unit.startsWith(",")) {
            return "it is not a whole number";
        } else if (unit(unit.toUpperCase(Locale.ROOT)) < 0) {
            return "the unit " + unit + " is not one of B, KB, MB and GB";
        }
        return "it is larger than the largest size, " + (Long.MAX_VALUE >> 30) + "GB";
    }

    /** How many leading ASCII digits, or 0 when there are more than fit a {@code long} safely. */
    private static int digits(String v) {
        int n = 0;
        while (n < v.length() && v.charAt(n) >= '0' && v.charAt(n) <= '9') {
            n++;
        }
        // 18 digits always fit a long; a longer number is nobody's real setting.
        return n > 18 ? 0 : n;
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    static String humanSize(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GB";
        } else if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MB";
        } else if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KB";
        }
        return bytes + (bytes == 1 ? " byte" : " bytes");
    }
}
