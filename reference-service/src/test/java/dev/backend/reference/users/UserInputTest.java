package dev.backend.reference.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.AppError;
import dev.backend.core.AppException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserInputTest {

    @Test
    void trimsEmailAndName() {
        assertEquals(new UserInput("Ada@Example.com", "Ada Lovelace"),
                new UserInput("  Ada@Example.com\t", " Ada Lovelace ").validate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@b.co", "first.last+tag@sub.example.org", "o'brien@example.ie", "üser@exämple.de",
            "x@a-b.example"})
    void acceptsAddressesPeopleUse(String email) {
        assertTrue(UserInput.isEmailAddress(email), email);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@example.com", "a@exa mple.com",
            ".a@example.com", "a.@example.com", "a..b@example.com", "a@-example.com", "a@example-.com",
            "a@example..com", "a@example.com.", "\"quoted\"@example.com", "a@example.com\r\nBcc: x@y.z"})
    void rejectsWhatIsNotAnAddress(String email) {
        assertFalse(UserInput.isEmailAddress(email), email);
    }

    @Test
    void namesEveryBadFieldIn400() {
        AppException e = assertThrows(AppException.class, () -> new UserInput(" ", "").validate());

        assertEquals(new AppError.Validation("email is required; name is required"), e.error());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00A0", "\u200B", "\u3000 \u2007", "\uFEFF\u00A0", "\u3164", "\uFFA0", "\u115F\u1160",
            "\u034F", "\uFE0F", "\u2800"})
    void aNameOfOnlyInvisibleCharactersIsRequired(String name) {
        AppException e = assertThrows(AppException.class, () -> new UserInput("a@b.co", name).validate());

        assertEquals(new AppError.Validation("name is required"), e.error());
    }

    @Test
    void aNameWithVisibleCharactersKeepsItsInvisibleOnes() {
        assertEquals("\u2764\uFE0F", new UserInput("a@b.co", "\u2764\uFE0F").validate().name());
    }

    @Test
    void limitsEmailTo254AndNameTo200Characters() {
        String local = "a".repeat(64);
        String email254 = local + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".com";
        assertEquals(254, email254.length());
        new UserInput(email254, "n".repeat(200)).validate();

        assertEquals("email must be at most 254 characters",
                assertThrows(AppException.class, () -> new UserInput("e" + email254, "n").validate()).getMessage());
        assertEquals("name must be at most 200 characters",
                assertThrows(AppException.class, () -> new UserInput("a@b.co", "n".repeat(201)).validate()).getMessage());
    }

    @Test
    void countsNameLengthInCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
        new UserInput("a@b.co", emoji.repeat(200)).validate();
    }
}
