package dev.backend.server.migration;

import java.io.Serial;
import java.util.List;

/**
 * Migrations cannot be loaded, validated or applied. The message is meant for the operator as is: it names
 * the file, version or setting involved and what to do, one problem per line when there are several.
 */
public final class MigrationException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    MigrationException(String message) {
        super(message);
    }

    MigrationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** One problem as its own message; several under a count, one per line. */
    static MigrationException of(List<String> problems) {
        return new MigrationException(problems.size() == 1
                ? problems.getFirst()
                : problems.size() + " migration problems:\n  - " + String.join("\n  - ", problems));
    }
}
