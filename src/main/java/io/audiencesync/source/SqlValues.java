package io.audiencesync.source;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Struct;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a value a JDBC driver returned into the text of a cell. Text stays as it is; numbers are written
 * plainly (an integral number without decimals, never in exponent notation); a UUID in its canonical form;
 * dates, times and anything else the driver gives as an object (PostgreSQL's json, inet, citext...) as its
 * text. Binary, array and structured values have no text form an identifier could come from: they are
 * {@link #unsupported(Object) reported}, and the source fails the snapshot naming the column.
 */
final class SqlValues {

    /** Longer text cannot be an identifier (the normalizer rejects anything over 256 characters) and is not read. */
    static final int MAX_CLOB_CHARS = 65_536;

    private SqlValues() {
    }

    /** What kind of value this is when it cannot be a cell, or null when {@link #text(Object)} takes it. */
    static String unsupported(Object value) {
        if (value instanceof byte[] || value instanceof Blob) {
            return "binary (" + javaType(value) + ")";
        }
        if (value instanceof java.sql.Array || value instanceof Collection<?>
                || value != null && value.getClass().isArray() && !(value instanceof char[])) {
            return "an array (" + javaType(value) + ")";
        }
        if (value instanceof Struct || value instanceof Map<?, ?> || value instanceof Ref) {
            return "structured (" + javaType(value) + ")";
        }
        if (value instanceof SQLXML) {
            return "XML (" + javaType(value) + ")";
        }
        if (value instanceof RowId) {
            return "a row id (" + javaType(value) + ")";
        }
        try {
            if (value instanceof Clob clob && clob.length() > MAX_CLOB_CHARS) {
                return "a CLOB longer than " + MAX_CLOB_CHARS + " characters";
            }
        } catch (SQLException e) {
            return "a CLOB that could not be read (" + e.getMessage() + ")";
        }
        return null;
    }

    /** The cell for a value {@link #unsupported(Object)} accepts; SQL NULL is null, an empty cell. */
    static String text(Object value) throws SQLException {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof BigDecimal decimal) {
            return plain(decimal);
        }
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? d.toString() : plain(BigDecimal.valueOf(d));
        }
        if (value instanceof Float f) {
            // through its shortest decimal text: 0.1f is 0.1, not 0.100000001490116...
            return f.isNaN() || f.isInfinite() ? f.toString() : plain(new BigDecimal(f.toString()));
        }
        if (value instanceof UUID uuid) {
            return uuid.toString();
        }
        if (value instanceof Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        if (value instanceof char[] chars) {
            return new String(chars);
        }
        return value.toString();
    }

    private static String plain(BigDecimal decimal) {
        return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
    }

    private static String javaType(Object value) {
        return value.getClass().getSimpleName().isEmpty() ? value.getClass().getName() : value.getClass().getSimpleName();
    }
}
