package io.audiencesync.config;

import io.audiencesync.SyncApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sync.* names: refused with the reason, counted in characters as a person counts them. */
class SyncSettingsTest {

    private final Map<String, String> settings = new HashMap<>(Map.of(
            "pinterest.ad-account-id", "549755885175",
            "pinterest.access-token", "token"));

    private SyncSettings load() {
        return SyncApp.readSettings(Path.of("target/no-such-config.properties"), settings, SyncSettings::load);
    }

    @Test
    void aNameIsCountedInCharactersNotInBytesOrUtf16Units() {
        // 200 characters: 400 UTF-8 bytes of é, 400 UTF-16 units of emoji; both are names of 200 characters.
        settings.put("sync.name", "é".repeat(200));
        assertThat(load().name()).hasSize(200);
        settings.put("sync.name", "\uD83D\uDE00".repeat(200));
        assertThat(load().customerListName()).endsWith("\uD83D\uDE00");
    }

    @Test
    void aRefusedNameSaysWhyAndNeverAlsoThatItIsNotSet() {
        settings.put("sync.name", "x".repeat(201));
        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sync.name: is 201 characters long; it must be a name of at most 200 characters")
                .hasMessageNotContaining("is not set");
        settings.put("sync.name", "Users\u00071");
        assertThatThrownBy(this::load).hasMessageContaining("sync.name: holds a control character (U+0007) at character 6")
                .hasMessageNotContaining("is not set");
    }
}
