package dev.backend.server.migration;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A migration version: numbers separated by dots, compared part by part as numbers, so 1.10 comes after 1.9
 * and 2 after 1.99. Trailing zero parts do not count, as in Flyway: 1, 1.0 and 1.00 are the same version
 * (and two files with them are duplicates). Arbitrary precision, so timestamp versions such as
 * 20250131120000 work.
 */
final class Version implements Comparable<Version> {

    private final String text;
    /** Without trailing zeros: what equality and order look at. */
    private final List<BigInteger> parts;

    private Version(String text, List<BigInteger> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** Parses {@code 1}, {@code 1.10}, {@code 20250131120000}; empty for anything else. */
    static Optional<Version> parse(String text) {
        if (text.isEmpty() || text.startsWith(".") || text.endsWith(".") || text.contains("..")) {
            return Optional.empty();
        }
        List<BigInteger> parts = new ArrayList<>();
        for (String part : text.split("\\.")) {
            if (!part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            parts.add(new BigInteger(part));
        }
        while (parts.size() > 1 && parts.getLast().signum() == 0) {
            parts.removeLast();
        }
        return Optional.of(new Version(text, List.copyOf(parts)));
    }

    /** The version as written in the file name, e.g. {@code 1.10}. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public int compareTo(Version other) {
        for (int i = 0; i < Math.max(parts.size(), other.parts.size()); i++) {
            BigInteger mine = i < parts.size() ? parts.get(i) : BigInteger.ZERO;
            BigInteger theirs = i < other.parts.size() ? other.parts.get(i) : BigInteger.ZERO;
            int c = mine.compareTo(theirs);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && parts.equals(v.parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }
}
