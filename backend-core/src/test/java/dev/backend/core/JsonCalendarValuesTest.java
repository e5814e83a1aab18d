package dev.backend.core;

import static dev.backend.core.JsonInput.assertRefused;
import static dev.backend.core.JsonInput.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The calendar values beside the RFC 3339 date-times: {@code Year}, {@code YearMonth} and {@code MonthDay} take the
 * four-digit years a date takes, and a leap second, which RFC 3339 allows and java.time cannot hold, is refused by
 * name rather than read as the second before it.
 */
class JsonCalendarValuesTest {

    record AYear(Year v) {}

    record AMonth(YearMonth v) {}

    record ADay(MonthDay v) {}

    record Years(Map<Year, Integer> v) {}

    record When(Instant v) {}

    record Zoned(OffsetDateTime v) {}

    record Region(ZonedDateTime v) {}

    record Stamp(Timestamp v) {}

    record Legacy(Date v) {}

    record Cal(Calendar v) {}

    record Local(LocalDateTime v) {}

    record Clock(LocalTime v) {}

    record OffsetClock(OffsetTime v) {}

    record SqlTime(Time v) {}

    private static final String YEAR = "Invalid JSON field 'v': expected a year (an integer from 0 to 9999)";
    private static final String YEAR_MONTH = "Invalid JSON field 'v': expected a year-month string (YYYY-MM)";
    private static final String MONTH_DAY = "Invalid JSON field 'v': expected a month-day string (--MM-DD)";
    private static final String LEAP = "Invalid JSON field 'v': second 60 (a leap second) is not supported";

    /** Jackson writes a {@code Year} as a number: that is the form read back, within a date's four-digit years. */
    @Test
    void aYearIsTheIntegerThisMapperWrites() {
        assertEquals("{\"v\":2026}", new String(Json.write(new AYear(Year.of(2026))), StandardCharsets.UTF_8));
        assertEquals(Year.of(2026), read("{\"v\":2026}", AYear.class).v());
        assertEquals(Year.of(0), read("{\"v\":0}", AYear.class).v());
        assertEquals(Year.of(9999), read("{\"v\":9999}", AYear.class).v());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10000", "-1", "1000000000", "2026.0", "2e3", "\"2026\"", "\"+10000\"", "\"-0001\"",
            "\"26\"", "true", "[2026]", "{}"})
    void aYearOutsideFourDigitsOrNotAnIntegerIsRefused(String value) {
        assertRefused(422, YEAR, "{\"v\":" + value + "}", AYear.class);
    }

    @Test
    void aYearKeyIsFourDigits() {
        assertEquals(Map.of(Year.of(2026), 1), read("{\"v\":{\"2026\":1}}", Years.class).v());
        assertRefused(422, "Invalid JSON field 'v': invalid key '+10000': expected a year (an integer from 0 to 9999)",
                "{\"v\":{\"+10000\":1}}", Years.class);
    }

    @Test
    void aYearMonthAndAMonthDayAreTheStringsThisMapperWrites() {
        assertEquals("{\"v\":\"2026-01\"}",
                new String(Json.write(new AMonth(YearMonth.of(2026, 1))), StandardCharsets.UTF_8));
        assertEquals(YearMonth.of(2026, 1), read("{\"v\":\"2026-01\"}", AMonth.class).v());
        assertEquals(YearMonth.of(0, 12), read("{\"v\":\"0000-12\"}", AMonth.class).v());
        assertEquals("{\"v\":\"--02-29\"}",
                new String(Json.write(new ADay(MonthDay.of(2, 29))), StandardCharsets.UTF_8));
        assertEquals(MonthDay.of(2, 29), read("{\"v\":\"--02-29\"}", ADay.class).v());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"+10000-01\"", "\"10000-01\"", "\"-0001-01\"", "\"2026-1\"", "\"2026-13\"",
            "\"2026-01-02\"", "[2026,1]", "202601", "\"٢٠٢٦-01\""})
    void aYearMonthHasAFourDigitYear(String value) {
        assertRefused(422, YEAR_MONTH, "{\"v\":" + value + "}", AMonth.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"01-02\"", "\"--02-30\"", "\"--13-01\"", "\"--1-02\"", "[1,2]", "102"})
    void aMonthDayIsIso8601sForm(String value) {
        assertRefused(422, MONTH_DAY, "{\"v\":" + value + "}", ADay.class);
    }

    /**
     * RFC 3339 §5.6 allows {@code time-second} 60 for a leap second; java.time has none. {@code Instant.parse} read
     * {@code 23:59:60Z} as {@code 23:59:59Z}, a different instant, silently; the other types refused it as a
     * malformed date-time, which it is not.
     */
    @ParameterizedTest
    @ValueSource(classes = {When.class, Zoned.class, Region.class, Stamp.class, Legacy.class, Cal.class})
    void aLeapSecondIsRefusedByName(Class<?> type) {
        assertRefused(422, LEAP, "{\"v\":\"2016-12-31T23:59:60Z\"}", type);
        assertRefused(422, LEAP, "{\"v\":\"2016-12-31t23:59:60.5z\"}", type);
        assertRefused(422, LEAP, "{\"v\":\"2017-01-01T00:59:60+01:00\"}", type);
    }

    @Test
    void aLeapSecondInALocalValueIsRefusedByName() {
        assertRefused(422, LEAP, "{\"v\":\"2016-12-31T23:59:60\"}", Local.class);
        assertRefused(422, LEAP, "{\"v\":\"23:59:60\"}", Clock.class);
        assertRefused(422, LEAP, "{\"v\":\"23:59:60Z\"}", OffsetClock.class);
        assertRefused(422, LEAP, "{\"v\":\"23:59:60\"}", SqlTime.class);
    }

    /** Beyond 60 is no leap second, and a malformed value around a 60 is still malformed. */
    @Test
    void otherSecondsAreMalformed() {
        String dateTime = "Invalid JSON field 'v': expected an RFC 3339 date-time string";
        assertRefused(422, dateTime, "{\"v\":\"2016-12-31T23:59:61Z\"}", When.class);
        assertRefused(422, dateTime, "{\"v\":\"2016-02-30T23:59:60Z\"}", When.class);
        assertRefused(422, dateTime, "{\"v\":\"2016-12-31T23:59:60\"}", When.class);
    }

    /** RFC 3339's {@code time-hour} is 00 to 23; {@code Instant.parse} read {@code 24:00:00} as the next midnight. */
    @ParameterizedTest
    @ValueSource(classes = {When.class, Stamp.class, Legacy.class, Cal.class})
    void hour24IsRefusedAsByOffsetDateTime(Class<?> type) {
        assertRefused(422, "Invalid JSON field 'v': expected an RFC 3339 date-time string",
                "{\"v\":\"2026-01-02T24:00:00Z\"}", type);
    }

    @Test
    void anInstantIsStillReadWithAnyOffsetAndCase() {
        assertEquals(Instant.parse("2016-12-31T23:59:59Z"), read("{\"v\":\"2016-12-31T23:59:59Z\"}", When.class).v());
        assertEquals(Instant.parse("2016-12-31T22:59:59.5Z"),
                read("{\"v\":\"2016-12-31t23:59:59.5+01:00\"}", When.class).v());
        assertEquals(Instant.parse("2026-01-02T21:04:05Z"),
                read("{\"v\":\"2026-01-02T03:04:05-18:00\"}", When.class).v());
    }
}
