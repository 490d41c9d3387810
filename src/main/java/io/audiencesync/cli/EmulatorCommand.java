package io.audiencesync.cli;

import io.audiencesync.emulator.PinterestEmulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "emulator",
        mixinStandardHelpOptions = true,
        description = "Runs the local Pinterest emulator on 127.0.0.1 until stopped (Ctrl-C). It implements the OAuth, "
                + "ad account, customer list and audience calls this tool makes, with Pinterest's shapes and "
                + "strictness, so a configuration (and 'auth') can be tried without touching an ad account.")
final class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8089", description = "Port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--access-token", defaultValue = PinterestEmulator.DEFAULT_ACCESS_TOKEN,
            description = "Bearer token the emulator accepts (default ${DEFAULT-VALUE}).")
    String accessToken;

    @Option(names = "--ad-account-id", defaultValue = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
            description = "Ad account the emulator knows (default ${DEFAULT-VALUE}).")
    String adAccountId;

    @Option(names = "--client-id", defaultValue = PinterestEmulator.DEFAULT_CLIENT_ID,
            description = "App id the emulator's OAuth endpoints know (default ${DEFAULT-VALUE}).")
    String clientId;

    @Option(names = "--client-secret", defaultValue = PinterestEmulator.DEFAULT_CLIENT_SECRET,
            description = "App secret its token endpoint checks (default: a fixed one, printed at start).")
    String clientSecret;

    @Option(names = "--compact-membership",
            description = "Keep 64-bit fingerprints of members instead of the values (for benchmarks with millions of members);"
                    + " a write's fingerprints are applied just after it is answered, as Pinterest processes an upload after accepting it.")
    boolean compactMembership;

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(port).accessToken(accessToken)
                .adAccountId(adAccountId).clientCredentials(clientId, clientSecret).compactMembership(compactMembership).start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            System.out.println("Pinterest emulator listening on " + emulator.baseUrl());
            System.out.println("Point the sync at it with:");
            System.out.println("  pinterest.api-url=" + emulator.baseUrl());
            System.out.println("  pinterest.ad-account-id=" + adAccountId);
            System.out.println("  pinterest.access-token=" + accessToken);
            System.out.println("Or try 'auth' (the emulator's authorize page consents at once) with:");
            System.out.println("  pinterest.api-url=" + emulator.baseUrl());
            System.out.println("  pinterest.authorize-url=" + emulator.authorizeUrl());
            System.out.println("  pinterest.client-id=" + clientId);
            System.out.println("  pinterest.client-secret=" + clientSecret + "   (the emulator's own; never a real one)");
            System.out.println("  and open the printed URL, e.g. with: curl -sL -o /dev/null URL");
            System.out.println("Lists and members: " + emulator.baseUrl().replace("/v5", "/_emulator/lists"));
            stopped.await();
        }
        return 0;
    }
}
