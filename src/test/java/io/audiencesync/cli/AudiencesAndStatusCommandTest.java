package io.audiencesync.cli;

import io.audiencesync.TestOAuth;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The audiences and status commands against the emulator over loopback HTTP. */
class AudiencesAndStatusCommandTest {

    private static final String ACCOUNT = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID;

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private Path config;

    @BeforeEach
    void start() throws IOException {
        startEmulator(PinterestEmulator.builder());
    }

    private void startEmulator(PinterestEmulator.Builder builder) throws IOException {
        if (emulator != null) {
            emulator.close();
        }
        emulator = builder.start();
        config = dir.resolve("sync.properties");
        Files.writeString(config, String.join("\n",
                "pinterest.api-url=" + emulator.baseUrl(),
                "pinterest.ad-account-id=" + ACCOUNT,
                "pinterest.client-id=" + PinterestEmulator.DEFAULT_CLIENT_ID,
                "pinterest.client-secret=" + PinterestEmulator.DEFAULT_CLIENT_SECRET,
                "sync.name=Users 1",
                "sync.data-dir=" + dir.resolve("data"),
                "source.file.poll-delay-ms=50",
                "source.file.read-lock-check-interval-ms=50", "source.file.stable-seconds=0", ""));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private void useStaticToken() throws IOException {
        Files.writeString(config, Files.readString(config) + "pinterest.access-token=" + PinterestEmulator.DEFAULT_ACCESS_TOKEN + "\n");
    }

    private StoredToken authorize() {
        return TestOAuth.tokenFile(emulator, dir.resolve("data/pinterest-token.json"));
    }

    /** The first {@code count} emails {@code u0@example.com}... that the emulator matches, or does not. */
    private static List<String> emails(int count, boolean matched) {
        return IntStream.iterate(0, i -> i + 1).mapToObj(i -> "u" + i + "@example.com")
                .filter(e -> PinterestEmulator.hasPinterestAccount(e) == matched).limit(count).collect(Collectors.toList());
    }

    /** What audiences prints before the pairs, with the default ad account the only one and configured. */
    private static final List<String> ACCOUNT_LINES = List.of("Ad accounts the token can use:",
            "  " + ACCOUNT + " 'Emulated ad account " + ACCOUNT + "' (configured)",
            "Customer list audiences of ad account " + ACCOUNT + ":");

    @Test
    void audiencesListsEveryPairAsUsersKnowItFromAllPages() throws IOException {
        // Changed with the emulator's matching: sizes are counted at once (the builder's size delay is zero), and
        // only from matched values; the ad accounts come first.
        useStaticToken();
        List<String> expected = new ArrayList<>(ACCOUNT_LINES);
        for (int i = 0; i < 250; i++) {
            String list = emulator.seedCustomerList(ACCOUNT, "Customer List-Segment " + i, "EMAIL", List.of());
            String audience = emulator.seedAudience(ACCOUNT, "Audience-Segment " + i, list);
            expected.add("Customer List-Segment " + i + ", Audience-Segment " + i + " | customer list " + list
                    + " (TOO_SMALL) | audience " + audience + " (TOO_SMALL, size 0)");
        }
        List<String> members = new ArrayList<>(emails(100, true));
        members.addAll(emails(30, false));
        String users = emulator.seedCustomerList(ACCOUNT, "Customer List-Users 1", "EMAIL", members);
        String usersAudience = emulator.seedAudience(ACCOUNT, "Audience-Users 1", users);
        String second = emulator.seedAudience(ACCOUNT, "Audience-Users 1 again", users);
        expected.add("Customer List-Users 1, Audience-Users 1 | customer list " + users + " (READY) | audience " + usersAudience
                + " (READY, size 100)");
        expected.add("Customer List-Users 1, Audience-Users 1 again | customer list " + users + " (READY) | audience " + second
                + " (READY, size 100)");
        for (int i = 0; i < 130; i++) {
            String list = emulator.seedCustomerList(ACCOUNT, "Customer List-Bare " + i, "EMAIL", List.of());
            expected.add("Customer List-Bare " + i + " | customer list " + list + " (TOO_SMALL) | no audience");
        }

        CliHarness.Result result = CliHarness.execute("audiences", "--config", config.toString());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out().lines()).containsExactlyElementsOf(expected);
        assertThat(emulator.calls()).filteredOn(c -> c.path().contains("/customer_lists?")).as("two pages of lists").hasSize(2);
        assertThat(emulator.calls()).filteredOn(c -> c.path().contains("/audiences?")).as("two pages of audiences").hasSize(2);
    }

