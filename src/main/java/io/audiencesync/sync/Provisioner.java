package io.audiencesync.sync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Finds the customer list and audience of a sync: from its binding, else by name in the ad account (all
 * pages), adopting what exists so that a lost state directory or a crash between create and bookkeeping
 * never produces a duplicate. A list that does not exist yet is created by the first ADD batch.
 */
public final class Provisioner {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final StateStore store;
    private final Path bindingFile;

    public Provisioner(SyncSettings settings, PinterestClient pinterest, StateStore store) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.store = store;
        this.bindingFile = SyncBinding.file(settings.stateDir(), settings.name());
    }

    /** Resolves the target before anything is read, so a wrong token or account fails fast. */
    public void resolve(SyncRun run) {
        // The list's write lock first: a second process syncing the same list stops here, before it reads or sends.
        run.session = store.begin(settings.adAccountId() + "/" + settings.customerListName());
        SyncBinding binding = SyncBinding.load(bindingFile);
        String listName = settings.customerListName();
        String audienceName = settings.audienceDisplayName();
        if (binding != null && settings.adAccountId().equals(binding.adAccountId()) && binding.customerListId() != null) {
            // 404 here means the list was deleted in Pinterest: the client raises it as an access error.
            pinterest.getCustomerList(binding.customerListId());
            run.target = new Target(binding.customerListId(), Objects.requireNonNullElse(binding.customerListName(), listName),
                    false, binding.audienceId(), Objects.requireNonNullElse(binding.audienceName(), audienceName), false);
        } else {
            List<CustomerList> named = pinterest.listCustomerLists().stream()
                    .filter(list -> listName.equals(list.name()))
                    .toList();
            if (named.size() > 1) {
                throw new ConfigException("sync.name", named.size() + " customer lists are named '" + listName + "' in ad account "
                        + settings.adAccountId() + " (ids " + named.stream().map(CustomerList::id).toList()
                        + "); rename all but one in Pinterest, or set sync.audience-name to sync under another name");
            }
            if (named.isEmpty()) {
                run.target = Target.pending(listName, audienceName);
                LOG.info("Customer list '{}' does not exist yet: the first ADD batch creates it", listName);
            } else {
                String id = named.get(0).id();
                LOG.info("Adopting the existing customer list '{}' ({})", listName, id);
                run.target = new Target(id, listName, false, null, audienceName, false);
                bind(run.target);
            }
        }
        if (run.target.customerListId() != null) {
            openState(run);
        }
    }

    /** Called after the first ADD batch created the list: binds it and starts its state. */
    void listCreated(SyncRun run, String customerListId) {
        run.target = run.target.withCreatedList(customerListId);
        bind(run.target);
        openState(run);
        LOG.info("Created customer list '{}' ({})", run.target.customerListName(), customerListId);
    }

    /**
     * Makes sure the list has its audience: adopts an audience that already wraps the list (whatever its
     * name), else creates {@code Audience-{name}}. Does nothing while the list does not exist.
     */
    public void ensureAudience(SyncRun run) {
        Target target = run.target;
        if (target == null || target.customerListId() == null || target.audienceId() != null) {
            return;
        }
        List<Audience> audiences = pinterest.listAudiences();
        Audience wrapping = audiences.stream()
                .filter(a -> "CUSTOMER_LIST".equals(a.audienceType()) && target.customerListId().equals(a.customerListId()))
                .findFirst().orElse(null);
        if (wrapping != null) {
            LOG.info("Adopting the existing audience '{}' ({}) of customer list {}", wrapping.name(), wrapping.id(),
                    target.customerListId());
            run.target = target.withAudience(wrapping.id(), false);
        } else {
            Audience sameName = audiences.stream().filter(a -> target.audienceName().equals(a.name())).findFirst().orElse(null);
            if (sameName != null) {
                throw new ConfigException("sync.audience-name", "an audience named '" + target.audienceName() + "' (" + sameName.id()
                        + ") already exists for " + (sameName.customerListId() == null ? "another audience type"
                        : "customer list " + sameName.customerListId()) + ", not for " + target.customerListId()
                        + "; set sync.audience-name to another name");
            }
            Audience created = pinterest.createAudience(target.audienceName(), target.customerListId(),
                    "Kept equal to the model '" + settings.name() + "' by pinterest-audience-sync");
            LOG.info("Created audience '{}' ({}) for customer list {}", created.name(), created.id(), target.customerListId());
            run.target = target.withAudience(created.id(), true);
        }
        bind(run.target);
    }

    private void bind(Target target) {
        SyncBinding current = SyncBinding.load(bindingFile);
        SyncBinding next = new SyncBinding(settings.adAccountId(), target.customerListId(), target.customerListName(),
                target.audienceId(), target.audienceName());
        if (!Objects.equals(current, next)) {
            next.save(bindingFile);
        }
    }

    private void openState(SyncRun run) {
        // Recovers what an earlier run that did not finish (crash, kill -9) committed.
        run.state = run.session.open(run.target.customerListId());
    }
}
