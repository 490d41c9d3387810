package io.audiencesync.pinterest;

/** The token file cannot be read or written. The message names the file and never holds a token. */
public class TokenFileException extends RuntimeException {

    public TokenFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
