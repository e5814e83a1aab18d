package dev.backend.http;

import com.sun.net.httpserver.Headers;
import java.util.List;
import java.util.Map;

/**
 * Header fields kept in order and reached by index, as the request's and the response's fields are: the {@link
 * Map} contract's equality, hash code and text, written once over {@link #key} and {@link #valuesAt}.
 */
abstract sealed class IndexedHeaders extends Headers permits RequestHeaders, ResponseHeaders {

    /** The key form of field {@code i}, {@code 0 <= i < size()}. */
    abstract String key(int i);

    /** Field {@code i}'s values. */
    abstract List<String> valuesAt(int i);

    @Override
    public final boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        int size = size();
        if (!(o instanceof Map<?, ?> other) || other.size() != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!valuesAt(i).equals(other.get(key(i)))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public final int hashCode() {
        int hash = 0;
        for (int i = 0; i < size(); i++) {
            hash += key(i).hashCode() ^ valuesAt(i).hashCode();
        }
        return hash;
    }

    @Override
    public final String toString() {
        StringBuilder text = new StringBuilder("Headers { {");
        for (int i = 0; i < size(); i++) {
            text.append(i == 0 ? "" : ", ").append(key(i)).append('=').append(valuesAt(i));
        }
        return text.append("} }").toString();
    }
}
