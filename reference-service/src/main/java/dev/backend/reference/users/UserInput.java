package dev.backend.reference.users;

import dev.backend.core.AppError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The body of {@code POST} and {@code PUT /api/v1/users}: {@code {"email", "name"}}.
 *
 * <p>A missing field or a value of the wrong JSON type is rejected by the JSON reader with 422, as axum's
 * {@code Json} extractor does; {@link #validate()} then checks the values and answers 400 naming every
 * field that is wrong.
 *
 * @param email an email address, at most {@value #MAX_EMAIL} characters once trimmed
 * @param name a display name, 1 to {@value #MAX_NAME} characters once trimmed
 */
record UserInput(String email, String name) {

    /** The longest address SMTP can deliver to (RFC 5321 path limit less the angle brackets). */
    static final int MAX_EMAIL = 254;

    /** The longest name accepted, in characters (Unicode code points). */
    static final int MAX_NAME = 200;

    public UserInput {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(name, "name");
    }

    /** The input trimmed and checked; throws a 400 {@code Validation} error naming each bad field. */
    UserInput validate() {
        String cleanEmail = email.strip();
        String cleanName = name.strip();
        List<String> problems = new ArrayList<>(2);
        if (cleanEmail.isEmpty()) {
            problems.add("email is required");
        } else if (cleanEmail.length() > MAX_EMAIL) {
            problems.add("email must be at most " + MAX_EMAIL + " characters");
        } else if (!isEmailAddress(cleanEmail)) {
            problems.add("email must be an address like name@example.com");
        }
        if (isInvisible(cleanName)) {
            problems.add("name is required");
        } else if (cleanName.codePointCount(0, cleanName.length()) > MAX_NAME) {
            problems.add("name must be at most " + MAX_NAME + " characters");
        } else if (cleanName.chars().anyMatch(Character::isISOControl)) {
            problems.add("name must not contain control characters");
        }
        if (!problems.isEmpty()) {
            throw AppError.validation(String.join("; ", problems)).toException();
        }
        return new UserInput(cleanEmail, cleanName);
    }

    /**
     * True for a name nothing of which shows: empty, or only spaces and format characters that {@link String#strip()}
     * keeps, such as U+00A0 NO-BREAK SPACE, U+3000 IDEOGRAPHIC SPACE and U+200B ZERO WIDTH SPACE, and the other
     * characters Unicode lets display as nothing: the Hangul fillers, the combining grapheme joiner, variation
     * selectors (the Default_Ignorable_Code_Point property, which Java does not expose), and the blank Braille
     * pattern U+2800.
     */
    static boolean isInvisible(String name) {
        return name.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.getType(c) == Character.FORMAT || c == 0x115F || c == 0x1160 || c == 0x3164
                || c == 0xFFA0 || c == 0x034F || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)
                || c == 0x2800);
    }

    /**
     * The syntax mail systems accept in practice: one {@code @}, a non-empty local part of at most 64
     * characters, and a domain of dot-separated labels (letters, digits, hyphens; not at a label's ends)
     * with at least one dot. No spaces, quotes or control characters: RFC 5322's quoted forms are legal
     * but no user types them, and rejecting them keeps addresses safe to show in headers and logs.
     */
    static boolean isEmailAddress(String s) {
        int at = s.indexOf('@');
        if (at <= 0 || at > 64 || at != s.lastIndexOf('@') || at == s.length() - 1) {
            return false;
        }
        for (int i = 0; i < at; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0 || c > 127 && !Character.isWhitespace(c)
                    && !Character.isISOControl(c);
            if (!ok) {
                return false;
            }
        }
        if (s.charAt(0) == '.' || s.charAt(at - 1) == '.' || s.substring(0, at).contains("..")) {
            return false;
        }
        String domain = s.substring(at + 1);
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c > 127 && Character.isLetterOrDigit(c);
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
