package io.audiencesync.emulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the parts of Pinterest API v5 that a customer-list audience sync uses: OAuth (the
 * authorize page at {@code /oauth/}, {@code POST /v5/oauth/token}), the ad accounts, customer lists and
 * CUSTOMER_LIST audiences. It listens on 127.0.0.1 only, keeps everything in memory (and, given a data directory,
 * on disk) and is stricter than Pinterest about {@code records}, so client bugs fail loudly here instead of
 * shrinking a real audience. It models what Pinterest makes of the values: about 30 % have no Pinterest account
 * ({@link Matching}), sizes count only matched values and are updated a while after a write ({@link
 * Builder#sizeDelay}). An admin view is served without authentication under {@code /_emulator/}.
 */
public final class PinterestEmulator implements AutoCloseable {

    public static final String DEFAULT_ACCESS_TOKEN = "emulator-token";
    public static final String DEFAULT_AD_ACCOUNT_ID = "549755885175";
    public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 100_000;
    /** The app the token endpoint and the authorize page know unless {@link Builder#clientCredentials} says otherwise. */
    public static final String DEFAULT_CLIENT_ID = "1234567";
    public static final String DEFAULT_CLIENT_SECRET = "emulator-secret";
    /** Pinterest's documented lifetimes: access tokens about 30 days, continuous refresh tokens 60 days. */
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofDays(30);
    public static final Duration DEFAULT_REFRESH_TOKEN_LIFETIME = Duration.ofDays(60);
    /** Sizes are updated at once unless {@link Builder#sizeDelay} says otherwise: tests see every write's effect. */
    public static final Duration DEFAULT_SIZE_DELAY = Duration.ZERO;
    static final String OWNER_USER_ID = "549755813599";
    static final String OWNER_USERNAME = "emulator";

    private final HttpServer server;
    private final ExecutorService executor;
    private final Store store;
    private final ApiHandler api;
    private final OAuthServer oauth;
    private final Map<String, String> adAccounts;
    /** Null when everything is kept in memory only. */
    private final DataDir dataDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PinterestEmulator(HttpServer server, ExecutorService executor, Store store, ApiHandler api, OAuthServer oauth,
            Map<String, String> adAccounts, DataDir dataDir) {
        this.server = server;
        this.executor = executor;
        this.store = store;
        this.api = api;
        this.oauth = oauth;
        this.adAccounts = adAccounts;
        this.dataDir = dataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Base URL including {@code /v5}, e.g. {@code http://127.0.0.1:53127/v5}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v5";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The authorize page a browser is sent to ({@code pinterest.authorize-url}): {@code http://127.0.0.1:PORT/oauth/}. */
    public String authorizeUrl() {
        return "http://127.0.0.1:" + port() + "/oauth/";
    }

    /** The token endpoint ({@code pinterest.token-url}). */
    public String tokenUrl() {
        return baseUrl() + "/oauth/token";
    }

    /**
     * Makes the next {@code calls} requests to bearer-authenticated endpoints answer 401 code 2 whatever token they
     * carry, as when Pinterest revokes or expires a token early; 0 ends it.
     */
    public void failNextAuthenticatedCalls(int calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("Calls must not be negative");
        }
        oauth.answerUnauthorized(calls);
    }

    /**
     * Every access token the token endpoint issued expires now (401 code 2 from then on); the refresh tokens still
     * work, so a client that refreshes goes on.
     */
    public void expireAccessTokens() {
        oauth.expireAccessTokens();
    }

    /** Access and refresh tokens the token endpoint issued so far (one pair per successful grant). */
    public int tokensIssued() {
        return oauth.tokensIssued();
    }

    /**
     * Sets an audience's {@code size} (and the status that goes with it) as if Pinterest had computed it, until the
     * emulator's next update of it (its list's next write, once the size delay has passed) replaces it.
     */
    public void reportAudienceSize(String audienceId, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("Size must not be negative");
        }
        store.reportAudienceSize(audienceId, size);
    }

    /**
     * Makes every pending update now, as if the size delay had passed for all: lists' counters and statuses,
     * audiences' sizes and statuses ({@code POST /_emulator/settle}).
     */
    public void settle() {
        store.settle(null);
    }

    /** Lets {@code time} pass for the pending updates: those due by then are made, the others come that much nearer. */
    public void passTime(Duration time) {
        if (time.isNegative()) {
            throw new IllegalArgumentException("Time passes forward only");
        }
        store.settle(time);
    }

    /** Whether the emulated Pinterest has an account for this wire value ({@link Matching}). */
    public static boolean hasPinterestAccount(String wireValue) {
        return Matching.matched(wireValue);
    }

    /** The ad accounts it serves, id to name, ascending by id. */
    public Map<String, String> adAccounts() {
        Map<String, String> ascending = new TreeMap<>(Comparator.comparingLong(Long::parseLong));
        ascending.putAll(adAccounts);
        return Collections.unmodifiableMap(ascending);
    }

    /**
     * Stops at once: requests still running are cut off. With a data directory, what changed since its last write
     * is written. Safe to call more than once.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
            if (dataDir != null) {
                dataDir.close();
            }
            store.close();
        }
    }

    /** Current members of a list, sorted; a copy. */
    public Set<String> members(String customerListId) {
        return Collections.unmodifiableSortedSet(store.members(customerListId)
                .orElseThrow(() -> new IllegalArgumentException("No customer list " + customerListId)));
    }

    /** Faults to inject into the next calls: throttling, errors, hangs, dropped connections, refused records. */
    public Faults faults() {
        return api.faults();
    }

    /** Every value ever removed from the list (a REMOVE of a value that was not there counts too). */
    public Set<String> removedValues(String customerListId) {
        return Collections.unmodifiableSet(store.removedValues(customerListId));
    }

    /** Every list of every ad account, ascending by id. */
    public List<EmulatorList> customerLists() {
        return store.lists(null);
    }

    /** Every audience of every ad account, ascending by id. */
    public List<EmulatorAudience> audiences() {
        return store.audiences(null);
    }

    /** Every request answered so far, in the order the answers were decided. */
    public List<RecordedCall> calls() {
        return api.calls();
    }

    /** POST and PATCH requests to customer list and audience paths, whatever their answer was. */
    public long writeCalls() {
        return api.writeCalls();
    }

    /**
     * Writes refused with 429 code 8 because another write to the same list was still in flight: a client that does
     * not serialize its writes. Overlaps with a write answered late are counted in {@code lateWriteOverlaps()}.
     */
    public int concurrentWriteViolations() {
        return api.concurrentWriteViolations();
    }

    /**
     * Writes refused with 429 code 8 because they overlapped a write the emulator answered late (a slow-write fault):
     * its client may have given up on it and moved on, so these are not {@link #concurrentWriteViolations()}.
     */
    int lateWriteOverlaps() {
        return api.lateWriteOverlaps();
    }

    /** List writes now holding their in-flight mark; lets tests overlap writes without guessing timings. */
    int writesInFlight() {
        return api.writesInFlight();
    }

    /**
     * Creates a list directly, as if made earlier through the API (one batch, every member uploaded once).
     * Members must pass the same checks as {@code records}; unlike the API, an empty list is allowed.
     *
     * @return the new list's id
     */
    public String seedCustomerList(String adAccountId, String name, String listType, Collection<String> members) {
        requireKnownAccount(adAccountId);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Name must not be blank");
        }
        ListType type = ListType.parse(listType);
        if (type == null) {
            throw new IllegalArgumentException("List type must be one of " + ListType.NAMES);
        }
        List<String> values = List.copyOf(members);
        for (int i = 0; i < values.size(); i++) {
            String problem = values.get(i).isEmpty() ? "is empty" : Records.problem(values.get(i), type);
            if (problem != null) {
                throw new IllegalArgumentException("members[" + i + "] " + problem);
            }
        }
        return store.createList(adAccountId, name, type, values).id();
    }

    /**
     * Creates a CUSTOMER_LIST audience directly over a list of the same ad account.
     *
     * @return the new audience's id
     */
    public String seedAudience(String adAccountId, String name, String customerListId) {
        requireKnownAccount(adAccountId);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Name must not be blank");
        }
        if (store.list(adAccountId, customerListId).isEmpty()) {
            throw new IllegalArgumentException("No customer list " + customerListId + " in ad account " + adAccountId);
        }
        return store.createAudience(adAccountId, name, customerListId, null).id();
    }

    private void requireKnownAccount(String adAccountId) {
        if (!adAccounts.containsKey(adAccountId)) {
            throw new IllegalArgumentException("Ad account " + adAccountId + " is not one the emulator serves");
        }
    }

    /** Options for {@link PinterestEmulator}; token and account options add to a set when repeated. */
    public static final class Builder {

        private int port;
        private final Set<String> accessTokens = new LinkedHashSet<>();
        private final Map<String, String> adAccounts = new LinkedHashMap<>();
        private int maxRecordsPerRequest = DEFAULT_MAX_RECORDS_PER_REQUEST;
        private Duration writeDelay = Duration.ZERO;
        private String clientId = DEFAULT_CLIENT_ID;
        private String clientSecret = DEFAULT_CLIENT_SECRET;
        private Duration accessTokenLifetime = DEFAULT_ACCESS_TOKEN_LIFETIME;
        private Duration refreshTokenLifetime = DEFAULT_REFRESH_TOKEN_LIFETIME;
        private boolean compactMembership;
        private Duration sizeDelay = DEFAULT_SIZE_DELAY;
        private Path dataDir;

        private Builder() {
        }

        /** Port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Port must be 0-65535");
            }
            this.port = port;
            return this;
        }

        /**
         * Accepts this bearer token, which never expires, besides those the token endpoint issues; call again to
         * accept several. Without any call: "emulator-token".
         */
        public Builder accessToken(String token) {
            if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("Access token must be non-empty and without whitespace");
            }
            accessTokens.add(token);
            return this;
        }

        /**
         * Serves this ad account, named "Emulated ad account ID"; call again to serve several. Without any call (of
         * this or {@link #adAccount}): "549755885175".
         */
        public Builder adAccountId(String adAccountId) {
            return adAccount(adAccountId, "Emulated ad account " + adAccountId);
        }

        /** Serves this ad account with this name; call again to serve several. Every token can use every one. */
        public Builder adAccount(String adAccountId, String name) {
            if (adAccountId == null || !ApiHandler.ID.matcher(adAccountId).matches()) {
                throw new IllegalArgumentException("Ad account id must be 1-18 digits");
            }
            if (name == null || name.isBlank() || name.length() > 256) {
                throw new IllegalArgumentException("Ad account name must be 1-256 characters, not blank");
            }
            adAccounts.put(adAccountId, name);
            return this;
        }

        /** The app's id and secret the token endpoint checks (HTTP Basic) and the authorize page knows. */
        public Builder clientCredentials(String id, String secret) {
            if (id == null || id.isBlank() || id.contains(":") || secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("Client id and secret must be non-empty; the id must not contain ':'");
            }
            this.clientId = id;
            this.clientSecret = secret;
            return this;
        }

        /** How long access tokens from the token endpoint work ({@code expires_in}); at least a second. Default 30 days. */
        public Builder accessTokenLifetime(Duration lifetime) {
            this.accessTokenLifetime = atLeastASecond(lifetime);
            return this;
        }

        /** How long refresh tokens from the token endpoint work; at least a second. Default 60 days. */
        public Builder refreshTokenLifetime(Duration lifetime) {
            this.refreshTokenLifetime = atLeastASecond(lifetime);
            return this;
        }

        private static Duration atLeastASecond(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("Token lifetimes are whole seconds on the wire: at least 1 second");
            }
            return lifetime;
        }

        /** Larger {@code records} values are refused with 400 (Pinterest states no limit). */
        public Builder maxRecordsPerRequest(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("Max records per request must be at least 1");
            }
            this.maxRecordsPerRequest = max;
            return this;
        }

        /**
         * Makes every successful write wait this long before it applies, still holding its in-flight
         * mark, so tests can provoke overlapping writes and client timeouts. Default zero.
         */
        public Builder writeDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("Write delay must not be negative");
            }
            this.writeDelay = delay;
            return this;
        }

        /**
         * Keeps only a 64-bit fingerprint of each member, and no record of removed values: for benchmarks with
         * millions of members. Member counts stay exact (but for fingerprint collisions, about 1 in 10^5 at 10^7
         * members); {@link #members} and {@link #removedValues} are then not available.
         */
        public Builder compactMembership(boolean compact) {
            this.compactMembership = compact;
            return this;
        }

        /**
         * How long after a list's last write Pinterest's update of it comes: its counters, its status (PROCESSING
         * until then, then READY or TOO_SMALL) and the size of the audiences over it; and after an audience's
         * creation, its first size. Pinterest takes 24-48 hours. Default zero: every answer is up to date.
         */
        public Builder sizeDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("Size delay must not be negative");
            }
            this.sizeDelay = delay;
            return this;
        }

        /**
         * Keeps lists, audiences and members in this directory ({@value DataDir#FILE}), loaded at start and written
         * once a second when changed and at {@link #close()}. Not with compact membership, which keeps no values.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Binds and starts serving; fails with UncheckedIOException when the port is taken (its cause a
         * BindException) or the data directory cannot be used, IllegalStateException when another emulator uses it
         * or its file cannot be read.
         */
        public PinterestEmulator start() {
            if (dataDir != null && compactMembership) {
                throw new IllegalArgumentException("A data directory keeps member values; compact membership keeps "
                        + "only fingerprints: use one or the other");
            }
            Set<String> tokens = accessTokens.isEmpty() ? Set.of(DEFAULT_ACCESS_TOKEN) : Set.copyOf(accessTokens);
            Map<String, String> accounts = adAccounts.isEmpty()
                    ? Map.of(DEFAULT_AD_ACCOUNT_ID, "Emulated ad account " + DEFAULT_AD_ACCOUNT_ID) : Map.copyOf(adAccounts);
            Store store = new Store(compactMembership, sizeDelay);
            OAuthServer oauth = new OAuthServer(clientId, clientSecret, tokens, accessTokenLifetime, refreshTokenLifetime);
            ApiHandler api = new ApiHandler(store, oauth, accounts, maxRecordsPerRequest, writeDelay);
            // The JDK server writes headers and body separately; with Nagle on, every answer then waits
            // ~40 ms for a delayed ACK. The flag is read once per JVM, so respect a value set elsewhere.
            if (System.getProperty("sun.net.httpserver.nodelay") == null) {
                System.setProperty("sun.net.httpserver.nodelay", "true");
            }
            // Loaded before the port is bound: a server bound but never started keeps its port until the JVM ends.
            DataDir data;
            try {
                data = dataDir == null ? null : DataDir.open(dataDir, store);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            HttpServer server;
            try {
                InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
                server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
            } catch (IOException e) {
                if (data != null) {
                    data.close();
                }
                store.close();
                throw new UncheckedIOException("Cannot bind the Pinterest emulator to 127.0.0.1:" + port, e);
            }
            AtomicInteger threadNumber = new AtomicInteger();
            // Small: a sync talks to one list at a time. Daemon: a handler cut off by close() must not hold the JVM.
            ExecutorService executor = Executors.newFixedThreadPool(4, task -> {
                Thread t = new Thread(task, "pinterest-emulator-" + threadNumber.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", api);
            server.start();
            return new PinterestEmulator(server, executor, store, api, oauth, accounts, data);
        }
    }
}
