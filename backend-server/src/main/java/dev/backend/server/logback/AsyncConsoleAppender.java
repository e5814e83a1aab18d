package dev.backend.server.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A console appender that writes from a background thread, in batches: the thread logging an INFO line (the access
 * log's, one per request) formats it and queues the bytes, and one write carries every line queued meanwhile.
 *
 * <p>Logback's {@code ConsoleAppender} makes one write to standard output per line, on the logging thread, which
 * cost the access log more than the request it described; logback's {@code AsyncAppender} in front of it still
 * writes line by line, wakes its worker for almost every event and, by default, drops INFO lines when its queue
 * is four-fifths full. This appender instead:
 *
 * <ul>
 *   <li>never drops a line: a full queue ({@link #setQueueSize}, 8192 events) makes the logging thread wait;
 *   <li>writes what is queued as soon as its thread is awake: under traffic it wakes every {@value #BATCH_MILLIS}
 *       ms and writes everything queued since in one call (one per 64 KB); when the queue is empty it sleeps
 *       until the next event wakes it, so at low traffic a line is written at once and an idle server costs
 *       nothing;
 *   <li>writes WARN and ERROR lines before the logging call returns, after every line queued before them, so
 *       the lines that explain a crash or a forced exit are out before it happens;
 *   <li>writes whatever is still queued when the JVM shuts down (and writes directly from then on), and when
 *       stopped.
 * </ul>
 *
 * <p>Events are formatted by the {@link Encoder} on the thread that logs them, as logback's own console appender
 * formats them (an encoder that keeps no state between events may be called by several threads at once): the event,
 * its MDC and its message are then still in that thread's cache, where the writing thread would fetch each from
 * another core. Only a stateful encoder's ({@link Encoder#isStateful()}) events are queued, with their thread name,
 * MDC and message taken when logged, and formatted in order on the writing thread; caller data ({@code %caller},
 * {@code %line}) is not captured for them.
 *
 * {@snippet lang="xml" :
 * <appender name="console" class="dev.backend.server.logback.AsyncConsoleAppender">
 *   <target>System.out</target>  <!-- or System.err -->
 *   <encoder>
 *     <pattern>%d %-5level [%thread] %logger{30} - %msg%n</pattern>
 *   </encoder>
 * </appender>
 * }
 */
// Its API names logback's types, which this module reads only if present (requires static): an application that
// configures this appender has logback, and one without it never loads the class.
@SuppressWarnings("exports")
public final class AsyncConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /**
     * How long the writing thread lets lines gather after a write while they keep coming. Each wake-up costs a
     * timed park, a drain of the queue and a write, whatever the batch: at 1 ms they were most of the access log's
     * cost on the writing thread. Longer costs less CPU but formats and writes a longer batch at a time, which
     * holds up a request thread sharing the core: at 10 ms the bench's p99 latency rose from 4.4 to 7 ms, at 3 ms
     * it stayed ({@code docs/benchmarks.md}).
     */
    static final long BATCH_MILLIS = 3;
    private static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
    /** How long a stop or the JVM's shutdown waits for the writing thread. */
    private static final long STOP_MILLIS = 2000;
    /** The most bytes one write carries: a longer batch is written in several, without growing a buffer. */
    private static final int BUFFER = 64 * 1024;
    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(AsyncConsoleAppender.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Encoder<ILoggingEvent> encoder;
    private String target = "System.out";
    private int queueSize = 8192;

    /** Lines formatted by the logging threads ({@code byte[]}), or events a stateful encoder formats here. */
    private ArrayBlockingQueue<Object> queue;
    /** Held while lines are formatted and written, so batches and the lines written directly never interleave. */
    private final ReentrantLock writing = new ReentrantLock();
    private final List<Object> batch = new ArrayList<>();
    private final byte[] buffer = new byte[BUFFER];
    private int buffered;
    private Thread writer;
    private Thread shutdownHook;
    /** The writing thread waits for the next event; whoever queues one wakes it. */
    private volatile boolean sleeping;
    private volatile boolean stopping;
    /** Set once the JVM shuts down: the writing thread may be gone, so each line is written by its caller. */
    private volatile boolean direct;

    /** An appender to configure, then {@link #start()}; logback's configuration does both. */
    public AsyncConsoleAppender() {}

    /** {@return the encoder that formats each event} */
    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }

    /**
     * Sets the encoder; on a started appender, lines logged from then on are formatted by it.
     *
     * @param encoder formats each event into the bytes written
     */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        writing.lock();
        try {
            this.encoder = encoder;
        } finally {
            writing.unlock();
        }
    }

    /** {@return {@code System.out} (the default) or {@code System.err}} */
    public String getTarget() {
        return target;
    }

    /**
     * Writes to standard output or standard error, as looked up at each write.
     *
     * @param target {@code System.out} or {@code System.err}
     */
    public void setTarget(String target) {
        this.target = target;
    }

    /** {@return how many events may wait to be written before logging threads wait} */
    public int getQueueSize() {
        return queueSize;
    }

    /**
     * Sets how many events may wait to be written before logging threads wait.
     *
     * @param queueSize at least 1; 8192 by default
     */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (encoder == null) {
            addError("No encoder set for the appender named [" + name + "].");
            return;
        }
        if (!target.equals("System.out") && !target.equals("System.err")) {
            addError("Target must be System.out or System.err, was [" + target + "] in the appender named [" + name
                    + "].");
            return;
        }
        if (queueSize < 1) {
            addError("Invalid queue size [" + queueSize + "] in the appender named [" + name + "].");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        direct = false;
        super.start();
        writeBytes(encoder.headerBytes());
        String thread = "log-writer-" + (name != null ? name : "console");
        writer = Thread.ofPlatform().daemon().name(thread).start(this::run);
        shutdownHook = new Thread(this::shutDown, thread + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it finds the queue written below.
        }
        endWriter();
        writeBytes(encoder.footerBytes());
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (direct || event.getLevel().isGreaterOrEqual(Level.WARN)) {
            writeWithQueued(event);
            return;
        }
        Object line = line(event);
        if (line == null) {
            return;
        }
        if (!queue.offer(line)) {
            // Full: the writing thread may be sleeping or in its batch wait; either way it must write now, or every
            // logging thread would wait out the interval for each queue's worth of lines.
            wake();
            LockSupport.unpark(writer);
            putUninterruptibly(line);
        }
        if (sleeping) {
            wake();
        }
        if (stopping) {
            // Queued as the writing thread ended: nobody else would write it.
            writeQueued();
        }
    }

    /**
     * What to queue for {@code event}: its bytes, formatted now on the logging thread; for a stateful encoder the
     * event itself, with what it needs taken now, formatted in order on the writing thread. Null if the encoder
     * failed or wrote nothing.
     */
    private Object line(ILoggingEvent event) {
        Encoder<ILoggingEvent> encoder = this.encoder;
        if (encoder.isStateful()) {
            event.prepareForDeferredProcessing();
            return event;
        }
        return bytes(encoder, event);
    }

    private void wake() {
        if (SLEEPING.compareAndSet(this, true, false)) {
            LockSupport.unpark(writer);
        }
    }

    private void putUninterruptibly(Object line) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(line);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writing thread: writes what is queued, lets more gather, and sleeps once nothing came. */
    private void run() {
        while (true) {
            if (!writeQueued()) {
                if (stopping) {
                    return;
                }
                sleep();
                continue;
            }
            LockSupport.parkNanos(this, BATCH_NANOS);
        }
    }

    /**
     * Parks until an event is queued. The flag is set before the queue is looked at, and read by a logging thread
     * after it queued its event, so one of the two always sees the other: no event waits for a later one.
     */
    private void sleep() {
        sleeping = true;
        if (!queue.isEmpty() || stopping) {
            sleeping = false;
            return;
        }
        while (sleeping && !stopping) {
            LockSupport.park(this);
        }
    }

    /** Writes every queued event in one write; false if there was none. */
    private boolean writeQueued() {
        writing.lock();
        try {
            queue.drainTo(batch);
            if (batch.isEmpty()) {
                return false;
            }
            for (Object line : batch) {
                buffer(line);
            }
            batch.clear();
            flush();
            return true;
        } finally {
            writing.unlock();
        }
    }

    /** Writes the events queued before {@code event}, then {@code event}, before returning. */
    private void writeWithQueued(ILoggingEvent event) {
        writing.lock();
        try {
            queue.drainTo(batch);
            for (Object queued : batch) {
                buffer(queued);
            }
            batch.clear();
            buffer(bytes(encoder, event));
            flush();
        } finally {
            writing.unlock();
        }
    }

    /** The event formatted by {@code encoder}, or null if it failed (reported in logback's status) or wrote nothing. */
    private byte[] bytes(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
        try {
            return encoder.encode(event);
        } catch (RuntimeException e) {
            addError("The encoder failed on an event of the appender named [" + name + "]", e);
            return null;
        }
    }

    /** Adds a queued line to the buffer: its bytes, or an event formatted now. Under {@code writing}. */
    private void buffer(Object line) {
        byte[] bytes = line instanceof ILoggingEvent event ? bytes(encoder, event) : (byte[]) line;
        if (bytes == null) {
            return;
        }
        if (buffered + bytes.length > buffer.length) {
            flush();
        }
        if (bytes.length > buffer.length) {
            // One line longer than the buffer: written on its own, after the lines before it.
            writeTo(bytes, bytes.length);
            return;
        }
        System.arraycopy(bytes, 0, buffer, buffered, bytes.length);
        buffered += bytes.length;
    }

    private void flush() {
        if (buffered == 0) {
            return;
        }
        writeTo(buffer, buffered);
        buffered = 0;
    }

    private void writeTo(byte[] bytes, int length) {
        PrintStream out = target.equals("System.err") ? System.err : System.out;
        out.write(bytes, 0, length);
        out.flush();
    }

    private void writeBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return;
        }
        writing.lock();
        try {
            writeTo(bytes, bytes.length);
        } finally {
            writing.unlock();
        }
    }

    /** Lets the writing thread write what is queued and end, waiting a bounded time for it. */
    private void endWriter() {
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Whatever the thread did not get to (it was slow, or this thread was interrupted) is written here.
        writeQueued();
    }

    /** At JVM shutdown: no line may stay queued, and lines logged from now on are written by their callers. */
    private void shutDown() {
        direct = true;
        endWriter();
    }
}
