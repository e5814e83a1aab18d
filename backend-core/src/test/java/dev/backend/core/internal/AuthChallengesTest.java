package dev.backend.core.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChallengesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "Bearer",
        "Basic realm=\"api\", charset=\"UTF-8\"",
        "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"",
        // RFC 9110 §11.6.1's example: two challenges in one field, a token value, an escaped quote.
        "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
        "Negotiate a87421000492aa874209af8bc028",
        "Custom abc+/~._-==",
        "Custom abc=, Bearer",
        "ApiKey header=\"X-Api-Key\"",
        "Bearer, Basic realm=\"api\"",
        "Basic\t,Bearer",
        "Basic realm = \"bad whitespace, allowed\"",
        "Basic  realm=api",
        "Basic realm=\"caf\u00e9 \t\"",
        "Basic realm=\"\"",
    })
    void acceptsChallengesByRfc9110sGrammar(String value) {
        assertDoesNotThrow(() -> AuthChallenges.check(value));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "expected an auth-scheme (a token) at index 0"),
                Arguments.of(" Bearer", "expected an auth-scheme (a token) at index 0"),
                Arguments.of("Bearer ", "white space at the end at index 6"),
                Arguments.of("Basic realm=\"x\" ", "white space at the end at index 15"),
                Arguments.of("Bearer\r\nSet-Cookie: a=b",
                        "expected a space, ',' or the end after the auth-scheme at index 6"),
                Arguments.of("Bearer\tabc", "only spaces separate an auth-scheme from what follows it at index 6"),
                Arguments.of("B\u00e9", "expected a space, ',' or the end after the auth-scheme at index 1"),
                Arguments.of("Basic realm=\"x\",", "a list that ends with ',' at index 15"),
                Arguments.of("Basic, , Bearer", "an empty list element at index 7"),
                Arguments.of("Basic realm=\"x\" charset=\"y\"",
                        "expected ',' between challenges or parameters at index 16"),
                Arguments.of("Basic realm=\"open", "a quoted-string without its closing '\"' at index 12"),
                Arguments.of("Basic realm=\"\\", "a quoted-string without its closing '\"' at index 12"),
                Arguments.of("Basic realm=\"a\u0001\"", "a character a quoted-string cannot hold at index 14"),
                Arguments.of("Basic realm=\"a\r\nb\"", "a character a quoted-string cannot hold at index 14"),
                Arguments.of("Basic realm=\"\u0100\"", "a character a quoted-string cannot hold at index 13"),
                Arguments.of("Basic abc==def", "expected ',' between challenges or parameters at index 11"),
                Arguments.of("Basic realm=\"x\", foo=",
                        "expected a space, ',' or the end after the auth-scheme at index 20"),
                Arguments.of("Basic @", "expected a token68 or an auth-param at index 6"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void refusesAnythingElseSayingWhereAndWhy(String value, String problem) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> AuthChallenges.check(value));

        assertTrue(refused.getMessage().startsWith("not a WWW-Authenticate challenge (RFC 9110 §11.6.1): " + problem),
                refused.getMessage());
    }
}
