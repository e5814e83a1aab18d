package dev.backend.server.migration;

import dev.backend.server.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies versioned SQL migrations to PostgreSQL, Flyway style: files named {@code V<version>__<description>.sql},
 * applied once each in version order, recorded with a checksum in {@value #HISTORY_TABLE}.
 *
 * <p>{@link #migrate()} runs under the session advisory lock {@link #LOCK_KEY}, so any number of instances
 * starting at once apply each migration exactly once; it waits for the lock at most {@code
 * MIGRATION_LOCK_TIMEOUT}. It refuses to run, changing nothing, when an applied file changed, an applied file
 * is missing, a new file is older than the latest applied one, a migration failed before (see {@link
 * MigrationStatus.State}), or a pending file has no statement to run. Each migration runs in its own
 * transaction together with its history row, unless its first line is {@code -- migrate:no-transaction}.
 *
 * <p>A file runs as {@code psql -f} would run it: split where PostgreSQL's lexer ends a statement (see {@link
 * SqlSplitter}), with the {@code standard_conforming_strings} the session has at each statement, and each
 * statement sent as written (see {@link Verbatim}).
 *
 * {@snippet :
 * Migrator migrator = Migrator.create(dataSource, MigrationSource.classpath("migrations"), config.migrations());
 * migrator.migrate();                           // throws MigrationException naming file and line on failure
 * System.out.print(migrator.status().table());  // what `info` prints
 * }
 */
public final class Migrator {

    /**
     * The {@code pg_advisory_lock} key held for a whole {@link #migrate()} run: {@value}, the bytes of the ASCII
     * text {@code migrates}. Advisory locks are per database, so runs against different databases never wait
     * for each other.
     */
    public static final long LOCK_KEY = 0x6d69677261746573L;

    /** The history table, created in the current schema when missing. */
    public static final String HISTORY_TABLE = "schema_migrations";

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private final DataSource dataSource;
    private final MigrationSource source;
    private final Config.Migrations settings;

    private Migrator(DataSource dataSource, MigrationSource source, Config.Migrations settings) {
        this.dataSource = dataSource;
        this.source = source;
        this.settings = settings;
    }

    /**
     * A migrator for the files at {@code source}, against {@code dataSource}, with the lock timeout and the
     * out-of-order and ignore-missing switches of {@code settings} (its directory is not consulted: the caller
     * has chosen the source).
     *
     * @param dataSource where to apply them; each call takes a connection of its own and closes it after
     * @param source where the migration files are
     * @param settings the lock timeout and the out-of-order and ignore-missing switches
     * @return the migrator; nothing is read or connected until {@link #migrate()} or {@link #status()}
     */
    public static Migrator create(DataSource dataSource, MigrationSource source, Config.Migrations settings) {
        return new Migrator(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(source, "source"),
                Objects.requireNonNull(settings, "settings"));
    }

    /**
     * Applies every pending migration, under the advisory lock; returns how many this call applied (0 when
     * another instance got there first or nothing was pending). Throws {@link MigrationException} when the
     * files cannot be read, the lock is not granted in time, a problem makes it refuse, or a migration fails.
     *
     * @return how many migrations this call applied, 0 or more
     * @throws MigrationException if the files cannot be read, the lock is not granted in time, a problem makes
     *     it refuse, or a migration fails; a failed migration in a transaction (the default) is rolled back with
     *     its history row
     */
    public int migrate() {
        long begin = System.nanoTime();
        List<Script> scripts = ScriptLoader.load(source);
        try (Connection connection = dataSource.getConnection(); Verbatim session = Verbatim.on(connection)) {
            connection.setAutoCommit(true);
            String table = History.table(connection);
            requireSessionOfItsOwn(connection);
            lock(connection);
            try {
                History.create(connection, table);
                Plan plan = plan(scripts, History.read(connection, table), table);
                if (!plan.status().ok()) {
                    throw MigrationException.of(plan.status().problems());
                }
                for (Script script : plan.pending()) {
                    apply(connection, session, table, script);
                }
                String at = plan.latest().map(v -> "version " + v).orElse("no version (no migrations)");
                if (plan.pending().isEmpty()) {
                    LOG.info("Schema up to date at {} ({}, {} ms)", at, source, millisSince(begin));
                } else {
                    LOG.info("Applied {} migration(s) from {} in {} ms; schema now at {}", plan.pending().size(), source,
                            millisSince(begin), at);
                }
                return plan.pending().size();
            } finally {
                unlock(connection);
            }
        } catch (SQLException e) {
            throw new MigrationException("Migrations from " + source + " failed: " + describe(e), e);
        }
    }

