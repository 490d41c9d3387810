package io.audiencesync.config;

import io.audiencesync.SyncApp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The source.jdbc.* settings as read from the embedded defaults and a user's overrides. */
class JdbcSettingsTest {

    private final Map<String, String> settings = defaults();

    @Test
    void anEmptyUrlMeansNoSqlSourceAndNoOtherSqlSettingIsRead() {
        settings.put("source.jdbc.cron", "not a cron");
        settings.put("source.jdbc.fetch-size", "0");
        assertThat(load().jdbc()).isNull();
        assertThat(load().jdbcEnabled()).isFalse();
    }

    @Test
    void theDefaultsRunTheQueryDailyAtThreeFetching10000RowsAtATime() {
        settings.put("source.jdbc.url", "jdbc:postgresql://db:5432/crm");
        settings.put("source.jdbc.query", "SELECT email FROM customers");
        JdbcSettings jdbc = load().jdbc();
        assertThat(jdbc).isEqualTo(new JdbcSettings("jdbc:postgresql://db:5432/crm", null, null, "SELECT email FROM customers",
                null, "0 0 3 * * ?", 10_000, Duration.ofSeconds(30)));
    }

    @Test
    void aCountQueryIsOptionalAndTakenAsItIs() {
        settings.put("source.jdbc.url", "jdbc:postgresql://db:5432/crm");
        settings.put("source.jdbc.query", "SELECT email FROM customers WHERE ads_optin");
        settings.put("source.jdbc.count-query", " SELECT count(*) FROM customers WHERE ads_optin ");
        assertThat(load().jdbc().countQuery()).isEqualTo("SELECT count(*) FROM customers WHERE ads_optin");
        settings.put("source.jdbc.count-query", "");
        assertThat(load().jdbc().countQuery()).isNull();
    }

    @Test
    void eachBadSettingIsNamedWithoutRepeatingThePassword() {
        settings.put("source.jdbc.url", "postgresql://db/crm?password=hunter22");
        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessage("source.jdbc.url: must be a JDBC URL such as jdbc:postgresql://db.example.com:5432/crm, got 'postgresql://db/crm'");

        settings.put("source.jdbc.url", "jdbc:postgresql://db/crm");
        assertThatThrownBy(this::load).hasMessageStartingWith("source.jdbc.query: is not set");

        settings.put("source.jdbc.query", "SELECT email FROM customers");
        settings.put("source.jdbc.cron", "0 0 3 * *");
        assertThatThrownBy(this::load).hasMessageStartingWith("source.jdbc.cron: must be a Quartz cron expression")
                .hasMessageContaining("got '0 0 3 * *'");

        settings.put("source.jdbc.cron", "0 */15 * * * ?");
        settings.put("source.jdbc.fetch-size", "0");
        assertThatThrownBy(this::load).hasMessage("source.jdbc.fetch-size: must be a whole number from 1 to 1000000, got '0'");
    }

    @Test
    void theUrlIsShownWithoutCredentialsAndThePasswordNever() {
        assertThat(safe("jdbc:postgresql://db:5432/crm?user=sync&password=hunter22")).isEqualTo("jdbc:postgresql://db:5432/crm");
        assertThat(safe("jdbc:mysql://sync:hunter22@db:3306/crm")).isEqualTo("jdbc:mysql://db:3306/crm");
        assertThat(safe("jdbc:sqlserver://db:1433;databaseName=crm;password=hunter22")).isEqualTo("jdbc:sqlserver://db:1433");
        assertThat(safe("jdbc:oracle:thin:sync/hunter22@//db:1521/crm")).isEqualTo("jdbc:oracle:thin:@//db:1521/crm");
        assertThat(safe("jdbc:h2:mem:crm;DB_CLOSE_DELAY=-1")).isEqualTo("jdbc:h2:mem:crm");
        assertThat(safe("jdbc:snowflake://acme.snowflakecomputing.com/?user=sync&password=hunter22"))
                .isEqualTo("jdbc:snowflake://acme.snowflakecomputing.com/");

        settings.put("source.jdbc.url", "jdbc:postgresql://db:5432/crm?password=hunter22");
        settings.put("source.jdbc.password", "hunter23");
        settings.put("source.jdbc.query", "SELECT email FROM customers");
        assertThat(load().toString()).doesNotContain("hunter22").doesNotContain("hunter23").contains("password=***");
    }

    private static String safe(String url) {
        return new JdbcSettings(url, null, null, "q", null, "c", 1, Duration.ZERO).safeUrl();
    }

    /** Resolved as a run resolves them, {{...}} placeholders included. */
    private SyncSettings load() {
        return SyncApp.readSettings(Path.of("target/no-such-config.properties"), settings, SyncSettings::load);
    }

    private static Map<String, String> defaults() {
        Properties embedded = new Properties();
        try (InputStream in = JdbcSettingsTest.class.getResourceAsStream("/application.properties")) {
            embedded.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> settings = new HashMap<>();
        embedded.stringPropertyNames().forEach(k -> settings.put(k, embedded.getProperty(k)));
        settings.put("pinterest.ad-account-id", "549755885175");
        settings.put("pinterest.access-token", "token");
        settings.put("sync.name", "Users 1");
        return settings;
    }
}
