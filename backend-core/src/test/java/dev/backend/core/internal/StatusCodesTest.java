package dev.backend.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatusCodesTest {

    @Test
    void only1xx204205And304CarryNoContent() {
        for (int status = 100; status <= 999; status++) {
            boolean expected = status <= 199 || status == 204 || status == 205 || status == 304;
            assertEquals(expected, StatusCodes.carriesNoContent(status), "status " + status);
        }
    }
}
