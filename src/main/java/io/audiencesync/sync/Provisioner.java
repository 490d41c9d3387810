package io.audiencesync.sync;

import io.audiencesync.config.AudienceSelection;
import io.audiencesync.config.ConfigException;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.CustomerListAudience;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateCorruptedException;
import io.audiencesync.state.StateFiles;
import io.audiencesync.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds the customer list and audience of a sync: an existing one chosen by {@code sync.audience} or by ids, else
 * its own from its binding, else by name in the ad account (all pages), adopting what exists so that a lost state
 * directory or a crash between create and bookkeeping never produces a duplicate. A list that does not exist yet
 * is created by the first ADD batch; a choice that resolves to nothing or to several is an error, never a create.
 */
public final class Provisioner {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final StateStore store;
    private final BindingFile binding;
    private final DesiredState desired;
    /** {@code run --once --reset-state}: the state is set aside by the first run of this process. */
    private boolean resetPending;

    /** For a command that only looks the list up ({@code check}, {@code status}): the sync's own records, read only. */
    public Provisioner(SyncSettings settings, PinterestClient pinterest, StateStore store) {
        this(settings, pinterest, store, files(settings, store));
    }

    private Provisioner(SyncSettings settings, PinterestClient pinterest, StateStore store, StateFiles files) {
        this(settings, pinterest, store, new BindingFile(files, settings.stateDir(), settings.name()),
                DesiredState.of(files, settings.stateDir(), settings.listKey()));
    }

    /** The sync's records: where {@code store} keeps them, or where the settings say (a command with no store open). */
    private static StateFiles files(SyncSettings settings, StateStore store) {
        return store != null ? store.files(settings.workspaceDir()) : StateStores.files(settings);
    }