    /**
     * Reads the files and the history without changing anything or taking the lock: what {@code info} shows
     * and {@code validate} checks. Throws {@link MigrationException} when the files cannot be read or the
     * database cannot be reached.
     *
     * @return every migration with its state, and the problems {@code migrate} would refuse for
     * @throws MigrationException if the files cannot be read or the database cannot be reached
     */
    public MigrationStatus status() {
        List<Script> scripts = ScriptLoader.load(source);
        try (Connection connection = dataSource.getConnection()) {
            String table = History.table(connection);
            List<History.Row> rows = History.exists(connection, table) ? History.read(connection, table) : List.of();
            return plan(scripts, rows, table).status();
        } catch (SQLException e) {
            throw new MigrationException("Cannot read the migration history: " + describe(e), e);
        }
    }

    /** What a run would do: the status, and the migrations to apply in order if it has no problem. */
    private record Plan(MigrationStatus status, List<Script> pending, Optional<Version> highestApplied) {
        /** The highest version once the pending migrations are applied. */
        Optional<Version> latest() {
            return Stream.concat(highestApplied.stream(), pending.stream().map(Script::version)).max(Version::compareTo);
        }
    }

    private Plan plan(List<Script> scripts, List<History.Row> rows, String table) {
        List<String> problems = new ArrayList<>();
        Map<Version, History.Row> applied = new TreeMap<>();
        for (History.Row row : rows) {
            Optional<Version> version = Version.parse(row.version());
            if (version.isEmpty()) {
                problems.add(table + " has a row with version '" + row.version() + "', which is not a version: "
                        + "delete or correct it");
            } else {
                applied.put(version.get(), row);
            }
        }
        Optional<Version> highest = applied.keySet().stream().max(Version::compareTo);
        List<Keyed> entries = new ArrayList<>();
        List<Script> pending = new ArrayList<>();
        Set<Version> seen = new HashSet<>();
        for (Script script : scripts) {
            seen.add(script.version());
            History.Row row = applied.get(script.version());
            if (row == null) {
                boolean outOfOrder = highest.isPresent() && script.version().compareTo(highest.get()) < 0;
                entries.add(new Keyed(script.version(), pendingEntry(script, outOfOrder)));
                if (outOfOrder && !settings.outOfOrder()) {
                    problems.add(script.label() + " is not applied but is lower than the latest applied version "
                            + highest.get() + " (out of order). Give it a version above " + highest.get()
                            + ", or set MIGRATIONS_OUT_OF_ORDER=true to apply it anyway");
                }
                if (script.statements().isEmpty()) {
                    problems.add(script.label() + ": " + script.fileName() + " has no SQL statement to run (it is "
                            + "empty, or only comments and whitespace): write its statements (a file meant to do "
                            + "nothing can say SELECT 1;)");
                }
                pending.add(script);
            } else if (!row.success()) {
                entries.add(new Keyed(script.version(), ranEntry(script.version(), row, MigrationStatus.State.FAILED)));
                problems.add(failedProblem(script.label(), row, table));
            } else if (!row.checksum().equals(script.checksum())) {
                entries.add(new Keyed(script.version(), ranEntry(script.version(), row, MigrationStatus.State.CHANGED)));
                problems.add(script.label() + " was changed after it was applied: the database recorded checksum "
                        + row.checksum() + ", " + script.fileName() + " now has " + script.checksum()
                        + ". Restore the file as it was applied, and put new changes in a new migration");
            } else if (script.sql().indexOf('\r') >= 0 && !EarlierSplitter.skipped(script).isEmpty()) {
                entries.add(new Keyed(script.version(), ranEntry(script.version(), row,
                        MigrationStatus.State.INCOMPLETE)));
                problems.add(incompleteProblem(script, EarlierSplitter.skipped(script), table));
            } else {
                entries.add(new Keyed(script.version(), ranEntry(script.version(), row, MigrationStatus.State.APPLIED)));
            }
        }
        for (Map.Entry<Version, History.Row> e : applied.entrySet()) {
            if (seen.contains(e.getKey())) {
                continue;
            }
            History.Row row = e.getValue();
            String label = "V" + row.version() + " (" + row.description() + ")";
            if (!row.success()) {
                entries.add(new Keyed(e.getKey(), ranEntry(e.getKey(), row, MigrationStatus.State.FAILED)));
                problems.add(failedProblem(label, row, table));
            } else {
                entries.add(new Keyed(e.getKey(), ranEntry(e.getKey(), row, MigrationStatus.State.MISSING)));
                if (settings.ignoreMissing()) {
                    LOG.warn("{} was applied but has no file in {}; ignored (MIGRATIONS_IGNORE_MISSING)", label, source);
                } else {
                    problems.add(label + " was applied on " + row.installedOn() + " but no file for it is in " + source
                            + ". Restore the file, or set MIGRATIONS_IGNORE_MISSING=true if it was removed on purpose");
                }
            }
        }
        entries.sort((a, b) -> a.version().compareTo(b.version()));
        MigrationStatus status = new MigrationStatus(source.toString(), entries.stream().map(Keyed::entry).toList(),
                problems);
        return new Plan(status, problems.isEmpty() ? pending : List.of(), highest);
    }

