package dev.backend.core.internal;

/**
 * What a response's status code says about its content: one rule for the adapter that frames a response, the test
 * client that imitates it and the access log that counts its bytes.
 */
public final class StatusCodes {

    private StatusCodes() {}

    /**
     * True for the status codes whose responses never carry content, whatever their handler gave: every 1xx, 204
     * (No Content), 205 (Reset Content: "a server MUST NOT generate content") and 304 (Not Modified) (RFC 9110
     * §6.4.1, §15.3.5, §15.3.6, §15.4.5). Only a 205 is still framed, with {@code Content-Length: 0}, as nothing
     * else tells an HTTP/1.1 client where it ends (RFC 9112 §6.3). A response to HEAD carries none either, which
     * the caller checks from the request method.
     *
     * @param status a status code, 100 to 999
     * @return whether a response with that status has no content
     */
    public static boolean carriesNoContent(int status) {
        return status < 200 || status == 204 || status == 205 || status == 304;
    }
}
