package dev.backend.server;

import java.io.Serial;
import java.util.List;

/**
 * One or more configuration values are wrong. The message lists every problem, each naming the variable,
 * the value and what is allowed; a main method prints it and exits with {@link #EXIT_CODE} before binding or
 * connecting.
 */
public final class ConfigException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The exit code for a configuration error, distinct from a runtime failure (1). */
    public static final int EXIT_CODE = 2;

    /** Not serialised: the message carries the same text. */
    private final transient List<String> problems;

    /**
     * An exception for these problems (at least one).
     *
     * @param problems one sentence per problem, each naming the variable, its value and what is allowed; at least
     *     one. The message lists them, one per line when there are several
     */
    public ConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "Invalid configuration: " + problems.getFirst()
                : "Invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * {@return each problem, one sentence each, in the order found; unmodifiable}
     */
    public List<String> problems() {
        return problems;
    }
}
