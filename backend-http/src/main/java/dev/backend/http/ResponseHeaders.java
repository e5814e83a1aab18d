package dev.backend.http;

import com.sun.net.httpserver.Headers;
import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The response's header fields as {@link Headers}: keys in {@code Headers} form (so {@code keySet()} and lookups
 * behave as with the JDK's class), but each field is written to the wire spelled as the handler named it,
 * {@code Content-Type} rather than {@code Content-type}: as last named by {@code set} or {@code put}, while {@code add}
 * appends values under the spelling the field has. Lookups ignore case, so {@code keySet().contains("content-type")}
 * is true here where the JDK's class, whose keys are {@code Content-type}, says false. Values are the live lists
 * {@code get} returns.
 *
 * <p>Checked when set, and values held in lists again when written, because the lists are live and can change in
 * between (a single value cannot: it is stored as the checked string): names must be tokens (RFC 9110 §5.1) and
 * values may hold no control character but HTAB and no character above U+00FF (RFC 9110 §5.5), so no value can
 * fold or split a line. A violation is an {@link IllegalArgumentException}.
 */
final class ResponseHeaders extends IndexedHeaders {

    /** Per field: its key form, its spelling as given, and its values (a bare String until a list is asked for). */
    private static final int STRIDE = 3;
    private static final Object[] NONE = new Object[0];

    private Object[] slots = NONE;
    private int size;

    /** The number of fields, for the writer. */
    int fields() {
        return size;
    }

    @Override
    String key(int i) {
        return (String) slots[i * STRIDE];
    }

    /** Field {@code i}'s name as the handler spelled it. */
    String wireName(int i) {
        return (String) slots[i * STRIDE + 1];
    }

    /** Field {@code i}'s single value, or null if it has a list. */
    String single(int i) {
        return slots[i * STRIDE + 2] instanceof String value ? value : null;
    }

    @Override
    List<String> valuesAt(int i) {
        return list(i);
    }

    /** The live list of field {@code i}, made from its single value the first time it is asked for. */
    @SuppressWarnings("unchecked")
    private List<String> list(int i) {
        Object value = slots[i * STRIDE + 2];
        if (value instanceof String single) {
            ArrayList<String> list = new ArrayList<>(2);
            list.add(single);
            slots[i * STRIDE + 2] = list;
            return list;
        }
        return (List<String>) value;
    }

