package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaginationTest {

    private PinterestEmulator emu;
    private EmulatorClient client;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().start();
        client = new EmulatorClient(emu);
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private List<String> createLists(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(client.createList("list " + i, "u" + i + "@x.com"));
        }
        return ids;
    }

    /** Follows bookmarks until null; returns the ids in the order served, and checks page sizes. */
    private List<String> walk(String path, String extraQuery, int pageSize, List<Integer> pageSizes) {
        List<String> ids = new ArrayList<>();
        String bookmark = null;
        do {
            String query = "?page_size=" + pageSize + extraQuery
                    + (bookmark == null ? "" : "&bookmark=" + URLEncoder.encode(bookmark, StandardCharsets.UTF_8));
            Answer page = client.get(path + query);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().has("bookmark")).isTrue();
            pageSizes.add(page.json().get("items").size());
            page.json().get("items").forEach(item -> ids.add(item.get("id").asText()));
            JsonNode next = page.json().get("bookmark");
            bookmark = next.isNull() ? null : next.asText();
        } while (bookmark != null && pageSizes.size() < 100);
        return ids;
    }

    @Test
    void walkingBookmarksReturnsEveryListOnceInAscendingOrder() {
        List<String> created = createLists(60);
        List<Integer> sizes = new ArrayList<>();
        List<String> served = walk(LISTS, "", 25, sizes);
        assertThat(sizes).containsExactly(25, 25, 10);
        assertThat(served).hasSize(60).doesNotHaveDuplicates().containsExactlyElementsOf(created);
        assertThat(served).isSortedAccordingTo(Comparator.comparingLong(Long::parseLong));
    }

    @Test
    void descendingOrderIsReversed() {
        List<String> created = createLists(60);
        List<String> served = walk(LISTS, "&order=DESCENDING", 25, new ArrayList<>());
        List<String> reversed = new ArrayList<>(created);
        Collections.reverse(reversed);
        assertThat(served).containsExactlyElementsOf(reversed);
    }

    @Test
    void defaultPageSizeIs25AndLastPageBookmarkIsNull() {
        createLists(26);
        Answer first = client.get(LISTS);
        assertThat(first.json().get("items")).hasSize(25);
        assertThat(first.json().get("bookmark").isTextual()).isTrue();
        Answer second = client.get(LISTS + "?bookmark=" + first.json().get("bookmark").asText());
        assertThat(second.json().get("items")).hasSize(1);
        assertThat(second.json().get("bookmark").isNull()).isTrue();
    }

    @Test
    void emptyAccountAnswersEmptyItemsAndNullBookmark() {
        Answer answer = client.get(LISTS);
        assertThat(answer.json().get("items").isArray()).isTrue();
        assertThat(answer.json().get("items")).isEmpty();
        assertThat(answer.json().get("bookmark").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "251", "-1", "ten", "2.5"})
    void pageSizeOutOfRangeIs400(String pageSize) {
        Answer answer = client.get(LISTS + "?page_size=" + pageSize);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.code()).isEqualTo(1);
        assertThat(answer.message()).contains("page_size");
    }

    @Test
    void pageSizeBoundsAreAccepted() {
        createLists(3);
        assertThat(client.get(LISTS + "?page_size=1").json().get("items")).hasSize(1);
        assertThat(client.get(LISTS + "?page_size=250").json().get("items")).hasSize(3);
    }

    @Test
    void badOrderIs400() {
        assertThat(client.get(LISTS + "?order=ascending").status()).isEqualTo(400);
    }

    @Test
    void bookmarksNotIssuedForThisWalkAre400() {
        createLists(3);
        String ascending = client.get(LISTS + "?page_size=1").json().get("bookmark").asText();
        String forged = Base64.getUrlEncoder().encodeToString("customer_lists|x|ASCENDING|1".getBytes());
        for (String bad : List.of("garbage!", "Zm9v", forged)) {
            Answer answer = client.get(LISTS + "?bookmark=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.code()).isEqualTo(1);
            assertThat(answer.message()).contains("bookmark");
        }
        assertThat(client.get(LISTS + "?order=DESCENDING&bookmark=" + ascending).status()).isEqualTo(400);
        assertThat(client.get(AUDIENCES + "?bookmark=" + ascending).status()).isEqualTo(400);
        assertThat(client.get(LISTS + "?bookmark=" + ascending).status()).isEqualTo(200);
    }

    @Test
    void audiencesPaginateLikeLists() {
        String listId = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(emu.seedAudience(ACCOUNT, "aud " + i, listId));
        }
        List<Integer> sizes = new ArrayList<>();
        assertThat(walk(AUDIENCES, "", 10, sizes)).containsExactlyElementsOf(created);
        assertThat(sizes).containsExactly(10, 10, 3);
        List<String> reversed = new ArrayList<>(created);
        Collections.reverse(reversed);
        assertThat(walk(AUDIENCES, "&order=DESCENDING&ownership_type=OWNED", 10, new ArrayList<>()))
                .containsExactlyElementsOf(reversed);
    }

    @Test
    void receivedAudiencesAreEmptyAndBadOwnershipIs400() {
        String listId = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        emu.seedAudience(ACCOUNT, "aud", listId);
        Answer received = client.get(AUDIENCES + "?ownership_type=RECEIVED");
        assertThat(received.status()).isEqualTo(200);
        assertThat(received.json().get("items")).isEmpty();
        assertThat(received.json().get("bookmark").isNull()).isTrue();
        assertThat(client.get(AUDIENCES).json().get("items")).hasSize(1);
        assertThat(client.get(AUDIENCES + "?ownership_type=SHARED").status()).isEqualTo(400);
        assertThat(client.get(AUDIENCES + "?page_size=0").status()).isEqualTo(400);
    }
}
