package io.audiencesync.cli;

import io.audiencesync.PinterestConnection;
import io.audiencesync.SyncApp;
import io.audiencesync.config.PinterestSettings;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerListAudience;
import io.audiencesync.pinterest.PinterestClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "audiences",
        mixinStandardHelpOptions = true,
        description = "Lists the ad account's customer list audiences as Pinterest users know them, one per line: "
                + "Customer List-Users 1, Audience-Users 1 | customer list ID (STATUS) | audience ID (STATUS, size "
                + "N) Lists no audience wraps yet are shown by their name alone. Copy a name (the text before the "
                + "first ' | ') into sync.audience to sync into that audience instead of creating one.",
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
        try (Quiet quiet = verbose.quiet();
             PinterestConnection connection = PinterestConnection.open(
                     SyncApp.readSettings(config.existing(), Map.of(), PinterestSettings::load))) {
            PinterestClient pinterest = connection.client();
            List<CustomerListAudience> pairs = CustomerListAudience.pair(pinterest.listCustomerLists(), pinterest.listAudiences());
            if (pairs.isEmpty()) {
                out.println("No customer lists in ad account " + pinterest.adAccountId() + ".");
            }
            pairs.forEach(pair -> out.println(line(pair)));
            out.flush();
            return 0;
        } catch (RuntimeException e) {
            if (!Failures.explained(e)) {
                throw e;
            }
            return Failures.report(spec.commandLine().getErr(), e);
        }
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
