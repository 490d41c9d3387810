package io.audiencesync.identity;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifierMappingTest {

    @Test
    void parsesColumnTypePairsInOrder() {
        IdentifierMapping mapping = IdentifierMapping.parse(" email = email, maid=MAID,Idfa=idfa ");
        assertThat(mapping.columns()).containsExactly(
                new IdentifierMapping.Column("email", IdentifierType.EMAIL),
                new IdentifierMapping.Column("maid", IdentifierType.MAID),
                new IdentifierMapping.Column("Idfa", IdentifierType.IDFA));
        assertThat(mapping.listType()).isEqualTo(IdentifierType.EMAIL);
    }

    @Test
    void theListTypeFollowsTheMapping() {
        assertThat(IdentifierMapping.parse("idfa=IDFA,maid=MAID").listType()).isEqualTo(IdentifierType.MAID);
        assertThat(IdentifierMapping.parse("id=LR_ID").listType()).isEqualTo(IdentifierType.LR_ID);
        assertThat(IdentifierMapping.parse("pin=hashed-pinner-id").listType()).isEqualTo(IdentifierType.HASHED_PINNER_ID);
    }

    @Test
    void partnerIdsCannotShareAList() {
        assertThatThrownBy(() -> IdentifierMapping.parse("email=EMAIL,lr=LR_ID"))
                .hasMessageContaining("each need a customer list of their own");
    }

    @Test
    void badMappingsSayWhatIsWrong() {
        for (var bad : List.of("", "email", "email=", "=EMAIL", "email=PHONE", "e=EMAIL,E=MAID")) {
            assertThatThrownBy(() -> IdentifierMapping.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("null");
        }
        assertThatThrownBy(() -> IdentifierMapping.parse("email=PHONE")).hasMessageContaining("unknown identifier type 'PHONE'");
    }
}
