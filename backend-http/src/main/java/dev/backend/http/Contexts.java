package dev.backend.http;

import com.sun.net.httpserver.HttpContext;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A server's contexts, longest path first, so the first whose path prefixes the request path is the longest
 * match, as with the JDK ({@code /foo} also matches {@code /foobar}; case-sensitive). Readers take the current
 * array without a lock; changes copy it.
 */
final class Contexts {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Context[] all = new Context[0];

    /** The context serving {@code path}, or null. */
    Context find(String path) {
        for (Context context : all) {
            if (path.startsWith(context.getPath())) {
                return context;
            }
        }
        return null;
    }

    void add(Context context) {
        lock.lock();
        try {
            for (Context existing : all) {
                if (existing.getPath().equals(context.getPath())) {
                    throw new IllegalArgumentException("cannot add context to list: " + context.getPath()
                            + " is already served");
                }
            }
            Context[] next = Arrays.copyOf(all, all.length + 1);
            next[all.length] = context;
            Arrays.sort(next, Comparator.comparingInt((Context c) -> c.getPath().length()).reversed());
            all = next;
        } finally {
            lock.unlock();
        }
    }

    void remove(String path) {
        lock.lock();
        try {
            for (Context existing : all) {
                if (existing.getPath().equals(path)) {
                    removeLocked(existing);
                    return;
                }
            }
            throw new IllegalArgumentException("cannot remove element from list: no context at " + path);
        } finally {
            lock.unlock();
        }
    }

    void remove(HttpContext context) {
        lock.lock();
        try {
            for (Context existing : all) {
                if (existing == context) {
                    removeLocked(existing);
                    return;
                }
            }
            throw new IllegalArgumentException("no such context in list");
        } finally {
            lock.unlock();
        }
    }

    private void removeLocked(Context context) {
        all = Arrays.stream(all).filter(c -> c != context).toArray(Context[]::new);
    }
}
