package dev.backend.core;

import java.util.concurrent.atomic.AtomicReferenceArray;
import tools.jackson.core.util.BufferRecycler;
import tools.jackson.core.util.RecyclerPool;

/**
 * The pool of Jackson's buffers behind {@link Json#defaults()}: a small table of slots, each holding one idle {@link
 * BufferRecycler} or none. A thread takes the first one it finds, starting from a slot hashed from its id, and puts
 * it back in the first empty one from there: one compare-and-set each way.
 *
 * <p>Jackson's default pool is a {@code ConcurrentLinkedDeque}, which allocates a node on every release and has
 * every thread meet at its two ends. Its thread-local pool suits platform threads only: a virtual thread per
 * request would find its own pool empty every time and allocate fresh buffers. Here a thread serving many requests
 * (backend-http runs a connection's requests on one virtual thread) finds the recycler it released in its own slot,
 * and a new thread takes any idle one. No more recyclers are held than there are slots; a thread that finds the
 * table full drops the one it releases.
 */
final class JsonBufferPool implements RecyclerPool<BufferRecycler> {

    private static final long serialVersionUID = 1L;

    /** The pool {@link Json#defaults()} builds its mappers with. */
    static final JsonBufferPool SHARED = new JsonBufferPool();

    /**
     * Serialisations run at once seldom outnumber the cores, as they do not block; four slots per core leave room
     * for those a thread switch interrupts midway.
     */
    private final transient AtomicReferenceArray<BufferRecycler> slots =
            new AtomicReferenceArray<>(Math.max(8, Integer.highestOneBit(4 * Runtime.getRuntime().availableProcessors())));

    JsonBufferPool() {}

    @Override
    public BufferRecycler acquirePooled() {
        int mask = slots.length() - 1;
        int start = start();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            BufferRecycler idle = slots.getPlain(slot);
            if (idle != null && slots.compareAndSet(slot, idle, null)) {
                return idle;
            }
        }
        return new BufferRecycler();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
        int mask = slots.length() - 1;
        int start = start();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, recycler)) {
                return;
            }
        }
    }

    @Override
    public int pooledCount() {
        int count = 0;
        for (int i = 0; i < slots.length(); i++) {
            count += slots.get(i) != null ? 1 : 0;
        }
        return count;
    }

    @Override
    public boolean clear() {
        for (int i = 0; i < slots.length(); i++) {
            slots.set(i, null);
        }
        return true;
    }

    /** The slot a thread starts from: Fibonacci hashing spreads consecutive thread ids over the table. */
    private int start() {
        return (int) (Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L >>> 32);
    }

    /** A deserialised pool is the shared one, as Jackson's own shared pools resolve to theirs. */
    private Object readResolve() {
        return SHARED;
    }
}
