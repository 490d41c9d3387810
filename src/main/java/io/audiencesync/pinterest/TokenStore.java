package io.audiencesync.pinterest;

import java.util.function.Supplier;

/**
 * Where the Pinterest tokens are kept and refreshed: the token file ({@link TokenFile}, {@code state.store=file}) or
 * the PostgreSQL store's {@code token} table ({@code state.store=postgres}), which replicas without a shared volume
 * share. Every refresh happens under its lock, so two processes never spend the same rotating refresh token.
 */
public interface TokenStore {

    /** Where the tokens are, for messages: the file's path, or the table. */
    String where();

    boolean exists();

    /**
     * The tokens kept.
     *
     * @throws TokenStoreException when there are none or they cannot be read (the message holds no token)
     */
    StoredToken load();

    /** Replaces the tokens kept, at once and durably. */
    void save(StoredToken token);

    /** Runs {@code work} holding the lock every process using these tokens respects (a refresh re-reads under it). */
    <T> T whileLocked(Supplier<T> work);
}
