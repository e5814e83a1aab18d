package dev.backend.http;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSession;

/**
 * A plain connection whose bytes a {@link Reads} selector reads as they arrive, so that the connection's thread
 * only waits for them: the socket is registered once for its whole life.
 *
 * <p>Why: a blocking read on a virtual thread that finds nothing yet (after every response, before the client's
 * next request) costs the JDK a failed {@code read}, an {@code epoll_ctl} to register the socket for one event,
 * and a second {@code read} once woken; here each request costs one {@code read} (by the selector) and one
 * {@code write} (docs/http-engine.md, "What a request costs in system calls"). From JDK 24 the selector runs on
 * a virtual thread, so it shares the carriers instead of competing with them for the cores ({@link Reads#VIRTUAL}).
 *
 * <p>Once {@link #MAX_PENDING} bytes wait unread (each read's chunk counted with {@link #CHUNK_COST} more), the
 * selector stops reading the connection until its thread has taken half of them, so a client cannot make the
 * server hold more than twice that for it, however it splits what it sends. Writes are
 * non-blocking; a full socket makes the writer wait for the selector to report it writable.
 */
final class SelectorTransport extends SocketTransport implements Reads.Served {

    /**
     * Bytes read ahead of the connection's thread before the selector stops reading the socket, and the most one
     * read takes: at most twice this waits in memory per connection, whatever the client sends.
     */
    static final int MAX_PENDING = 16 * 1024;

    /**
     * What a queued chunk costs beyond its bytes (its array's header and its slot in the queue), charged against
     * {@link #MAX_PENDING}: a client sending one byte per segment would otherwise queue thousands of one-byte
     * arrays, each several times its size, before the limit stops it.
     */
    static final int CHUNK_COST = 64;

    private final SocketChannel channel;
    private final Reads reads;
    /** This connection's registration with the selector reading it; set by open. */
    private volatile SelectionKey key;

    // Guarded by this: what the selector read and the connection's thread has not taken yet.
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(2);
    private int chunkOffset;
    private int pending;
    private boolean paused;
    private boolean ended;
    private IOException failure;
    private boolean inputShut;
    private Thread reader;

    private volatile Thread writer;
    private volatile boolean closed;

    SelectorTransport(Socket raw, boolean noDelay, Reads reads) {
        super(raw, noDelay);
        this.channel = raw.getChannel();
        this.reads = reads;
    }

    @Override
    public void open() throws IOException {
        openSocket();
        channel.configureBlocking(false);
        key = reads.register(channel, this);
    }

    /** On the selector's thread, when the socket is readable or writable. */
    @Override
    public void ready(SelectionKey key, ByteBuffer buffer) {
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        if ((ready & SelectionKey.OP_READ) != 0) {
            readReady(key, buffer);
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            interest(key, SelectionKey.OP_WRITE, false);
            LockSupport.unpark(writer);
        }
    }

    private void readReady(SelectionKey key, ByteBuffer buffer) {
        buffer.clear();
        int n;
        IOException error = null;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            n = -1;
            error = e;
        }
        Thread waiting;
        synchronized (this) {
            if (n > 0) {
                byte[] chunk = new byte[n];
                buffer.flip().get(chunk);
                chunks.addLast(chunk);
                pending += n + CHUNK_COST;
                if (pending >= MAX_PENDING) {
                    paused = true;
                    interest(key, SelectionKey.OP_READ, false);
                }
            } else if (n < 0) {
                ended = true;
                failure = error;
                interest(key, SelectionKey.OP_READ, false);
            }
            waiting = reader;
        }
        LockSupport.unpark(waiting);
    }

    /** Sets or clears {@code op} atomically: the selector and the connection's thread both change the set. */
    private static void interest(SelectionKey key, int op, boolean on) {
        try {
            if (on) {
                key.interestOpsOr(op);
            } else {
                key.interestOpsAnd(~op);
            }
        } catch (CancelledKeyException e) {
            // Closed meanwhile: nothing is waited for any more.
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        boolean resume;
        int n;
        while (true) {
            synchronized (this) {
                reader = null;
                if (inputShut || closed) {
                    return -1;
                }
                if (!chunks.isEmpty()) {
                    n = take(buffer, offset, length);
                    resume = paused && pending < MAX_PENDING / 2;
                    if (resume) {
                        // Under the lock, so the selector cannot pause it again in between and have this undo it.
                        paused = false;
                        interest(key, SelectionKey.OP_READ, true);
                    }
                    break;
                }
                if (failure != null) {
                    throw failure;
                }
                if (ended) {
                    return -1;
                }
                reader = Thread.currentThread();
            }
            closeIfInterrupted();
            LockSupport.park(this);
        }
        if (resume) {
            wakeup();
        }
        return n;
    }

    /**
     * As a blocking socket does, an interrupted read or write closes the connection; a park would also return at
     * once on an interrupted thread, again and again.
     */
    private void closeIfInterrupted() throws SocketException {
        if (Thread.currentThread().isInterrupted()) {
            close();
            throw new SocketException("Closed by interrupt");
        }
    }

    /** Bytes read from the socket that the connection's thread has not taken yet, with {@link #CHUNK_COST} per chunk. */
    synchronized int pending() {
        return pending;
    }

    @Override
    public boolean hasUnreadInput() {
        return pending() > 0;
    }

    /** Chunks read from the socket and not taken yet. */
    synchronized int chunks() {
        return chunks.size();
    }

    /** Copies out of the queued chunks; holds the lock. */
    private int take(byte[] buffer, int offset, int length) {
        int n = 0;
        while (n < length && !chunks.isEmpty()) {
            byte[] chunk = chunks.peekFirst();
            int count = Math.min(length - n, chunk.length - chunkOffset);
            System.arraycopy(chunk, chunkOffset, buffer, offset + n, count);
            n += count;
            chunkOffset += count;
            if (chunkOffset == chunk.length) {
                chunks.removeFirst();
                chunkOffset = 0;
                pending -= CHUNK_COST;
            }
        }
        pending -= n;
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
        while (bytes.hasRemaining()) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (channel.write(bytes) > 0) {
                continue;
            }
            // The socket's send buffer is full: wait until the selector sees room.
            writer = Thread.currentThread();
            try {
                interest(key, SelectionKey.OP_WRITE, true);
                wakeup();
                closeIfInterrupted();
                if (!closed) {
                    LockSupport.park(this);
                }
            } finally {
                writer = null;
            }
        }
    }

    @Override
    public void interruptRead() {
        Thread waiting;
        synchronized (this) {
            inputShut = true;
            chunks.clear();
            pending = 0;
            waiting = reader;
        }
        SelectionKey registered = key;
        if (registered != null) {
            interest(registered, SelectionKey.OP_READ, false);
        }
        LockSupport.unpark(waiting);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a socket that is already broken has nothing left to report.
        }
        // A registered channel's socket is released by its selector's next turn: make it now.
        wakeup();
        Thread waiting;
        synchronized (this) {
            waiting = reader;
        }
        LockSupport.unpark(waiting);
        LockSupport.unpark(writer);
    }

    private void wakeup() {
        SelectionKey registered = key;
        if (registered != null) {
            registered.selector().wakeup();
        }
    }

    @Override
    public SSLSession sslSession() {
        return null;
    }
}
