package io.audiencesync.cli;

import io.audiencesync.PinterestConnection;
import io.audiencesync.SyncApp;
import io.audiencesync.config.PinterestSettings;
import io.audiencesync.pinterest.AdAccount;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerListAudience;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.routes.PinterestRoute;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "audiences",
        mixinStandardHelpOptions = true,
        description = "Lists the ad accounts the token can use (the configured one marked), then the configured ad "
                + "account's customer list audiences as Pinterest users know them, one per line: "
                + "Customer List-Users 1, Audience-Users 1 | customer list ID (STATUS) | audience ID (STATUS, size "
                + "N) Lists no audience wraps yet are shown by their name alone. Copy a name (the text before the "
                + "first ' | ') into sync.audience to sync into that audience instead of creating one. With no ad "
                + "account configured yet, it lists the ad accounts only: set pinterest.ad-account-id to one of them.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed", "1:Pinterest could not be reached", "2:a configuration or authorization error (explained on stderr)"})
final class AudiencesCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Quiet quiet = verbose.quiet()) {
            PinterestSettings settings = SyncApp.readSettings(config.existing(), Map.of(), PinterestSettings::load);
            try (PinterestConnection connection = open(settings)) {
                PinterestClient pinterest = connection.client();
                String configured = settings.adAccountId();
                List<AdAccount> accounts = pinterest.listAdAccounts();
                accountLines(accounts, configured).forEach(out::println);
                // Before the audiences, which can fail: the accounts are what a person fixes the setting with.
                out.flush();
                if (configured == null) {
                    return 0;
                }
                List<CustomerListAudience> pairs = CustomerListAudience.pair(pinterest.listCustomerLists(),
                        pinterest.listAudiences());
                out.println("Customer list audiences of ad account " + configured + ":");
                if (pairs.isEmpty()) {
                    out.println("No customer lists in ad account " + configured + ".");
                }
                pairs.forEach(pair -> out.println(line(pair)));
                out.flush();
                return 0;
            }
        } catch (RuntimeException e) {
            if (!Failures.explained(e)) {
                throw e;
            }
            out.flush();
            return Failures.report(spec.commandLine().getErr(), e);
        }
    }

    /**
     * The connection {@link PinterestConnection#open} makes, but also without an ad account: listing the ad accounts
     * needs none, and is how a person finds the one to configure.
     */
    private static PinterestConnection open(PinterestSettings settings) {
        TokenProvider tokens = PinterestConnection.tokens(settings);
        try {
            PinterestRoute.Standalone route = PinterestRoute.standalone(settings.apiUrl(), settings.adAccountId(), tokens,
                    PinterestConnection.options(settings, status -> { }, () -> false));
            return new PinterestConnection(tokens, route.client(), route);
        } catch (RuntimeException e) {
            tokens.close();
            throw e;
        }
    }

    /** The ad accounts, the configured one marked; when none is configured, which setting takes one of them. */
    static List<String> accountLines(List<AdAccount> accounts, String configured) {
        List<String> lines = new ArrayList<>();
        if (accounts.isEmpty()) {
            lines.add("The token can use no ad account: authorize a user who has access to one (Business Access > "
                    + "Ad Accounts in Pinterest), with 'auth'.");
        } else {
            lines.add("Ad accounts the token can use:");
        }
        boolean listed = false;
        for (AdAccount account : accounts) {
            boolean isConfigured = account.id().equals(configured);
            listed |= isConfigured;
            lines.add("  " + account.id() + (account.name() == null ? "" : " '" + account.name() + "'")
                    + (isConfigured ? " (configured)" : ""));
        }
        if (configured == null) {
            lines.add("No ad account is configured: set " + PinterestSettings.AD_ACCOUNT_ID + " to "
                    + (accounts.size() == 1 ? "it" : "one of them") + " (or run 'auth --ad-account-id ID').");
        } else if (!listed && !accounts.isEmpty()) {
            lines.add(PinterestSettings.AD_ACCOUNT_ID + " is " + configured + ", which is not one of them.");
        }
        return lines;
    }

    static String line(CustomerListAudience pair) {
        StringBuilder line = new StringBuilder(pair.name())
                .append(" | customer list ").append(pair.list().id()).append(" (").append(pair.list().status()).append(')');
        Audience audience = pair.audience();
        if (audience == null) {
            line.append(" | no audience");
        } else {
            line.append(" | audience ").append(audience.id()).append(" (").append(audience.status()).append(", size ")
                    .append(audience.size() == null ? "not reported yet" : audience.size().toString()).append(')');
        }
        return line.toString();
    }
}
