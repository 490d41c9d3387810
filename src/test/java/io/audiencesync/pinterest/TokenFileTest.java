package io.audiencesync.pinterest;

import io.audiencesync.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenFileTest {

    private static final StoredToken TOKEN = new StoredToken("pina_secret_access", "pinr_secret_refresh",
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-02-01T00:00:00Z"), "ads:read,ads:write", "549755885175");

    @TempDir
    Path dir;

    @Test
    void itIsWrittenOwnerOnlyAsTheIssueNamesTheFieldsAndReadBack() throws IOException {
        TokenFile file = new TokenFile(dir.resolve("sub/pinterest-token.json"));
        file.save(TOKEN);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
        String json = Files.readString(file.path());
        assertThat(json).contains("\"access_token\"", "\"refresh_token\"", "\"expires_at\" : \"2030-01-01T00:00:00Z\"",
                "\"refresh_token_expires_at\"", "\"scope\"", "\"ad_account_id\" : \"549755885175\"");
        assertThat(file.load()).isEqualTo(TOKEN);
        try (var files = Files.list(file.path().getParent())) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("pinterest-token.json");
        }
    }

    @Test
    void aReplacementIsOwnerOnlyEvenWhenTheOldFileWasWidened() throws IOException {
        TokenFile file = new TokenFile(dir.resolve("pinterest-token.json"));
        file.save(TOKEN);
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-r--r--"));
        file.save(TOKEN.withAdAccountId("1"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
        assertThat(file.load().adAccountId()).isEqualTo("1");
    }

    @Test
    void aWidenedFileIsWarnedAboutWithoutShowingItsContent() throws IOException {
        TokenFile file = new TokenFile(dir.resolve("pinterest-token.json"));
        file.save(TOKEN);
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-r--r--"));
        try (LogCapture logs = new LogCapture()) {
            file.load();
            assertThat(logs.warnings()).singleElement().asString().contains("chmod 600").doesNotContain("pina_");
        }
    }

    @Test
    void aDamagedFileIsNamedWithThePositionButNeverItsContent() throws IOException {
        Path path = dir.resolve("pinterest-token.json");
        Files.writeString(path, "{\"access_token\": pina_secret_access }");
        assertThatThrownBy(() -> new TokenFile(path).load())
                .isInstanceOf(TokenStoreException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("line 1")
                .hasMessageContaining("run auth again")
                .hasMessageNotContaining("pina_secret_access");
        Files.writeString(path, "{\"refresh_token\": \"pinr_secret_refresh\"}");
        assertThatThrownBy(() -> new TokenFile(path).load()).isInstanceOf(TokenStoreException.class)
                .hasMessageNotContaining("pinr_secret_refresh");
    }

    @Test
    void tokensNeverShowInToString() {
        assertThat(TOKEN.toString()).doesNotContain("pina_secret_access").doesNotContain("pinr_secret_refresh")
                .contains("549755885175");
        assertThat(new TokenFile(dir.resolve("t.json")).toString()).doesNotContain("pina_");
    }
}
