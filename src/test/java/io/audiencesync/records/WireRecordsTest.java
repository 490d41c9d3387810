package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireRecordsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "0123456789abcdef0123456789abcdef\tMAID",                                  // MD5: 16 bytes
        "0123456789abcdef0123456789abcdef01234567\tIDFA",                          // SHA-1: 20 bytes
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\tEMAIL", // SHA-256: 32 bytes
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\tEMAIL", // upper case: sent as it came
        "jane.doe@example.com\tEMAIL",
        "0123456789abcdef0123456789abcdeg\tLR_ID",                                  // 32 characters, not hex
        "a1b2c3\tHASHED_PINNER_ID",
        "dlx-1\tDLX_ID",
        "no-type-is-an-email"})
    void aLineEncodesExactlyAsItsValueAndType(String line) {
        byte[] fromLine = new byte[WireRecords.MAX_LENGTH];
        int end = WireRecords.encodeLine(line, fromLine, 0);
        byte[] expected = WireRecords.encode(WireLines.value(line), WireLines.type(line));
        assertThat(Arrays.copyOf(fromLine, end)).isEqualTo(expected);
        assertThat(WireRecords.line(fromLine, 0)).isEqualTo(line.contains("\t") ? line : line + "\tEMAIL");
    }

    @Test
    void aLineWithAnUnknownTypeIsRefused() {
        byte[] buf = new byte[WireRecords.MAX_LENGTH];
        assertThatThrownBy(() -> WireRecords.encodeLine("a@b.co\tEMAILS", buf, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireRecords.encodeLine("a@b.co\tMAI", buf, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