    private record Keyed(Version version, MigrationStatus.Entry entry) {}

    private static MigrationStatus.Entry pendingEntry(Script script, boolean outOfOrder) {
        return new MigrationStatus.Entry(script.version().toString(), script.description(),
                outOfOrder ? MigrationStatus.State.OUT_OF_ORDER : MigrationStatus.State.PENDING, Optional.empty(),
                Optional.empty());
    }

    private static MigrationStatus.Entry ranEntry(Version version, History.Row row, MigrationStatus.State state) {
        return new MigrationStatus.Entry(version.toString(), row.description(), state, Optional.of(row.installedOn()),
                Optional.of(Duration.ofMillis(row.executionMillis())));
    }

    private static String failedProblem(String label, History.Row row, String table) {
        return label + " failed on " + row.installedOn() + " outside a transaction, so part of it may be applied. "
                + "Repair the database by hand, then delete its history row so it runs again: DELETE FROM " + table
                + " WHERE version = '" + row.version() + "'";
    }

    private static String incompleteProblem(Script script, List<SqlSplitter.Statement> skipped, String table) {
        List<Integer> lines = skipped.stream().map(SqlSplitter.Statement::line).toList();
        boolean noneRan = skipped.size() == script.statements().size();
        return script.label() + " is recorded as applied, but the statement" + (lines.size() == 1 ? " on line " : "s on "
                + "lines ") + lines.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " of "
                + script.fileName() + " never ran: its lines end in CR, and the version that applied it read a -- "
                + "comment as running on to the next LF. " + (noneRan ? "Nothing of it ran, so" : "Undo what of it "
                + "did run (the other statements), then") + " delete its history row so it runs whole: DELETE FROM "
                + table + " WHERE version = '" + script.version() + "'";
    }

    private void apply(Connection connection, Verbatim session, String table, Script script) throws SQLException {
        LOG.info("Applying {}{}", script.label(), script.transactional() ? "" : " outside a transaction");
        long begin = System.nanoTime();
        Run run = new Run(script, session);
        if (script.transactional()) {
            connection.setAutoCommit(false);
            try {
                run.all(connection);
                History.insert(connection, table, script, millisSince(begin), true);
                connection.commit();
            } catch (SQLException | IllegalArgumentException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw failure(run, e, "Rolled back: nothing of it was applied.");
            } finally {
                connection.setAutoCommit(true);
            }
        } else {
            try {
                run.all(connection);
            } catch (SQLException | IllegalArgumentException e) {
                String recorded;
                try {
                    History.insert(connection, table, script, millisSince(begin), false);
                    recorded = "It ran outside a transaction, so the statements before this one stay applied; it is "
                            + "recorded as failed, and later runs refuse until it is repaired: fix the database by "
                            + "hand, then DELETE FROM " + table + " WHERE version = '" + script.version() + "'.";
                } catch (SQLException record) {
                    e.addSuppressed(record);
                    recorded = "It ran outside a transaction, so the statements before this one stay applied; "
                            + "recording the failure also failed (" + describe(record) + ").";
                }
                throw failure(run, e, recorded);
            }
            History.insert(connection, table, script, millisSince(begin), true);
        }
        LOG.info("Applied {} in {} ms", script.label(), millisSince(begin));
    }

