package io.audiencesync.cli;

import io.audiencesync.emulator.PinterestEmulator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "emulator",
        mixinStandardHelpOptions = true,
        description = "Runs the local Pinterest emulator on 127.0.0.1 until stopped (Ctrl-C). It implements the OAuth, "
                + "ad account, customer list and audience calls this tool makes, with Pinterest's shapes and "
                + "strictness, so a configuration (and 'auth') can be tried without touching an ad account. About 30 %% "
                + "of values have no Pinterest account and are never matched; sizes and statuses are updated "
                + "--size-delay-seconds after a list's last write. Without --data-dir everything is in memory and "
                + "gone when it stops.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "2:it could not start (the port in use, the data directory unusable; explained on stderr)"})
final class EmulatorCommand implements Callable<Integer> {

    /** A person sees PROCESSING and no size right after a run, and the sizes half a minute later. */
    static final int DEFAULT_SIZE_DELAY_SECONDS = 30;

    @Option(names = "--port", defaultValue = "8089", description = "Port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--access-token", defaultValue = PinterestEmulator.DEFAULT_ACCESS_TOKEN,
            description = "Bearer token the emulator accepts (default ${DEFAULT-VALUE}).")
    String accessToken;

    @Option(names = "--ad-account-id", paramLabel = "ID",
            description = "Ad account the emulator serves; repeat it to serve several, the first is the one printed "
                    + "(default " + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID + ").")
    List<String> adAccountIds = new ArrayList<>();

    @Option(names = "--client-id", defaultValue = PinterestEmulator.DEFAULT_CLIENT_ID,
            description = "App id the emulator's OAuth endpoints know (default ${DEFAULT-VALUE}).")
    String clientId;

    @Option(names = "--client-secret", defaultValue = PinterestEmulator.DEFAULT_CLIENT_SECRET,
            description = "App secret its token endpoint checks (default: a fixed one, printed at start).")
    String clientSecret;

    @Option(names = "--size-delay-seconds", paramLabel = "N", defaultValue = "" + DEFAULT_SIZE_DELAY_SECONDS,
            description = "Seconds after a list's last write before its counters and status and its audiences' sizes "
                    + "are updated, as Pinterest does 24-48 hours later (default ${DEFAULT-VALUE}; 0 = at once). "
                    + "POST /_emulator/settle makes them now.")
    long sizeDelaySeconds;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep lists, audiences and members in DIR across restarts (written within a second of a "
                    + "change and when stopped). Without it everything is in memory and gone when the emulator stops.")
    Path dataDir;

    @Option(names = "--compact-membership",
            description = "Keep 64-bit fingerprints of members instead of the values (for benchmarks with millions of members);"
                    + " a write's fingerprints are applied just after it is answered, as Pinterest processes an upload after accepting it.")
    boolean compactMembership;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        List<String> accounts = adAccountIds.isEmpty() ? List.of(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID) : adAccountIds;
        PinterestEmulator emulator;
        try {
            PinterestEmulator.Builder builder = PinterestEmulator.builder().port(port).accessToken(accessToken)
                    .clientCredentials(clientId, clientSecret).compactMembership(compactMembership)
                    .sizeDelay(Duration.ofSeconds(sizeDelaySeconds));
            accounts.forEach(builder::adAccountId);
            if (dataDir != null) {
                builder.dataDir(dataDir);
            }
            emulator = builder.start();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException) {
                return fail(err, "port " + port + " on 127.0.0.1 is in use (is an emulator already running?): "
                        + "choose another with --port N, or --port 0 for any free port");
            }
            return fail(err, e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return fail(err, e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // Closed by the hook itself: the JVM does not wait for this thread, and closing writes the data directory.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));
        String admin = emulator.baseUrl().replace("/v5", "/_emulator");
        System.out.println("Pinterest emulator listening on " + emulator.baseUrl());
        System.out.println("Point the sync at it with:");
        System.out.println("  pinterest.api-url=" + emulator.baseUrl());
        System.out.println("  pinterest.ad-account-id=" + accounts.get(0));
        System.out.println("  pinterest.access-token=" + accessToken);
        if (accounts.size() > 1) {
            System.out.println("  (ad accounts served: " + String.join(", ", accounts) + ")");
        }
        System.out.println("Or try 'auth' (the emulator's authorize page consents at once) with:");
        System.out.println("  pinterest.api-url=" + emulator.baseUrl());
        System.out.println("  pinterest.authorize-url=" + emulator.authorizeUrl());
        System.out.println("  pinterest.client-id=" + clientId);
        System.out.println("  pinterest.client-secret=" + clientSecret + "   (the emulator's own; never a real one)");
        System.out.println("  and open the printed URL, e.g. with: curl -sL -o /dev/null URL");
        System.out.println("Lists, their counts and members: " + admin + "/lists");
        System.out.println("Sizes and statuses are updated " + sizeDelaySeconds + " s after a list's last write; now with: "
                + "curl -X POST " + admin + "/settle");
        System.out.println(dataDir == null
                ? "Everything is kept in memory and gone when the emulator stops (--data-dir DIR keeps it)."
                : "Lists, audiences and members are kept in " + dataDir.toAbsolutePath());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static int fail(PrintWriter err, String message) {
        err.println("pinterest-audience-sync emulator: " + message);
        err.flush();
        return 2;
    }
}
