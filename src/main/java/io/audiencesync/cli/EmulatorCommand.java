package io.audiencesync.cli;

import io.audiencesync.pinterest.emulator.PinterestEmulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "emulator",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the local Pinterest emulator on 127.0.0.1 until stopped (Ctrl-C).",
            "It implements the customer list and audience calls this tool makes, with Pinterest's shapes and strictness,",
            "so a configuration can be tried without touching an ad account."})
final class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8089", description = "Port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--access-token", defaultValue = PinterestEmulator.DEFAULT_ACCESS_TOKEN,
            description = "Bearer token the emulator accepts (default ${DEFAULT-VALUE}).")
    String accessToken;

    @Option(names = "--ad-account-id", defaultValue = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
            description = "Ad account the emulator knows (default ${DEFAULT-VALUE}).")
    String adAccountId;

    @Option(names = "--compact-membership",
            description = "Keep 64-bit fingerprints of members instead of the values (for benchmarks with millions of members).")
    boolean compactMembership;

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(port).accessToken(accessToken)
                .adAccountId(adAccountId).compactMembership(compactMembership).start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            System.out.println("Pinterest emulator listening on " + emulator.baseUrl());
            System.out.println("Point the sync at it with:");
            System.out.println("  pinterest.api-url=" + emulator.baseUrl());
            System.out.println("  pinterest.ad-account-id=" + adAccountId);
            System.out.println("  pinterest.access-token=" + accessToken);
            System.out.println("Lists and members: " + emulator.baseUrl().replace("/v5", "/_emulator/lists"));
            stopped.await();
        }
        return 0;
    }
}
