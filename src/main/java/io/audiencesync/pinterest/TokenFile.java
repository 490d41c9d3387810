package io.audiencesync.pinterest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The token file ({@code pinterest.token-file}): JSON with {@code access_token}, {@code refresh_token},
 * {@code expires_at}, {@code refresh_token_expires_at}, {@code scope}, {@code ad_account_id}. It is written
 * through a temporary file in the same directory renamed over it atomically, so a crash never leaves half a
 * token, and on POSIX file systems both are created owner-only (rw-------), never widened and narrowed later.
 */
public final class TokenFile implements TokenStore {

    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    /** FileChannel locks are per process; this keeps two providers of one JVM from overlapping too. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path file;

    public TokenFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path path() {
        return file;
    }

    @Override
    public String where() {
        return file.toString();
    }

    @Override
    public boolean exists() {
        return Files.exists(file);
    }

    /** Reads the file; a damaged one is named with the position of the damage only (it holds tokens). */
    @Override
    public StoredToken load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TokenStoreException("cannot read the token file " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
        warnWhenOthersCanRead();
        return parse(bytes, "the token file " + file);
    }

    /**
     * Tokens from their JSON, as kept in a token file or the PostgreSQL store; damage is named with its position only
     * (the content holds tokens).
     *
     * @param where what held them, for the message
     */
    public static StoredToken parse(byte[] bytes, String where) {
        try {
            StoredToken token = JSON.readValue(bytes, StoredToken.class);
            if (token == null) {
                throw new TokenStoreException(where + " is empty; run auth again", null);
            }
            return token;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            // Jackson's own message can quote the content, i.e. a token: give the position only.
            throw new TokenStoreException(where + " is not a token this tool wrote"
                    + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + "; run auth again to rewrite it", null);
        } catch (IOException e) {
            throw new TokenStoreException("cannot read " + where + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** The JSON of the tokens, as {@link #parse} reads it. */
    public static byte[] json(StoredToken token) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(token);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the tokens (" + e.getClass().getSimpleName() + ")", null);
        }
    }

    /** Replaces the file atomically with {@code token}; the new file is owner-only from the moment it exists. */
    @Override
    public void save(StoredToken token) {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            byte[] bytes = json(token);
            tmp = posix(dir) ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ownerOnly())
                    : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new TokenStoreException("cannot write the token file " + file + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is the one worth reporting
                }
            }
        }
    }

    /**
     * Runs {@code work} holding a lock other processes using the same token file respect, so two processes never
     * refresh at once: with rotating refresh tokens, the second refresh would spend a token the first one
     * already replaced.
     */
    @Override
    public <T> T whileLocked(Supplier<T> work) {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        jvmLock.lock();
        try {
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            Files.createDirectories(file.getParent());
            createOwnerOnly(lockFile);
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return work.get();
            }
        } catch (IOException e) {
            throw new TokenStoreException("cannot lock the token file " + file + " (" + e.getClass().getSimpleName() + ")", e);
        } finally {
            jvmLock.unlock();
        }
    }

    private static void createOwnerOnly(Path path) throws IOException {
        try {
            if (posix(path)) {
                Files.createFile(path, ownerOnly());
            } else {
                Files.createFile(path);
            }
        } catch (FileAlreadyExistsException ignored) {
            // made by an earlier refresh or another process
        }
    }

    private void warnWhenOthersCanRead() {
        if (!posix(file)) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions)) {
                LOG.warn("The token file {} can be read by others ({}); make it owner-only: chmod 600 {}", file,
                        PosixFilePermissions.toString(permissions), file);
            }
        } catch (IOException e) {
            LOG.debug("Cannot read the permissions of {}", file, e);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }

    @Override
    public String toString() {
        return "TokenFile[" + file + "]";
    }
}
