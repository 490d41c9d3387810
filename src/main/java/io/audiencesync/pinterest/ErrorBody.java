package io.audiencesync.pinterest;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** Pinterest's error answer {@code {"code", "message"}}, read leniently: either may be missing. */
public record ErrorBody(Integer code, String message) {

    public static ErrorBody parse(byte[] body) {
        try {
            JsonNode error = PinterestClient.JSON.readTree(body);
            Integer code = error != null && error.has("code") ? error.get("code").asInt() : null;
            String message = error != null && error.hasNonNull("message") ? error.get("message").asText() : null;
            return new ErrorBody(code, message);
        } catch (IOException e) {
            return new ErrorBody(null, "error answer without a JSON body");
        }
    }
}
