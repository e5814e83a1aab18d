package dev.backend.core;

import static dev.backend.core.JsonInput.assertRefused;
import static dev.backend.core.JsonInput.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A wrong element in an array of primitives is named at the element, with the element's type, as in a {@code List}:
 * serde_json's "invalid type: string "2", expected f64" for a {@code Vec<f64>}. Jackson reported a string element
 * of a {@code double[]} against the array's type, so the client read "expected an array" for a value that is one.
 */
class JsonArrayElementsTest {

    record Doubles(double[] v) {}

    record Floats(float[] v) {}

    record Ints(int[] v) {}

    record Longs(long[] v) {}

    record Shorts(short[] v) {}

    record Booleans(boolean[] v) {}

    record DoubleList(List<Double> v) {}

    record Matrix(double[][] v) {}

    record Letters(char[] v) {}

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"v":[1,"2"]}          | v[1] | expected a number
            {"v":[1.5,true]}       | v[1] | expected a number
            {"v":[1,2,"NaN"]}      | v[2] | expected a number
            {"v":["Infinity"]}     | v[0] | expected a number
            {"v":[0,"-Infinity"]}  | v[1] | expected a number
            """)
    void aDoubleArrayNamesTheWrongElement(String body, String path, String problem) {
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Doubles.class);
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Floats.class);
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, DoubleList.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"v":[1,"2"]}          | v[1] | expected an integer
            {"v":[1,false]}        | v[1] | expected an integer
            """)
    void anIntegerArrayNamesTheWrongElement(String body, String path, String problem) {
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Ints.class);
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Longs.class);
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Shorts.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"v":[true,"true"]}    | v[1] | expected a boolean
            {"v":[false,1]}        | v[1] | expected a boolean
            """)
    void aBooleanArrayNamesTheWrongElement(String body, String path, String problem) {
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Booleans.class);
    }

    /** An element that should be an array and is not is still "expected an array", at the element. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"v":[[1,"2"]]}        | v[0][1] | expected a number
            {"v":[1]}              | v[0] | expected an array
            {"v":"[1]"}            | v | expected an array
            {"v":{}}               | v | expected an array
            """)
    void nestedArraysNameTheLevelThatIsWrong(String body, String path, String problem) {
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Matrix.class);
    }

    /** A {@code char[]} is read from a string (or an array of one-character strings), so it is not "an array". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"v":1}                | v | expected a string
            {"v":["a","bc"]}       | v | expected a string
            """)
    void aCharArrayIsAString(String body, String path, String problem) {
        assertRefused(422, "Invalid JSON field '" + path + "': " + problem, body, Letters.class);
        assertArrayEquals(new char[] {'a', 'b'}, read("{\"v\":\"ab\"}", Letters.class).v());
    }

    @org.junit.jupiter.api.Test
    void wellFormedArraysAreStillRead() {
        assertArrayEquals(new double[] {1, 2.5}, read("{\"v\":[1,2.5]}", Doubles.class).v());
        assertArrayEquals(new int[] {1, -2}, read("{\"v\":[1,-2]}", Ints.class).v());
        assertArrayEquals(new boolean[] {true, false}, read("{\"v\":[true,false]}", Booleans.class).v());
        assertArrayEquals(new double[] {3}, read("{\"v\":[[3]]}", Matrix.class).v()[0]);
    }
}
