package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.util.BufferRecycler;

class JsonBufferPoolTest {

    @Test
    void aThreadGetsBackTheRecyclerItReleased() {
        JsonBufferPool pool = new JsonBufferPool();
        BufferRecycler first = pool.acquirePooled();
        pool.releasePooled(first);

        assertSame(first, pool.acquirePooled());
        assertEquals(0, pool.pooledCount(), "taken out again");
    }

    @Test
    void anEmptyPoolMakesANewRecycler() {
        JsonBufferPool pool = new JsonBufferPool();

        assertNotSame(pool.acquirePooled(), pool.acquirePooled());
    }

    @Test
    void anotherThreadTakesAnIdleRecycler() throws InterruptedException {
        JsonBufferPool pool = new JsonBufferPool();
        BufferRecycler released = pool.acquirePooled();
        pool.releasePooled(released);
        BufferRecycler[] taken = new BufferRecycler[1];

        Thread.ofVirtual().start(() -> taken[0] = pool.acquirePooled()).join();

        assertSame(released, taken[0]);
    }

    @Test
    void aFullPoolDropsWhatIsReleasedAndHoldsNoMoreThanItsSlots() {
        JsonBufferPool pool = new JsonBufferPool();
        List<BufferRecycler> inUse = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            inUse.add(pool.acquirePooled());
        }
        inUse.forEach(pool::releasePooled);

        int held = pool.pooledCount();
        assertTrue(held >= 8 && held < 1000, held + " held");
        assertTrue(pool.clear());
        assertEquals(0, pool.pooledCount());
    }

    @Test
    void theSharedPoolHasItsSlotsAndKeepsWhatIsReleased() {
        BufferRecycler released = new BufferRecycler();
        JsonBufferPool.SHARED.clear();

        JsonBufferPool.SHARED.releasePooled(released);

        assertSame(released, JsonBufferPool.SHARED.acquirePooled());
    }

    @Test
    void theMappersOfTheDefaultsShareThePool() {
        assertSame(JsonBufferPool.SHARED, Json.defaults().build().tokenStreamFactory()._getRecyclerPool());
    }
}
