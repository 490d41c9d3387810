package io.audiencesync.observe;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "The connection attempt failed.: user:S3cretPw@127.0.0.1",
        "jdbc:postgresql://user:S3cretPw@db:5432/crm",
        "jdbc:sqlserver://db;user=sa;PASSWORD=S3cretPw;encrypt=true",
        "jdbc:mysql://db/crm?Password=S3cretPw&ssl=true",
        "Authorization: Bearer S3cretPw.abc",
        "authorization=Basic S3cretPw==",
        "Property resolved: pinterest.client-secret = S3cretPw",
        "source.jdbc.password=S3cretPw",
        "{\"access_token\":\"S3cretPw\",\"refresh_token\":\"S3cretPw\"}",
        "token pina_S3cretPwAbC and pinr_S3cretPwXyZ",
        "client_secret=S3cretPw&grant_type=refresh_token",
        "Property (name: source.jdbc.password default: null) resolved from source: file:/x.properties -> S3cretPw",
        "Found property: pinterest.client-secret with value: S3cretPw to be used.",
        "Parsed uri pinterest.access-token -> S3cretPw"})
    void everyFormOfASecretIsMasked(String text) {
        assertThat(Secrets.mask(text)).doesNotContain("S3cretPw");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pinterest.access-token: is not set",
        "Pinterest tokens: pinterest.access-token (not refreshed; 'auth' sets up tokens that are)",
        "pinterest.token-file = ./data/pinterest-token.json",
        "pinterest.token-url = https://api.pinterest.com/v5/oauth/token",
        "Run 20261201T1 (day1.csv) SUCCEEDED in 0.7 s: 251 rows read"})
    void ordinaryTextIsLeftAsItIs(String text) {
        assertThat(Secrets.mask(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a value a user chose: Zq9-unusual-Secret", "Zq9-unusual-Secret"})
    void aRegisteredSecretIsMaskedWhereverItAppears(String text) {
        Secrets.register("Zq9-unusual-Secret");
        assertThat(Secrets.mask(text)).doesNotContain("Zq9-unusual-Secret").contains("***");
    }
}