    @Test
    void audiencesShowsProcessingListsAndSizesNotReportedYetWithinTheSizeDelay() throws IOException {
        startEmulator(PinterestEmulator.builder().sizeDelay(Duration.ofHours(1)));
        useStaticToken();
        String list = emulator.seedCustomerList(ACCOUNT, "Customer List-Users 1", "EMAIL", emails(120, true));
        String audience = emulator.seedAudience(ACCOUNT, "Audience-Users 1", list);
        String line = "Customer List-Users 1, Audience-Users 1 | customer list " + list;

        CliHarness.Result before = CliHarness.execute("audiences", "--config", config.toString());
        emulator.settle();
        CliHarness.Result after = CliHarness.execute("audiences", "--config", config.toString());

        assertThat(before.out().lines()).contains(line + " (PROCESSING) | audience " + audience
                + " (INITIALIZING, size not reported yet)");
        assertThat(after.out().lines()).contains(line + " (READY) | audience " + audience + " (READY, size 120)");
    }

    @Test
    void audiencesListsTheAdAccountsOfEveryPageAndMarksTheConfiguredOne() throws IOException {
        PinterestEmulator.Builder builder = PinterestEmulator.builder().adAccount(ACCOUNT, "My shop").adAccount("111", "Other shop");
        for (int i = 0; i < 260; i++) {
            builder.adAccountId(Long.toString(900_000_000L + i));
        }
        startEmulator(builder);
        useStaticToken();

        CliHarness.Result result = CliHarness.execute("audiences", "--config", config.toString());

        assertThat(result.code()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.subList(0, 4)).containsExactly("Ad accounts the token can use:", "  111 'Other shop'",
                "  900000000 'Emulated ad account 900000000'", "  900000001 'Emulated ad account 900000001'");
        assertThat(lines).contains("  " + ACCOUNT + " 'My shop' (configured)")
                .filteredOn(l -> l.startsWith("  ")).hasSize(262);
        assertThat(lines.subList(263, lines.size())).containsExactly("Customer list audiences of ad account " + ACCOUNT + ":",
                "No customer lists in ad account " + ACCOUNT + ".");
        assertThat(emulator.calls()).filteredOn(c -> c.path().startsWith("/v5/ad_accounts?")).as("two pages of ad accounts")
                .extracting(c -> c.path().contains("bookmark=")).containsExactly(false, true);
    }

