package io.audiencesync.pinterest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which calls address one list or audience: only their 404 means it is gone. */
class CallTest {

    private static Call call(String method, String path) {
        return new Call("a call", method, path, null, null, null);
    }

    @Test
    void oneListOrAudienceByIdIsToldFromTheAccountAndItsCollections() {
        assertThat(call("GET", "ad_accounts/1/customer_lists/5").addressesOneListOrAudience()).isTrue();
        assertThat(call("PATCH", "ad_accounts/1/customer_lists/5").addressesOneListOrAudience()).isTrue();
        assertThat(call("GET", "ad_accounts/1/audiences/7").addressesOneListOrAudience()).isTrue();
        assertThat(call("GET", "ad_accounts/1/customer_lists").addressesOneListOrAudience()).isFalse();
        assertThat(call("POST", "ad_accounts/1/audiences").addressesOneListOrAudience()).isFalse();
        assertThat(call("GET", "ad_accounts/1").addressesOneListOrAudience()).isFalse();
        assertThat(call("GET", "ad_accounts").addressesOneListOrAudience()).isFalse();
    }
}
