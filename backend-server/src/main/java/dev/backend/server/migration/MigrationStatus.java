package dev.backend.server.migration;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Every migration known from the files and the history table, each with its state, and the problems that
 * make {@link Migrator#migrate()} refuse to run (and {@code validate} fail). Pending migrations are not a
 * problem: {@code migrate} applies them.
 *
 * @param source where the files came from
 * @param entries one per version, in version order
 * @param problems what must be fixed before migrations can run, one sentence each naming the version and
 *     what to do; empty when all is well
 */
public record MigrationStatus(String source, List<Entry> entries, List<String> problems) {

    /** Copies the lists. */
    public MigrationStatus {
        Objects.requireNonNull(source, "source");
        entries = List.copyOf(entries);
        problems = List.copyOf(problems);
    }

    /** The state of one migration. */
    public enum State {
        /** Applied, and the file is unchanged since. */
        APPLIED,
        /** Not applied yet; {@code migrate} will apply it. */
        PENDING,
        /**
         * Not applied, and lower than the highest applied version: a problem unless {@code
         * MIGRATIONS_OUT_OF_ORDER} is set, in which case {@code migrate} applies it.
         */
        OUT_OF_ORDER,
        /** Applied, but the file's checksum differs from the one recorded: a problem. */
        CHANGED,
        /** Applied, but no file has its version: a problem unless {@code MIGRATIONS_IGNORE_MISSING} is set. */
        MISSING,
        /** Ran outside a transaction and failed part way: a problem until an operator repairs it. */
        FAILED,
        /**
         * Recorded as applied by an earlier version that hid some of its statements in a comment (a file with
         * old-Mac CR line endings), so they never ran: a problem until an operator repairs it.
         */
        INCOMPLETE
    }

    /**
     * One migration.
     *
     * @param version as written in the file name (or recorded in the history, for a missing file)
     * @param description from the file name
     * @param state see {@link State}
     * @param installedOn when it ran, if it did
     * @param executionTime how long it took, if it ran
     */
    public record Entry(String version, String description, State state, Optional<Instant> installedOn,
            Optional<Duration> executionTime) {
        /** Requires every field. */
        public Entry {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(installedOn, "installedOn");
            Objects.requireNonNull(executionTime, "executionTime");
        }
    }

    /**
     * {@return whether there is no problem: {@code validate} succeeds and {@code migrate} would not refuse}
     */
    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * How many migrations are in {@code state}.
     *
     * @param state the state to count
     * @return how many migrations are in that state, 0 or more
     */
    public long count(State state) {
        return entries.stream().filter(e -> e.state() == state).count();
    }

    /**
     * A plain-text table of every migration (version, description, state, installed on, time), a summary line
     * and the problems, for {@code info}.
     *
     * @return the table: one line per row, columns padded with spaces, ending in a newline
     */
    public String table() {
        String[] headers = {"Version", "Description", "State", "Installed on", "Time"};
        String[][] rows = new String[entries.size()][];
        int[] widths = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            widths[c] = headers[c].length();
        }
        for (int r = 0; r < entries.size(); r++) {
            Entry e = entries.get(r);
            rows[r] = new String[] {
                e.version(),
                e.description(),
                e.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                e.installedOn().map(t -> t.truncatedTo(ChronoUnit.SECONDS).toString()).orElse(""),
                e.executionTime().map(d -> d.toMillis() + " ms").orElse("")
            };
            for (int c = 0; c < headers.length; c++) {
                widths[c] = Math.max(widths[c], rows[r][c].length());
            }
        }
        StringBuilder out = new StringBuilder("Migrations from ").append(source).append('\n');
        appendRow(out, headers, widths);
        for (String[] row : rows) {
            appendRow(out, row, widths);
        }
        out.append(summary()).append('\n');
        for (String problem : problems) {
            out.append("Problem: ").append(problem).append('\n');
        }
        return out.toString();
    }

    /**
     * {@code 3 applied, 1 pending, 0 problems}: the counts of the states present, and of problems.
     *
     * @return the summary line, without a newline
     */
    public String summary() {
        StringBuilder s = new StringBuilder();
        for (State state : State.values()) {
            long n = count(state);
            if (n > 0 || state == State.APPLIED || state == State.PENDING) {
                s.append(n).append(' ').append(state.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .append(", ");
            }
        }
        return s.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").toString();
    }

    private static void appendRow(StringBuilder out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            line.append(cells[c]).append(" ".repeat(widths[c] - cells[c].length() + 2));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
