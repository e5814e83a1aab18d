package dev.backend.server;

import com.zaxxer.hikari.SQLExceptionOverride;
import dev.backend.core.Deadline;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection as {@link ConnectionPool} lends it: HikariCP's connection, plus two duties.
 *
 * <p>Every statement created on it is registered. At the request's {@link Deadline}, or when a stop is about
 * to cut the request off, {@link Statement#cancel()} is called on each: pgJDBC asks PostgreSQL to stop the
 * statement that is running (a statement that is not running is left alone, without a round trip), the
 * server answers the waiting call with {@code 57014}, and the connection stays usable. A statement created
 * after the deadline is refused with {@code 57014} at once.
 *
 * <p>On close it decides whether the connection goes back to the pool: one whose socket is closed (the server
 * ended the session: {@code 57P01}, a lost network, an interrupt), or whose server reports itself read-only
 * after a write failed with {@code 25006} (a failover left the pool on a standby), is evicted, so the pool
 * opens a fresh one. HikariCP would evict some of these itself but log a stack trace for each; the request's
 * failure is already logged once, as one line, so {@link Failures} keeps HikariCP from doing it.
 */
final class PooledConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(PooledConnection.class);

    private final Connection connection;
    private final ConnectionPool pool;
    /** The request's deadline; {@code null} outside one. */
    private final Deadline deadline;
    private final long lentAt = System.nanoTime();
    private Statement[] statements; // guarded by this
    private int statementCount; // guarded by this
    private boolean closed; // guarded by this

    private PooledConnection(Connection connection, ConnectionPool pool, Deadline deadline) {
        this.connection = connection;
        this.pool = pool;
        this.deadline = deadline;
    }

    /** Lends {@code connection}; its statements are cancelled at {@code deadline}, the request's, if given. */
    static PooledConnection lend(Connection connection, ConnectionPool pool, Optional<Deadline> deadline) {
        PooledConnection lent = new PooledConnection(connection, pool, deadline.orElse(null));
        pool.lent(lent);
        deadline.ifPresent(d -> d.onExpiry(lent::cancelStatements));
        return lent;
    }

    /** Whether a request holds this connection, and has for less than {@code nanos}: busy, not stuck or leaked. */
    boolean heldByARequestForLessThan(long nanos) {
        return deadline != null && System.nanoTime() - lentAt < nanos;
    }

    /** The failure for work started after the request's deadline passed. */
    static SQLException deadlinePassed() {
        return new SQLException("The request's deadline passed; no new statement is started", "57014");
    }

    private <T extends Statement> T watch(T statement) throws SQLException {
        synchronized (this) {
            if (statements == null) {
                statements = new Statement[4];
            } else if (statementCount == statements.length) {
                forgetClosedStatements();
            }
            statements[statementCount++] = statement;
        }
        // Checked after registering: a deadline passing in between either sees the statement or is seen here.
        if (deadline != null && deadline.expired()) {
            statement.close();
            throw deadlinePassed();
        }
        return statement;
    }

    /** Makes room, dropping the statements already closed; grows when all are open. */
    private void forgetClosedStatements() throws SQLException {
        int open = 0;
        for (int i = 0; i < statementCount; i++) {
            if (!statements[i].isClosed()) {
                statements[open++] = statements[i];
            }
        }
        Arrays.fill(statements, open, statementCount, null);
        statementCount = open;
        if (open == statements.length) {
            statements = Arrays.copyOf(statements, open * 2);
        }
    }

    /** Stops whichever registered statement is running: at the request's deadline, or a stop's cut-off. */
    void cancelStatements() {
        Statement[] toCancel;
        synchronized (this) {
            if (closed || statementCount == 0) {
                return;
            }
            toCancel = Arrays.copyOf(statements, statementCount);
        }
        for (Statement statement : toCancel) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                LOG.debug("Cancelling a statement at the request's deadline failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws SQLException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            statements = null;
        }
        pool.returned(this);
        if (broken()) {
            pool.evict(connection);
        }
        connection.close();
    }

    /** True when the connection must not be lent again: its socket is closed, or its server is read-only. */
    private boolean broken() {
        try {
            if (connection.unwrap(Connection.class).isClosed()) {
                LOG.debug("Evicting a connection whose session ended");
                return true;
            }
            if (Failures.sawReadOnly()) {
                PGConnection server = connection.unwrap(PGConnection.class);
                if ("on".equals(server.getParameterStatus("default_transaction_read_only"))
                        || "on".equals(server.getParameterStatus("in_hot_standby"))) {
                    LOG.info("Evicting a connection to a read-only server (after a failover, say); the pool opens "
                            + "a new one");
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * HikariCP's say on failures: never evict on its own. It would evict for a class 08 or 57P0x SQLSTATE and log
     * a stack trace each time; {@link PooledConnection#close()} evicts what is really broken, quietly. A write
     * refused for a read-only server is noted for the thread, so that close checks the server's state.
     */
    static final class Failures implements SQLExceptionOverride {
        private static final ThreadLocal<Boolean> READ_ONLY_SEEN = new ThreadLocal<>();

        @java.lang.Override // SQLExceptionOverride's own type named Override hides the annotation's name here
        public Override adjudicate(SQLException failure) {
            if ("25006".equals(failure.getSQLState())) {
                READ_ONLY_SEEN.set(Boolean.TRUE);
            }
            return Override.DO_NOT_EVICT;
        }

        static boolean sawReadOnly() {
            return READ_ONLY_SEEN.get() != null;
        }
    }

    // Everything else is HikariCP's connection's, with the statements it creates registered.

    @Override
    public Statement createStatement() throws SQLException {
        return watch(connection.createStatement());
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return watch(connection.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return watch(connection.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return watch(connection.prepareStatement(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return watch(connection.prepareStatement(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return watch(connection.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return watch(connection.prepareStatement(sql, autoGeneratedKeys));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return watch(connection.prepareStatement(sql, columnIndexes));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return watch(connection.prepareStatement(sql, columnNames));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return watch(connection.prepareCall(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return watch(connection.prepareCall(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return watch(connection.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return connection.nativeSQL(sql);
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        connection.setAutoCommit(autoCommit);
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return connection.getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
        connection.rollback();
    }

    @Override
    public boolean isClosed() throws SQLException {
        synchronized (this) {
            if (closed) {
                return true;
            }
        }
        return connection.isClosed();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return connection.getMetaData();
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        connection.setReadOnly(readOnly);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return connection.isReadOnly();
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        connection.setCatalog(catalog);
    }

    @Override
    public String getCatalog() throws SQLException {
        return connection.getCatalog();
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        connection.setTransactionIsolation(level);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return connection.getTransactionIsolation();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return connection.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        connection.clearWarnings();
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        return connection.getTypeMap();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        connection.setTypeMap(map);
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        connection.setHoldability(holdability);
    }

    @Override
    public int getHoldability() throws SQLException {
        return connection.getHoldability();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return connection.setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        return connection.setSavepoint(name);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        connection.rollback(savepoint);
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        connection.releaseSavepoint(savepoint);
    }

    @Override
    public Clob createClob() throws SQLException {
        return connection.createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return connection.createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return connection.createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return connection.createSQLXML();
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        return connection.isValid(timeout);
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        connection.setClientInfo(name, value);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        connection.setClientInfo(properties);
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        return connection.getClientInfo(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        return connection.getClientInfo();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return connection.createArrayOf(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return connection.createStruct(typeName, attributes);
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        connection.setSchema(schema);
    }

    @Override
    public String getSchema() throws SQLException {
        return connection.getSchema();
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        connection.abort(executor);
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        connection.setNetworkTimeout(executor, milliseconds);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return connection.getNetworkTimeout();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : connection.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || connection.isWrapperFor(type);
    }
}
