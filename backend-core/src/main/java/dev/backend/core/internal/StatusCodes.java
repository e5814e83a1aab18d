package dev.backend.core.internal;

/**
 * What a response's status code says about its content: one rule for the adapter that frames a response, the test
 * client that imitates it and the access log that counts its bytes.
 */
public final class StatusCodes {

    private StatusCodes() {}

    /**
     * True for the status codes whose responses never carry content, whatever their headers say: every 1xx, 204 (No
     * Content) and 304 (Not Modified) (RFC 9110 §6.4.1, §15.3.5, §15.4.5). A response to HEAD carries none either,
     * which the caller checks from the request method.
     *
     * @param status a status code, 100 to 999
     * @return whether a response with that status has no content
     */
    public static boolean carriesNoContent(int status) {
        return status < 200 || status == 204 || status == 304;
    }
}
