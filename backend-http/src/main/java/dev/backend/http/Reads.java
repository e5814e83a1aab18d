package dev.backend.http;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The selectors of one engine: each a thread of its own (virtual from JDK 24) reading its connections' sockets
 * into their queues.
 * Connections are spread over them in turn.
 */
final class Reads {
    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    Reads(int count) throws IOException {
        loops = new Loop[count];
        for (int i = 0; i < count; i++) {
            loops[i] = new Loop(Selector.open());
        }
    }

    /** As many selectors as a quarter of the processors, at least one. */
    static Reads forProcessors() throws IOException {
        return new Reads(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
    }

    /**
     * Whether the selectors run on virtual threads: from JDK 24, where a virtual thread blocked in {@code
     * Selector.select} unmounts from its carrier (JEP 491 made epoll selection preemptible). Before, it would hold
     * a carrier for good, one of as few as one or two, so there they are platform threads.
     */
    static final boolean VIRTUAL = Runtime.version().feature() >= 24;

    void start() {
        for (int i = 0; i < loops.length; i++) {
            Thread.Builder builder = VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            builder.name("backend-http-reads-" + i).start(loops[i]);
        }
    }

    /** Registers a non-blocking channel for reading with the next selector, which calls {@code served} on it. */
    SelectionKey register(SocketChannel channel, Served served) throws IOException {
        Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        try {
            SelectionKey key = channel.register(loop.selector, SelectionKey.OP_READ, served);
            loop.selector.wakeup();
            return key;
        } catch (ClosedSelectorException e) {
            throw new SocketException("server stopped");
        }
    }

    /** Ends the selectors; connections still registered are closed by the engine's stop. */
    void close() {
        for (Loop loop : loops) {
            try {
                loop.selector.close();
            } catch (IOException e) {
                Engine.LOG.log(Level.DEBUG, "Closing a selector failed", e);
            }
        }
    }

    /** What a selector serves: a connection it reads when ready, and closes when that fails. */
    interface Served {
        /** On the selector's thread: the channel is ready; {@code buffer} is the selector's, to read into. */
        void ready(SelectionKey key, ByteBuffer buffer);

        /** Closes the connection; safe from any thread. */
        void close();
    }

    /** One selector and the loop that serves it. */
    static final class Loop implements Runnable {
        final Selector selector;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(SelectorTransport.MAX_PENDING);

        Loop(Selector selector) {
            this.selector = selector;
        }

        @Override
        public void run() {
            while (selector.isOpen()) {
                try {
                    // After a turn that found ready connections, the selector yields its carrier to the connection
                    // threads it just woke, which mostly run there at once, and looks again without blocking.
                    // It blocks only when a look finds nothing: a virtual thread blocked in select() is parked
                    // through the JDK's poller, which costs a system call to arm it and a thread switch to wake
                    // it. Under load this saved 8% of the CPU per request (bench/engine.sh, http-engine.md).
                    if (VIRTUAL && selector.selectNow(this::serve) > 0) {
                        Thread.yield();
                    } else {
                        selector.select(this::serve);
                    }
                } catch (ClosedSelectorException e) {
                    return;
                } catch (Throwable e) {
                    // Ending the loop would leave every connection of this selector unread while the server lives on.
                    report("Selecting ready connections failed", e);
                }
            }
        }

        private void serve(SelectionKey key) {
            Served served = (Served) key.attachment();
            try {
                served.ready(key, buffer);
            } catch (Throwable e) {
                // An OutOfMemoryError included: this connection fails, every other goes on being read.
                served.close();
                report("Reading a connection failed", e);
            }
        }

        private static void report(String what, Throwable e) {
            try {
                Engine.LOG.log(Level.ERROR, what, e);
            } catch (Throwable logging) {
                // Out of memory even for the log line: the loop must go on regardless.
            }
        }
    }
}