    public Provisioner(SyncSettings settings, PinterestClient pinterest, StateStore store, BindingFile binding,
                       DesiredState desired) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.store = store;
        this.binding = binding;
        this.desired = desired;
        this.resetPending = settings.resetState();
    }

    /**
     * Takes the list's write lock (a second process syncing the same list stops here, before it reads or sends),
     * sets the sync's state aside when {@code run --once --reset-state} asks, then checks that the sync's own
     * records are whole: its binding, and the desired state it records.
     */
    public void lock(SyncRun run) {
        run.session(store.begin(settings.listKey()));
        if (resetPending) {
            resetPending = false;
            reset(run);
        }
        SyncBinding record = binding.load();
        long generation = record == null ? 0 : record.desiredGenerationOf(settings.listKey());
        if (generation > 0) {
            long kept = desired.status().map(DesiredState.Status::generation).orElse(0L);
            if (kept < generation) {
                throw new StateCorruptedException((kept == 0 ? desired.statusFile() + " is missing"
                        : desired.statusFile() + " is older than it should be (generation " + kept + ")")
                        + ": the sync's binding " + binding.where() + " records generation " + generation + " of the desired"
                        + " state of '" + settings.listKey() + "'. " + StateCorruptedException.resetAdvice(
                        "the desired state of '" + settings.listKey() + "'"));
            }
        }
    }

    /**
     * Sets the sync's state aside: its binding and the state of its list move to {@code state/set-aside/<time>/}
     * (PostgreSQL rows to a table of their own), and the desired state too unless it is whole, in which case it stays
     * and the run resumes it. The list's state then starts again from the model; the run says that values that left
     * the model before cannot be removed.
     */
    private void reset(SyncRun run) {
        Path aside = settings.stateDir().resolve("set-aside").resolve(STAMP.format(Instant.now()));
        List<String> moved = new ArrayList<>();
        moved.add(binding.setAside(aside));
        long whole = wholeDesiredGeneration();
        if (whole > 0) {
            binding.update(b -> b.withDesired(settings.listKey(), whole));
            moved.add("the desired state is whole and stays");
        } else {
            moved.add(desired.setAside(aside));
        }
        Target target = locate();
        if (target.customerListId() != null) {
            moved.add(run.session().setAside(target.customerListId(), aside));
        }
        LOG.warn("Run {}: the state of sync '{}' is set aside (run --once --reset-state): {}. This run starts the list's"
                + " state again from the model", run.id(), settings.name(), String.join("; ", moved));
    }

    /** The generation of the desired state when it is there and whole (its status and every record), else 0. */
    private long wholeDesiredGeneration() {
        try {
            Optional<DesiredState.Status> status = desired.status();
            if (status.isEmpty()) {
                return 0;
            }
            try (SortedRecords records = desired.read()) {
                while (records.next()) {
                    // read to the end: the reader checks every record and the seal
                }
            }
            return status.get().generation();
        } catch (StateCorruptedException e) {
            return 0;
        }
    }

    /** Finds the customer list and audience, and opens the list's state. */
    public Target resolve(SyncRun run) {
        SyncBinding before = binding.load();
        Target target = locate();
        run.target(target);
        if (target.customerListId() == null) {
            LOG.info("Customer list '{}' does not exist yet: the first ADD batch creates it", target.customerListName());
            return target;
        }
        boolean bound = before != null && target.customerListId().equals(before.customerListId());
        if (!bound && settings.selection() instanceof AudienceSelection.Own
                && !run.session().hasState(target.customerListId())) {
            // Found by name with nothing of this tool's about it: whatever it sent before (a lost volume, a reset)
            // and that left the model meanwhile is in the list, unknown, and cannot be removed.
            run.adoptedWithoutState();
            bind(target);
            binding.update(b -> b.adoptedWithoutState(Instant.now()));
            LOG.warn("Run {}: {}", run.id(), adoptedWithoutStateWarning(target.customerListName()));
        } else {
            bind(target);
        }
        openState(run);
        return target;
    }

    /** What a list adopted with no state of this tool means, and what to do. */
    public static String adoptedWithoutStateWarning(String listName) {
        return "the customer list '" + listName + "' was adopted by name with no state of this tool (a new machine, a"
                + " lost volume, or a reset): values removed from the model while the state was missing stay in the"
                + " list, as this tool removes only what it recorded sending. To make the list exactly the model,"
                + " restore sync.data-dir from a backup, or delete the list in Pinterest and run again (a new one is"
                + " created with the model)";
    }

    /**
     * Finds the customer list and audience of the sync without creating or recording anything: the one chosen by
     * {@code sync.audience} or the ids, else the sync's own (from its binding, else by name; pending when none).
     */
    public Target locate() {
        AudienceSelection selection = settings.selection();
        if (selection instanceof AudienceSelection.Named named) {
            return selectByName(named.name());
        }
        if (selection instanceof AudienceSelection.Ids ids) {
            return selectByIds(ids);
        }
        return own();
    }

    private Target own() {
        SyncBinding binding = this.binding.load();
        String listName = settings.customerListName();
        String audienceName = settings.audienceDisplayName();
        // A binding made for another list (an existing audience chosen before, another sync.audience-name) does not apply.
        if (binding != null && settings.adAccountId().equals(binding.adAccountId()) && binding.customerListId() != null
                && (binding.customerListName() == null || binding.customerListName().equals(listName))) {
            // 404 here means the list was deleted in Pinterest: the client raises it as an access error.
            pinterest.getCustomerList(binding.customerListId());
            return new Target(binding.customerListId(), listName, false, binding.audienceId(),
                    Objects.requireNonNullElse(binding.audienceName(), audienceName), false);
        }
        List<CustomerList> named = pinterest.listCustomerLists().stream()
                .filter(list -> listName.equals(list.name()))
                .toList();
        if (named.size() > 1) {
            throw new ConfigException("sync.name", named.size() + " customer lists are named '" + listName + "' in ad account "
                    + settings.adAccountId() + " (ids " + named.stream().map(CustomerList::id).toList()
                    + "); rename all but one in Pinterest, or set sync.audience-name to sync under another name");
        }
        if (named.isEmpty()) {
            return Target.pending(listName, audienceName);
        }
        String id = named.get(0).id();
        LOG.info("Found the existing customer list '{}' ({}): syncing into it", listName, id);
        return new Target(id, listName, false, null, audienceName, false);
    }

    private Target selectByName(String name) {
        List<CustomerListAudience> pairs = pairs();
        List<CustomerListAudience> matches = pairs.stream().filter(pair -> pair.name().equals(name)).toList();
        if (matches.isEmpty()) {
            throw new ConfigException("sync.audience", "no customer list audience is named '" + name + "' in ad account "
                    + settings.adAccountId() + "; found " + describe(pairs) + ". Copy a name exactly as"
                    + " 'pinterest-audience-sync audiences' prints it; nothing was created");
        }
        if (matches.size() > 1) {
            throw new ConfigException("sync.audience", matches.size() + " customer list audiences are named '" + name
                    + "' in ad account " + settings.adAccountId() + " (" + ids(matches) + "); choose one with"
                    + " sync.customer-list-id and sync.audience-id instead; nothing was created");
        }
        return selected(matches.get(0));
    }

    private Target selectByIds(AudienceSelection.Ids ids) {
        List<CustomerListAudience> pairs = pairs();
        if (ids.audienceId() != null) {
            CustomerListAudience match = pairs.stream()
                    .filter(pair -> pair.audience() != null && pair.audience().id().equals(ids.audienceId()))
                    .findFirst()
                    .orElseThrow(() -> new ConfigException("sync.audience-id", "no customer list audience " + ids.audienceId()
                            + " in ad account " + settings.adAccountId() + "; found " + describe(pairs) + "; nothing was created"));
            if (ids.customerListId() != null && !ids.customerListId().equals(match.list().id())) {
                throw new ConfigException("sync.audience-id", "audience " + ids.audienceId() + " wraps customer list "
                        + match.list().id() + ", not sync.customer-list-id " + ids.customerListId());
            }
            return selected(match);
        }
        List<CustomerListAudience> matches = pairs.stream().filter(pair -> pair.list().id().equals(ids.customerListId())).toList();
        if (matches.isEmpty()) {
            throw new ConfigException("sync.customer-list-id", "no customer list " + ids.customerListId() + " in ad account "
                    + settings.adAccountId() + "; found " + describe(pairs) + "; nothing was created");
        }
        if (matches.size() > 1) {
            throw new ConfigException("sync.audience-id", "customer list " + ids.customerListId() + " is wrapped by "
                    + matches.size() + " audiences (" + ids(matches) + "); set sync.audience-id to choose one");
        }
        return selected(matches.get(0));
    }

    private List<CustomerListAudience> pairs() {
        return CustomerListAudience.pair(pinterest.listCustomerLists(), pinterest.listAudiences());
    }

    /** A list without an audience gets {@code Audience-{sync.name}} at the end of the run, as a new sync would. */
    private Target selected(CustomerListAudience pair) {
        LOG.info("Syncing into the existing '{}' (customer list {}, audience {})", pair.name(), pair.list().id(),
                pair.audience() == null ? "none yet" : pair.audience().id());
        return new Target(pair.list().id(), pair.list().name(), false,
                pair.audience() == null ? null : pair.audience().id(),
                pair.audience() == null ? settings.audienceDisplayName() : pair.audience().name(), false);
    }

    private static String describe(List<CustomerListAudience> pairs) {
        if (pairs.isEmpty()) {
            return "no customer lists at all";
        }
        int shown = Math.min(pairs.size(), 10);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            out.append(i == 0 ? "" : "; ").append('\'').append(pairs.get(i).name()).append('\'');
        }
        if (pairs.size() > shown) {
            out.append(" and ").append(pairs.size() - shown).append(" more");
        }
        return out.toString();
    }

    private static String ids(List<CustomerListAudience> pairs) {
        return pairs.stream()
                .map(pair -> "customer list " + pair.list().id() + (pair.audience() == null ? "" : " with audience " + pair.audience().id()))
                .collect(Collectors.joining(", "));
    }

    /** Called after the first ADD batch created the list: binds it and starts its state. */
    void listCreated(SyncRun run, String customerListId) {
        run.target(run.target().withCreatedList(customerListId));
        bind(run.target());
        openState(run);
        if (run.desired() != null && desired != null) {
            // The batches are the plan of the desired state, planned before the list was there.
            run.state().sending(desired);
        }
        LOG.info("Created customer list '{}' ({})", run.target().customerListName(), customerListId);
    }

    /**
     * Makes sure the list has its audience: adopts an audience that already wraps the list (whatever its
     * name), else creates {@code Audience-{name}}. Does nothing while the list does not exist.
     */
    public void ensureAudience(SyncRun run) {
        Target target = run.target();
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
            run.target(target.withAudience(wrapping.id(), false));
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
            run.target(target.withAudience(created.id(), true));
        }
        bind(run.target());
    }

    private void bind(Target target) {
        binding.update(b -> b.boundTo(settings.adAccountId(), target));
    }

    /** A complete snapshot became generation {@code generation} of the desired state: the binding records it. */
    public void desiredKept(long generation) {
        binding.update(b -> b.withDesired(settings.listKey(), generation));
    }

    /** The first batch of the list was recorded in its state: from now on its state missing is damage. */
    void listStateWritten() {
        binding.update(SyncBinding::withListState);
    }

    private void openState(SyncRun run) {
        String listId = run.target().customerListId();
        SyncBinding record = binding.load();
        if (record != null && record.listState() && listId.equals(record.customerListId())
                && !run.session().hasState(listId)) {
            throw new StateCorruptedException("the state of customer list " + listId + " is missing (" + store.kind()
                    + " store), while the sync's binding " + binding.where() + " records that this tool wrote it. "
                    + StateCorruptedException.resetAdvice("customer list " + listId));
        }
        // Recovers what an earlier run that did not finish (crash, kill -9) committed.
        run.state(run.session().open(listId));
    }
}