    @Test
    void audiencesWithoutAnAdAccountListsTheAccountsAndSaysWhichSettingTakesOne() throws IOException {
        startEmulator(PinterestEmulator.builder().adAccount(ACCOUNT, "My shop").adAccount("111", "Other shop"));
        useStaticToken();
        Files.writeString(config, Files.readString(config).replace("pinterest.ad-account-id=" + ACCOUNT + "\n", ""));

        CliHarness.Result result = CliHarness.execute("audiences", "--config", config.toString());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out().lines()).containsExactly("Ad accounts the token can use:", "  111 'Other shop'",
                "  " + ACCOUNT + " 'My shop'",
                "No ad account is configured: set pinterest.ad-account-id to one of them (or run 'auth --ad-account-id ID').");
        assertThat(emulator.calls()).extracting(c -> c.path()).containsExactly("/v5/ad_accounts?page_size=250");
    }

    @Test
    void audiencesOfAnAdAccountTheTokenCannotUseListsTheOnesItCanThenStops() throws IOException {
        useStaticToken();
        Files.writeString(config, Files.readString(config).replace("pinterest.ad-account-id=" + ACCOUNT, "pinterest.ad-account-id=42"));

        CliHarness.Result result = CliHarness.execute("audiences", "--config", config.toString());

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.out().lines()).containsExactly("Ad accounts the token can use:",
                "  " + ACCOUNT + " 'Emulated ad account " + ACCOUNT + "'", "pinterest.ad-account-id is 42, which is not one of them.");
        assertThat(result.err()).contains("HTTP 403").contains("pinterest.ad-account-id");
    }

    @Test
    void statusShowsListAudienceCountersLastRunAndTokenExpiry() throws IOException {
        StoredToken token = authorize();
        Path inbox = dir.resolve("data/inbox");
        Files.createDirectories(inbox);
        // Changed with the emulator's matching: 110 of the 120 values sent (hashed emails) have a Pinterest
        // account, and the size (was reported by the test) is theirs.
        List<String> emails = IntStream.iterate(0, i -> i + 1).mapToObj(i -> "user" + i + "@example.com")
                .filter(e -> PinterestEmulator.hasPinterestAccount(Normalizer.sha256(e))).limit(110).collect(Collectors.toList());
        emails.addAll(IntStream.iterate(0, i -> i + 1).mapToObj(i -> "user" + i + "@example.com")
                .filter(e -> !PinterestEmulator.hasPinterestAccount(Normalizer.sha256(e))).limit(10).toList());
        Files.writeString(inbox.resolve("day1.csv"), "email\n" + emails.stream().map(e -> e + "\n").collect(Collectors.joining()));
        CliHarness.Result run = CliHarness.execute("run", "--once", "--config", config.toString());
        assertThat(run.code()).as(run.err()).isZero();
        String listId = emulator.customerLists().get(0).id();
        String audienceId = emulator.audiences().get(0).id();

        CliHarness.Result status = CliHarness.execute("status", "--config", config.toString());

        assertThat(status.code()).as(status.err()).isZero();
        List<String> lines = status.out().lines().toList();
        assertThat(lines.subList(0, 9)).containsExactly(
                "Sync 'Users 1' into ad account " + ACCOUNT + " (mode segment)",
                "Customer list " + listId + " 'Customer List-Users 1'",
                "  status READY: matched: the audience can be used for targeting",
                "  Pinterest's counters: 120 values uploaded, 0 removed (every value sent counts, matched or not)",
                "  this tool's state: 120 values it added and has not removed",
                "Audience " + audienceId + " 'Audience-Users 1'",
                "  status READY, size 110",
                "Health: audience size 110 of 120 values in the list, match rate 92 % (audience READY), list READY;"
                        + " read just now",
                "  Pinterest takes 24-48 hours to update sizes and counts only values that match a Pinterest account,"
                        + " so the size can be lower than the values synced.");
        assertThat(lines.get(9)).startsWith("Desired state: day1.csv (120 values, read ").endsWith("): converged");
        assertThat(lines.get(10)).startsWith("Last run, finished ").contains("(day1.csv) SUCCEEDED").contains("120 rows read");
        assertThat(lines.get(11)).isEqualTo("Access token: expires at " + token.expiresAt() + " (in 29 days 23 hours); refreshed"
                + " automatically (" + dir.resolve("data/pinterest-token.json") + ")");
        assertThat(lines.get(12)).isEqualTo("Refresh token: expires at " + token.refreshTokenExpiresAt() + " (in 59 days 23 hours);"
                + " each refresh renews it (60 days from the last refresh)");
        assertThat(lines).hasSize(13);
        assertThat(status.out()).doesNotContain(token.accessToken()).doesNotContain(token.refreshToken());
        assertThat(emulator.writeCalls()).as("status changes nothing").isEqualTo(2);
    }

    @Test
    void statusWarnsWhenTheRefreshTokenExpiresWithinSevenDays() throws IOException {
        startEmulator(PinterestEmulator.builder().refreshTokenLifetime(Duration.ofDays(5)));
        authorize();

        CliHarness.Result status = CliHarness.execute("status", "--config", config.toString());

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Refresh token: expires at ").contains("(in 4 days 23 hours)")
                .contains("WARNING: the Pinterest refresh token expires at").contains("run 'pinterest-audience-sync auth' again");
    }

    @Test
    void statusBeforeTheFirstRunSaysWhatWillBeCreatedAndCreatesNothing() throws IOException {
        useStaticToken();

        CliHarness.Result status = CliHarness.execute("status", "--config", config.toString());

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Customer list 'Customer List-Users 1' does not exist yet: the first run with values creates it")
                .contains("Last run: none yet")
                .contains("Access token: from pinterest.access-token, expiry unknown and never refreshed");
        assertThat(emulator.writeCalls()).isZero();
        assertThat(dir.resolve("data/state")).doesNotExist();
    }

    @Test
    void statusOfAnExistingAudienceChosenByNameAndAnUnknownName() throws IOException {
        useStaticToken();
        String list = emulator.seedCustomerList(ACCOUNT, "Customer List-Newsletter", "EMAIL", List.of());
        String audience = emulator.seedAudience(ACCOUNT, "Audience-Newsletter", list);
        Files.writeString(config, Files.readString(config) + "sync.audience=Customer List-Newsletter, Audience-Newsletter\n");

        CliHarness.Result status = CliHarness.execute("status", "--config", config.toString());

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Customer list " + list + " 'Customer List-Newsletter'")
                .contains("  status TOO_SMALL: fewer than 100 values match Pinterest users")
                .contains("Audience " + audience + " 'Audience-Newsletter'")
                .contains("  status TOO_SMALL, size 0");

        Files.writeString(config, Files.readString(config).replace("sync.audience=Customer List-Newsletter", "sync.audience=Customer List-Nope"));
        CliHarness.Result unknown = CliHarness.execute("status", "--config", config.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("sync.audience: no customer list audience is named 'Customer List-Nope, Audience-Newsletter'")
                .contains("found 'Customer List-Newsletter, Audience-Newsletter'");
    }
}
