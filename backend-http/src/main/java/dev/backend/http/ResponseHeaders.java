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
 * behave as with the JDK's class), but each field is written to the wire spelled as the handler last named it,
 * {@code Content-Type} rather than {@code Content-type}. Values are the live lists {@code get} returns.
 *
 * <p>Checked when set and again when written, because the lists can change in between: names must be tokens
 * (RFC 9110 §5.1) and values may hold no control character but HTAB and no character above U+00FF (RFC 9110
 * §5.5), so no value can fold or split a line. A violation is an {@link IllegalArgumentException}.
 */
final class ResponseHeaders extends Headers {

    private String[] keys = new String[8];
    private String[] wire = new String[8];
    private List<?>[] values = new List<?>[8];
    private int size;

    /** The number of fields, for the writer. */
    int fields() {
        return size;
    }

    /** The key form of field {@code i}. */
    String key(int i) {
        return keys[i];
    }

    /** Field {@code i}'s name as the handler spelled it. */
    String wireName(int i) {
        return wire[i];
    }

    /** Field {@code i}'s values. */
    List<String> valuesAt(int i) {
        return list(i);
    }

    @SuppressWarnings("unchecked")
    private List<String> list(int i) {
        return (List<String>) values[i];
    }

    private int indexOf(String key) {
        for (int i = 0; i < size; i++) {
            String k = keys[i];
            if (k == key || HeaderNames.sameName(k, key)) {
                return i;
            }
        }
        return -1;
    }

    private int insert(String name, List<String> list) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            wire = Arrays.copyOf(wire, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = HeaderNames.normalized(name);
        wire[size] = name;
        values[size] = list;
        return size++;
    }

    private void removeAt(int i) {
        int tail = size - i - 1;
        System.arraycopy(keys, i + 1, keys, i, tail);
        System.arraycopy(wire, i + 1, wire, i, tail);
        System.arraycopy(values, i + 1, values, i, tail);
        size--;
        keys[size] = null;
        wire[size] = null;
        values[size] = null;
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
            if (values[i].equals(value)) {
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
        if (i < 0 || values[i].isEmpty()) {
            return null;
        }
        return list(i).getFirst();
    }

    @Override
    public List<String> put(String key, List<String> value) {
        checkName(Objects.requireNonNull(key));
        for (String v : value) {
            checkValue(v);
        }
        int i = indexOf(key);
        if (i < 0) {
            insert(key, value);
            return null;
        }
        List<String> previous = list(i);
        wire[i] = key;
        values[i] = value;
        return previous;
    }

    @Override
    public void add(String key, String value) {
        checkName(Objects.requireNonNull(key));
        checkValue(value);
        int i = indexOf(key);
        if (i < 0) {
            ArrayList<String> list = new ArrayList<>(2);
            list.add(value);
            insert(key, list);
            return;
        }
        List<String> list = list(i);
        if (!(list instanceof ArrayList<String>)) {
            // put() may have stored an immutable list; adding to a copy keeps add() working as documented.
            list = new ArrayList<>(list);
            values[i] = list;
        }
        list.add(value);
    }

    @Override
    public void set(String key, String value) {
        checkName(Objects.requireNonNull(key));
        checkValue(value);
        ArrayList<String> list = new ArrayList<>(2);
        list.add(value);
        int i = indexOf(key);
        if (i < 0) {
            insert(key, list);
        } else {
            wire[i] = key;
            values[i] = list;
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
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(wire, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
        for (int i = 0; i < size; i++) {
            List<String> replaced = Objects.requireNonNull(function.apply(keys[i], list(i)));
            replaced.forEach(ResponseHeaders::checkValue);
            values[i] = replaced;
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
                        return keys[i];
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
                        return new Field(keys[i]);
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
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other) || other.size() != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!values[i].equals(other.get(keys[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < size; i++) {
            hash += keys[i].hashCode() ^ values[i].hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Headers { {");
        for (int i = 0; i < size; i++) {
            text.append(i == 0 ? "" : ", ").append(keys[i]).append('=').append(values[i]);
        }
        return text.append("} }").toString();
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
            values[i] = value;
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