    private int indexOf(String key) {
        Object[] slots = this.slots;
        for (int i = 0; i < size; i++) {
            String k = (String) slots[i * STRIDE];
            if (k == key || HeaderNames.sameName(k, key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The key form of a name code sets that is not a {@linkplain HeaderNames#knownSpelling known spelling}, checked
     * to be a token. Every stored key comes from the known spellings, from here or from {@link
     * HeaderNames#normalized(String)}, which is the same form: the shared instance for a known name, else one
     * canonical spelling, so {@link #indexOfKey} can compare keys exactly.
     */
    private static String keyOfOther(String name) {
        checkName(name);
        return HeaderNames.normalized(name);
    }

    /**
     * The index of the field of {@code key}, or -1. A known name's shared instance ({@code shared}) is the only
     * instance of it ever stored, so it is found by identity alone.
     */
    private int indexOfKey(String key, boolean shared) {
        Object[] slots = this.slots;
        for (int i = 0; i < size; i++) {
            Object stored = slots[i * STRIDE];
            if (stored == key || (!shared && key.equals(stored))) {
                return i;
            }
        }
        return -1;
    }

    /** Adds a field under its key form; {@code value} is a String or a List. */
    private void insert(String key, String name, Object value) {
        if ((size + 1) * STRIDE > slots.length) {
            // Room for eight fields at first: a response through the standard middleware carries seven or eight.
            slots = Arrays.copyOf(slots, Math.max(8, size * 2) * STRIDE);
        }
        int at = size * STRIDE;
        slots[at] = key;
        slots[at + 1] = name;
        slots[at + 2] = value;
        size++;
    }

    private void removeAt(int i) {
        System.arraycopy(slots, (i + 1) * STRIDE, slots, i * STRIDE, (size - i - 1) * STRIDE);
        size--;
        Arrays.fill(slots, size * STRIDE, (size + 1) * STRIDE, null);
    }

    static void checkName(String name) {
        if (!HeaderNames.isToken(name)) {
            throw new IllegalArgumentException("header name must be a token (RFC 9110 §5.1): \"" + printable(name) + "\"");
        }
    }

    static void checkValue(String value) {
        Objects.requireNonNull(value, "header value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("header value holds a character not allowed in a field value"
                        + " (RFC 9110 §5.5) at index " + i);
            }
        }
    }

    private static String printable(String name) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < name.length() && i < 64; i++) {
            char c = name.charAt(i);
            text.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return text.toString();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        Objects.requireNonNull(key);
        return key instanceof String k && indexOf(k) >= 0;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        for (int i = 0; i < size; i++) {
            if (list(i).equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> get(Object key) {
        int i = indexOf((String) Objects.requireNonNull(key));
        return i < 0 ? null : list(i);
    }

    @Override
    public String getFirst(String key) {
        int i = indexOf(Objects.requireNonNull(key));
        if (i < 0) {
            return null;
        }
        String single = single(i);
        if (single != null) {
            return single;
        }
        List<String> list = list(i);
        return list.isEmpty() ? null : list.getFirst();
    }

    @Override
    public List<String> put(String key, List<String> value) {
        String known = HeaderNames.knownSpelling(Objects.requireNonNull(key));
        String k = known != null ? known : keyOfOther(key);
        for (String v : value) {
            checkValue(v);
        }
        int i = indexOfKey(k, known != null);
        if (i < 0) {
            insert(k, key, value);
            return null;
        }
        List<String> previous = list(i);
        slots[i * STRIDE + 1] = key;
        slots[i * STRIDE + 2] = value;
        return previous;
    }

    @Override
    public void add(String key, String value) {
        String known = HeaderNames.knownSpelling(Objects.requireNonNull(key));
        String k = known != null ? known : keyOfOther(key);
        checkValue(value);
        int i = indexOfKey(k, known != null);
        if (i < 0) {
            insert(k, key, value);
            return;
        }
        List<String> list = list(i);
        if (!(list instanceof ArrayList<String>)) {
            // put() may have stored an immutable list; adding to a copy keeps add() working as documented.
            list = new ArrayList<>(list);
            slots[i * STRIDE + 2] = list;
        }
        list.add(value);
    }

    @Override
    public void set(String key, String value) {
        String known = HeaderNames.knownSpelling(Objects.requireNonNull(key));
        String k = known != null ? known : keyOfOther(key);
        checkValue(value);
        int i = indexOfKey(k, known != null);
        if (i < 0) {
            insert(k, key, value);
        } else {
            slots[i * STRIDE + 1] = key;
            slots[i * STRIDE + 2] = value;
        }
    }

    @Override
    public List<String> remove(Object key) {
        int i = indexOf((String) Objects.requireNonNull(key));
        if (i < 0) {
            return null;
        }
        List<String> previous = list(i);
        removeAt(i);
        return previous;
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> map) {
        map.forEach(this::put);
    }

    @Override
    public void clear() {
        Arrays.fill(slots, 0, size * STRIDE, null);
        size = 0;
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
        for (int i = 0; i < size; i++) {
            List<String> replaced = Objects.requireNonNull(function.apply(key(i), list(i)));
            replaced.forEach(ResponseHeaders::checkValue);
            slots[i * STRIDE + 2] = replaced;
        }
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new Cursor<>() {
                    @Override
                    String at(int i) {
                        return key(i);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public boolean contains(Object o) {
                return o instanceof String k && indexOf(k) >= 0;
            }

            @Override
            public boolean remove(Object o) {
                return o instanceof String k && ResponseHeaders.this.remove(k) != null;
            }
        };
    }

    @Override
    public Collection<List<String>> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<List<String>> iterator() {
                return new Cursor<>() {
                    @Override
                    List<String> at(int i) {
                        return list(i);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, List<String>>> iterator() {
                return new Cursor<>() {
                    @Override
                    Map.Entry<String, List<String>> at(int i) {
                        return new Field(key(i));
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }


    /** A live entry: reads and writes go to the field of its key. */
    private final class Field implements Map.Entry<String, List<String>> {
        private final String key;

        Field(String key) {
            this.key = key;
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        public List<String> getValue() {
            return get(key);
        }

        @Override
        public List<String> setValue(List<String> value) {
            int i = indexOf(key);
            if (i < 0) {
                throw new IllegalStateException("the field was removed");
            }
            value.forEach(ResponseHeaders::checkValue);
            List<String> previous = list(i);
            slots[i * STRIDE + 2] = value;
            return previous;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }

    /** Walks fields by position; {@code remove} deletes the field last returned. */
    private abstract class Cursor<T> implements Iterator<T> {
        private int next;
        private int last = -1;

        abstract T at(int i);

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public T next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next;
            return at(next++);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            removeAt(last);
            next = last;
            last = -1;
        }
    }
}