    /**
     * A script's statements as they run. The file was split predicting standard_conforming_strings from its
     * own SET statements; where the setting the server reports differs (a session that starts with it off, a
     * change the text does not show), the rest is split again the way PostgreSQL will read it. psql does the
     * same: it asks the connection for the setting before it reads on.
     */
    private static final class Run {
        private final Script script;
        private final Verbatim session;
        private List<SqlSplitter.Statement> statements;
        /** How many statements ran; the one at this index is running. */
        private int done;
        /** The setting the rest of the file was last split again with, if it was. */
        private Optional<Boolean> reread = Optional.empty();

        Run(Script script, Verbatim session) {
            this.script = script;
            this.session = session;
            this.statements = script.statements();
        }

        void all(Connection connection) throws SQLException {
            while (done < statements.size()) {
                boolean standard = session.standardConformingStrings();
                if (statements.get(done).standardConformingStrings() != standard) {
                    reread = Optional.of(standard);
                    SqlSplitter.Statement last = done == 0 ? null : statements.get(done - 1);
                    int from = last == null ? 0 : last.offset() + last.sql().length();
                    statements = Stream.concat(statements.subList(0, done).stream(),
                            SqlSplitter.split(script.sql(), from, standard).stream()).toList();
                    continue;
                }
                execute(connection, script, statements.get(done));
                done++;
            }
        }

        /** The statement that was running, if one was. */
        Optional<SqlSplitter.Statement> running() {
            return done < statements.size() ? Optional.of(statements.get(done)) : Optional.empty();
        }

        /** {@code with standard_conforming_strings off after line 3}. */
        String reading() {
            return "with standard_conforming_strings " + (reread.orElse(true) ? "on" : "off")
                    + (done == 0 ? " from the start" : " after line " + statements.get(done - 1).line());
        }
    }

