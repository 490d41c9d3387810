package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.StateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Runs the real application (Camel main, YAML routes, beans) once over an inbox, against an emulator over HTTP. */
final class SyncHarness {

    final PinterestEmulator emulator;
    final Path data;
    final Path inbox;
    final Map<String, String> settings = new HashMap<>();

    SyncHarness(PinterestEmulator emulator, Path dir) {
        this.emulator = emulator;
        this.data = dir.resolve("data");
        this.inbox = data.resolve("inbox");
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        settings.put("sync.name", "Users 1");
        settings.put("sync.identifiers", "email=EMAIL,maid=MAID,idfa=IDFA");
        settings.put("sync.data-dir", data.toString());
        settings.put("source.file.dir", inbox.toString());
        settings.put("source.file.read-lock-check-interval-ms", "50");
        // the tests drop each file whole before the run starts; the stable window has tests of its own
        settings.put("source.file.stable-seconds", "0");
        settings.put("source.file.poll-delay-ms", "50");
        settings.put("sync.once", "true");
    }

    SyncHarness set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    SyncHarness unset(String key) {
        settings.remove(key);
        return this;
    }

    /** Settings for tokens from the token file (or pinterest.refresh-token) instead of a static access token. */
    SyncHarness withOAuthApp() {
        settings.remove("pinterest.access-token");
        settings.put("pinterest.client-id", PinterestEmulator.DEFAULT_CLIENT_ID);
        settings.put("pinterest.client-secret", PinterestEmulator.DEFAULT_CLIENT_SECRET);
        return this;
    }

    /** Where the token file is by default: {@code sync.data-dir/pinterest-token.json}. */
    Path tokenFile() {
        return data.resolve("pinterest-token.json");
    }

    /** Drops {@code csv} as {@code name} in the inbox and runs {@code run --once}; returns the exit code. */
    int sync(String name, String csv) {
        drop(name, csv);
        return SyncApp.runIsolated(settings);
    }

    /** Runs {@code run --once} with the SQL source on {@code url} (and whatever is in the inbox); returns the exit code. */
    int syncQuery(String url, String query) {
        settings.put("source.jdbc.url", url);
        settings.put("source.jdbc.query", query);
        return SyncApp.runIsolated(settings);
    }

    void drop(String name, String csv) {
        try {
            Files.createDirectories(inbox);
            Files.writeString(inbox.resolve(name), csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops {@code bytes} as they are (binary data, gzip) as {@code name} in the inbox. */
    void drop(String name, byte[] bytes) {
        try {
            Files.createDirectories(inbox);
            Files.write(inbox.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RunReport lastReport() {
        List<RunReport> reports = reports();
        if (reports.isEmpty()) {
            throw new AssertionError("no run report in " + new RunHistory(files(), data).where());
        }
        return reports.get(reports.size() - 1);
    }

    List<RunReport> reports() {
        return new RunHistory(files(), data).reports();
    }

    /** Where the workspace's own files are: under the data directory, or with state.store=postgres in its tables. */
    StateFiles files() {
        return Workspaces.files(settings, data);
    }

    String listId(String name) {
        return emulator.customerLists().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no customer list '" + name + "' in " + emulator.customerLists())).id();
    }

    String onlyListId() {
        var lists = emulator.customerLists();
        if (lists.size() != 1) {
            throw new AssertionError("expected one customer list, found " + lists);
        }
        return lists.get(0).id();
    }

    List<String> filesIn(String subdir) {
        Path dir = inbox.resolve(subdir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String email(String raw) {
        return Normalizer.sha256(raw.strip().toLowerCase(Locale.ROOT));
    }

    /** What the emulator holds for {@code <prefix><i>@example.com}, i from {@code from} to {@code to} (excluded). */
    /** Rows {@code from} to {@code to} (excluded) of a model with the header {@code id,email}: {@code i,user<i>@example.com}. */
    static String emailRows(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> i + ",user" + i + "@example.com\n").collect(Collectors.joining());
    }

    public static Set<String> emails(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> email(prefix + i + "@example.com")).collect(Collectors.toSet());
    }

    /** Deletes {@code root} and everything under it, deepest first. */
    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Path newest(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).max(Comparator.naturalOrder())
                    .orElseThrow(() -> new AssertionError("no " + suffix + " file in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
