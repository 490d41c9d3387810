package io.audiencesync.config;

/** A setting is missing or invalid. The message names the key and never repeats a secret's value. */
public class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** A message that already names what is wrong, and where. */
    protected ConfigException(String key, String message, boolean named) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
