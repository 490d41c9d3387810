package io.audiencesync.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one raw cell into the value Pinterest receives, following the published normalization table
 * (README). Pure and thread-safe; the only state is a per-thread SHA-256 digest.
 */
public final class Normalizer {

    static final int MAX_LENGTH = 256;
    private static final String ZERO_UUID = "00000000-0000-0000-0000-000000000000";
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** The HTML living standard's "valid email address", on an already lowercased value. */
    private static final Pattern EMAIL = Pattern.compile(
            "[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> digest("SHA-256"));
    private static final String ZERO_DIGITS = ZERO_UUID.replace("-", "");
    /** The digests of the zero device id, dashed and dashless: a pre-hashed "tracking disabled" id is still no one. */
    private static final Set<String> ZERO_DEVICE_DIGESTS = Set.of(
            hex("MD5", ZERO_UUID), hex("SHA-1", ZERO_UUID), hex("SHA-256", ZERO_UUID),
            hex("MD5", ZERO_DIGITS), hex("SHA-1", ZERO_DIGITS), hex("SHA-256", ZERO_DIGITS));

    private final boolean piiHashing;
    private final boolean hashEmails;
    private final DeviceIdDigits deviceIdDigits;

    /**
     * @param piiHashing SHA-256 hash MAID and IDFA values (and emails, when {@code hashEmails}); when off,
     *                   device ids must arrive pre-hashed
     * @param hashEmails hash plain emails too (applies only when {@code piiHashing} is on)
     */
    public Normalizer(boolean piiHashing, boolean hashEmails) {
        this(piiHashing, hashEmails, DeviceIdDigits.REFUSE);
    }

    /** @param deviceIdDigits what a MAID or IDFA of 32 hex digits is ({@code sync.device-id-32-hex}) */
    public Normalizer(boolean piiHashing, boolean hashEmails, DeviceIdDigits deviceIdDigits) {
        this.piiHashing = piiHashing;
        this.hashEmails = hashEmails;
        this.deviceIdDigits = deviceIdDigits;
    }

    public Identifier normalize(IdentifierType type, String raw) {
        if (raw == null) {
            return Identifier.EMPTY;
        }
        String value = raw.strip();
        if (value.isEmpty()) {
            return Identifier.EMPTY;
        }
        if (value.length() > MAX_LENGTH) {
            return reject(type, RejectReason.TOO_LONG, value);
        }
        return switch (type) {
            case EMAIL -> email(value);
            case MAID, IDFA -> deviceId(type, value);
            case LR_ID, DLX_ID, HASHED_PINNER_ID -> hasUnsafeCharacter(value, false)
                    ? reject(type, RejectReason.UNSAFE_CHARACTER, value)
                    : new Identifier.Wire(type, value);
        };
    }

    private Identifier email(String value) {
        boolean hashed = piiHashing && hashEmails;
        // An apostrophe is legal in an email and harmless once hashed; on the wire as it is, it is not.
        if (hasUnsafeCharacter(value, hashed)) {
            return reject(IdentifierType.EMAIL, RejectReason.UNSAFE_CHARACTER, value);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (isHexDigest(lower)) {
            return new Identifier.Wire(IdentifierType.EMAIL, lower);
        }
        if (!EMAIL.matcher(lower).matches()) {
            return reject(IdentifierType.EMAIL, RejectReason.INVALID_EMAIL, value);
        }
        return new Identifier.Wire(IdentifierType.EMAIL, hashed ? sha256(lower) : lower);
    }

    private Identifier deviceId(IdentifierType type, String value) {
        if (hasUnsafeCharacter(value, false)) {
            return reject(type, RejectReason.UNSAFE_CHARACTER, value);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (isZeroDeviceId(lower)) {
            return reject(type, RejectReason.ZERO_DEVICE_ID, value);
        }
        if (lower.length() == 32 && isHexDigest(lower)) {
            switch (deviceIdDigits) {
                case REFUSE:
                    return reject(type, RejectReason.AMBIGUOUS_DEVICE_ID, value);
                case MD5:
                    return new Identifier.Wire(type, lower);
                case RAW:
                    lower = lower.substring(0, 8) + "-" + lower.substring(8, 12) + "-" + lower.substring(12, 16) + "-"
                            + lower.substring(16, 20) + "-" + lower.substring(20);
                    break;
                default:
                    throw new IllegalStateException(deviceIdDigits.name());
            }
        } else if (isHexDigest(lower)) {
            return new Identifier.Wire(type, lower);
        }
        if (!UUID.matcher(lower).matches()) {
            return reject(type, RejectReason.INVALID_DEVICE_ID, value);
        }
        if (!piiHashing) {
            return reject(type, RejectReason.MUST_BE_HASHED, value);
        }
        return new Identifier.Wire(type, sha256(lower));
    }

    /**
     * True for a hex MD5, SHA-1 or SHA-256 digest (32, 40 or 64 hex digits), in either case. ASCII digits and letters
     * only: look-alikes such as Arabic-Indic or fullwidth digits are no digest, and Pinterest would refuse them.
     */
    public static boolean isHexDigest(String value) {
        int n = value.length();
        if (n != 32 && n != 40 && n != 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** The zero device id however written: dashed or not, any number of zeros a digest has, or its digests. */
    private static boolean isZeroDeviceId(String lower) {
        if (ZERO_DEVICE_DIGESTS.contains(lower)) {
            return true;
        }
        boolean zeros = !lower.isEmpty();
        int digits = 0;
        for (int i = 0; i < lower.length() && zeros; i++) {
            char c = lower.charAt(i);
            if (c == '0') {
                digits++;
            } else if (c != '-') {
                zeros = false;
            }
        }
        return zeros && (digits == 32 || digits == 40 || digits == 64);
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes. */
    public static String sha256(String value) {
        MessageDigest md = SHA256.get();
        return HEX.formatHex(md.digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean hasUnsafeCharacter(String value, boolean allowApostrophe) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || (c == '\'' && !allowApostrophe)
                    || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                return true;
            }
        }
        return false;
    }

    private static Identifier reject(IdentifierType type, RejectReason reason, String value) {
        return new Identifier.Rejected(type, reason, Redactor.redact(value));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the JVM specification", e);
        }
    }

    private static String hex(String algorithm, String value) {
        return HEX.formatHex(digest(algorithm).digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
