package io.audiencesync.pinterest;

/** The tokens cannot be read or written where they are kept. The message names where and never holds a token. */
public class TokenStoreException extends RuntimeException {

    public TokenStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