    private static void execute(Connection connection, Script script, SqlSplitter.Statement statement)
            throws SQLException {
        try (Statement s = connection.createStatement()) {
            // The SQL runs exactly as written: no JDBC {fn ...} escape rewriting.
            s.setEscapeProcessing(false);
            s.execute(statement.sql());
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                LOG.info("{} line {}: {}", script.fileName(), statement.line(), w.getMessage());
            }
        }
    }

    private static MigrationException failure(Run run, Exception e, String consequence) {
        Script script = run.script;
        if (!(e instanceof SQLException sql)) {
            return new MigrationException("Migration " + script.fileName() + " cannot be read the way the session "
                    + "reads it, " + run.reading() + ": " + e.getMessage() + ". " + consequence, e);
        }
        String where = run.running().map(statement -> " at line " + errorLine(script, statement, sql)
                + " (statement " + (run.done + 1) + " of " + run.statements.size() + ", starting at line "
                + statement.line() + ")").orElse(" at commit");
        String hint = "25001".equals(sql.getSQLState())
                ? " Put '" + Script.NO_TRANSACTION + "' on the first line of the file to run it outside a transaction."
                : "";
        return new MigrationException("Migration " + script.fileName() + " failed" + where + ": " + describe(sql) + ". "
                + consequence + hint, e);
    }

    /** The file line of PostgreSQL's error position (counted in characters of the statement), else the statement's. */
    static int errorLine(Script script, SqlSplitter.Statement statement, SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getPosition() > 0) {
            String sql = statement.sql();
            int codePoints = sql.codePointCount(0, sql.length());
            int offset = sql.offsetByCodePoints(0, Math.min(p.getServerErrorMessage().getPosition() - 1, codePoints));
            return SqlSplitter.lineAt(script.sql(), statement.offset() + offset);
        }
        return statement.line();
    }

    /** PostgreSQL's message with its SQLSTATE, detail, hint and context; the driver's message otherwise. */
    static String describe(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            StringBuilder s = new StringBuilder().append(m.getSeverity()).append(": ").append(m.getMessage())
                    .append(" [").append(m.getSQLState()).append(']');
            if (m.getDetail() != null) {
                s.append(" Detail: ").append(m.getDetail());
            }
            if (m.getHint() != null) {
                s.append(" Hint: ").append(m.getHint());
            }
            if (m.getWhere() != null) {
                s.append(" Where: ").append(m.getWhere().replace('\n', ';'));
            }
            return s.toString();
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * Refuses a connection whose server session other clients share between its transactions, as PgBouncer
     * does in transaction or statement pool mode: the advisory lock is held by a session, so there it would be
     * held for (and released by) whoever the pooler gives that session to next.
     *
     * <p>A direct connection is served by the backend that greeted it, whose pid the driver was told at start.
     * A pooler greets with a key of its own; then the test is whether another client is handed this
     * connection's backend. A pooler in transaction mode hands back the backend a statement just released (it
     * reuses them last-in, first-out), so a second connection asking for its pid right after this one gets the
     * same pid; in session mode it never can.
     */
    private void requireSessionOfItsOwn(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(PGConnection.class)) {
            return; // not pgJDBC: nothing says which backend greeted it
        }
        int greeted = connection.unwrap(PGConnection.class).getBackendPID();
        int serving = backendPid(connection);
        if (greeted == serving) {
            return;
        }
        try (Connection other = dataSource.getConnection()) {
            for (int attempt = 0; attempt < 3; attempt++) {
                int mine = backendPid(connection);
                int theirs = backendPid(other);
                if (mine == theirs || mine != serving) {
                    throw new MigrationException("Migrations need a database session of their own for the whole run "
                            + "(it holds the lock pg_advisory_lock(" + LOCK_KEY + ") so that one instance applies "
                            + "them), but this connection goes through a pooler that shares server sessions between "
                            + "clients (PostgreSQL backend pid " + mine + " served this connection and also "
                            + (mine == theirs ? "another one" : "pid " + serving + " before it") + "): PgBouncer in "
                            + "transaction or statement pool mode does that. Set MIGRATION_DATABASE_URL to a direct "
                            + "connection to PostgreSQL (or to a pooler in session mode); DATABASE_URL may stay on the "
                            + "pooler");
                }
            }
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Takes the advisory lock, waiting at most the configured timeout. */
    private void lock(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
            rs.next();
            if (rs.getBoolean(1)) {
                return;
            }
        }
        Duration timeout = settings.lockTimeout();
        LOG.info("Waiting up to {} ms for the migration lock, held by {}", timeout.toMillis(), holder(connection));
        long waitMillis = Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            // lock_timeout bounds the wait inside PostgreSQL; SET LOCAL ends with this transaction, while the
            // session-level advisory lock outlives it.
            s.execute("SET LOCAL lock_timeout = " + waitMillis);
            s.execute("SET LOCAL statement_timeout = 0");
            s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            if ("55P03".equals(e.getSQLState())) {
                throw new MigrationException("Timed out after " + timeout.toMillis() + " ms (MIGRATION_LOCK_TIMEOUT) "
                        + "waiting for the migration lock pg_advisory_lock(" + LOCK_KEY + "), held by "
                        + holder(connection) + ". Another instance is probably applying migrations: let it finish, "
                        + "or raise MIGRATION_LOCK_TIMEOUT", e);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void unlock(Connection connection) {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_advisory_unlock(" + LOCK_KEY + ")")) {
            rs.next();
        } catch (SQLException e) {
            // The lock dies with the session; make sure a pooled connection does not keep it.
            LOG.warn("Releasing the migration lock failed ({}); closing the connection instead", e.getMessage());
            try {
                connection.abort(Runnable::run);
            } catch (SQLException abort) {
                LOG.debug("Aborting the connection failed", abort);
            }
        }
    }

    /** Who holds the lock, as far as this session may see: {@code PostgreSQL backend pid 123 (application ..)}. */
    private static String holder(Connection connection) {
        try (PreparedStatement s = connection.prepareStatement("SELECT a.pid, a.application_name, host(a.client_addr), "
                + "a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                + "AND (l.classid::bigint << 32) | l.objid::bigint = ?")) {
            s.setLong(1, LOCK_KEY);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    String client = rs.getString(3) == null ? "local socket" : rs.getString(3);
                    return "PostgreSQL backend pid " + rs.getInt(1) + " (application '" + rs.getString(2)
                            + "', client " + client + ", connected since " + rs.getObject(4, OffsetDateTime.class)
                            + ")";
                }
                return "another session";
            }
        } catch (SQLException e) {
            return "another session (" + e.getMessage() + ")";
        }
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }
}
