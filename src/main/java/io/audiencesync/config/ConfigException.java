package io.audiencesync.config;

/** A setting is missing or invalid. The message names the key and never repeats a secret's value. */
public class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
