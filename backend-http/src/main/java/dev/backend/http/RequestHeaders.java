package dev.backend.http;

import com.sun.net.httpserver.Headers;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The request's header fields as {@link Headers}: read-only (every mutator throws {@link
 * UnsupportedOperationException}), keys in {@code Headers} form and compared ignoring ASCII case, one value per
 * field line in arrival order. Built once by the parser, never copied.
 *
 * <p>Names live in arrival order in a small array; a request with many distinct names gets a hash index so a
 * lookup never scans hundreds of entries.
 */
final class RequestHeaders extends IndexedHeaders {

    private static final int INDEX_FROM = 16;

    /**
     * Per field, in arrival order: its name in key form, then a {@code String} for a single value or an
     * unmodifiable {@code List<String>} once asked for or repeated.
     */
    private Object[] slots = new Object[16];
    private int size;
    private HashMap<String, Integer> index;

    /** Adds a field line while parsing; {@code name} is in key form. */
    void addParsed(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) {
            Object current = slots[2 * i + 1];
            List<String> list = new ArrayList<>(current instanceof String s ? List.of(s) : asList(current));
            list.add(value);
            slots[2 * i + 1] = Collections.unmodifiableList(list);
            return;
        }
        if (2 * size == slots.length) {
            slots = java.util.Arrays.copyOf(slots, slots.length * 2);
        }
        slots[2 * size] = name;
        slots[2 * size + 1] = value;
        if (index != null) {
            index.put(name, size);
        } else if (size + 1 == INDEX_FROM) {
            index = new HashMap<>();
            for (int k = 0; k <= size; k++) {
                index.put(key(k), k);
            }
        }
        size++;
    }

    /** Replaces every value of {@code name} by one, while parsing (the authority of an absolute-form target). */
    void replaceParsed(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) {
            slots[2 * i + 1] = value;
        } else {
            addParsed(name, value);
        }
    }

    private int indexOf(String key) {
        if (index != null) {
            Integer i = index.get(HeaderNames.normalized(key));
            return i == null ? -1 : i;
        }
        for (int i = 0; i < size; i++) {
            String name = key(i);
            if (name == key || HeaderNames.sameName(name, key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    String key(int i) {
        return (String) slots[2 * i];
    }

    @SuppressWarnings("unchecked")
    private static List<String> asList(Object value) {
        return (List<String>) value;
    }

    @Override
    List<String> valuesAt(int i) {
        return list(i);
    }

    private List<String> list(int i) {
        Object value = slots[2 * i + 1];
        if (value instanceof String s) {
            List<String> list = List.of(s);
            slots[2 * i + 1] = list;
            return list;
        }
        return asList(value);
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
        Object value = slots[2 * i + 1];
        return value instanceof String s ? s : asList(value).getFirst();
    }

    @Override
    public List<String> getOrDefault(Object key, List<String> defaultValue) {
        List<String> value = get(key);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> put(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public void add(String key, String value) {
        throw readOnly();
    }

    @Override
    public void set(String key, String value) {
        throw readOnly();
    }

    @Override
    public List<String> remove(Object key) {
        throw readOnly();
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> map) {
        throw readOnly();
    }

    @Override
    public void clear() {
        throw readOnly();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
        throw readOnly();
    }

    @Override
    public List<String> putIfAbsent(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw readOnly();
    }

    @Override
    public boolean replace(String key, List<String> oldValue, List<String> newValue) {
        throw readOnly();
    }

    @Override
    public List<String> replace(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public List<String> computeIfAbsent(String key,
            java.util.function.Function<? super String, ? extends List<String>> mapping) {
        throw readOnly();
    }

    @Override
    public List<String> computeIfPresent(String key,
            BiFunction<? super String, ? super List<String>, ? extends List<String>> remapping) {
        throw readOnly();
    }

    @Override
    public List<String> compute(String key,
            BiFunction<? super String, ? super List<String>, ? extends List<String>> remapping) {
        throw readOnly();
    }

    @Override
    public List<String> merge(String key, List<String> value,
            BiFunction<? super List<String>, ? super List<String>, ? extends List<String>> remapping) {
        throw readOnly();
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new Cursor<>(RequestHeaders.this::key);
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public boolean contains(Object o) {
                return o instanceof String k && indexOf(k) >= 0;
            }
        };
    }

    @Override
    public Collection<List<String>> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<List<String>> iterator() {
                return new Cursor<>(RequestHeaders.this::list);
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
                return new Cursor<>(i -> new AbstractMap.SimpleImmutableEntry<>(key(i), list(i)));
            }

            @Override
            public int size() {
                return size;
            }
        };
    }


    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("request headers are read-only");
    }

    /** Walks entries 0..size by position. */
    private final class Cursor<T> implements Iterator<T> {
        private final java.util.function.IntFunction<T> at;
        private int next;

        Cursor(java.util.function.IntFunction<T> at) {
            this.at = at;
        }

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public T next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            return at.apply(next++);
        }
    }
}
