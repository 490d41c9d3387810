package io.audiencesync.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Pinterest-style pagination: {@code page_size}, {@code order} by id, and an opaque {@code bookmark}. */
final class Paging {

    static final int DEFAULT_PAGE_SIZE = 25;
    static final int MAX_PAGE_SIZE = 250;

    /** One page; {@code bookmark} is null on the last page. */
    record Slice<T>(List<T> items, String bookmark) {
    }

    private Paging() {
    }

    /**
     * Pages {@code ascending} (sorted by id). The bookmark encodes scope, order and offset, so a bookmark
     * replayed against another endpoint, ad account or order is refused rather than silently misread.
     */
    static <T> Slice<T> page(List<T> ascending, Map<String, String> query, String scope) {
        int pageSize = pageSize(query.get("page_size"));
        String order = query.getOrDefault("order", "ASCENDING");
        if (!order.equals("ASCENDING") && !order.equals("DESCENDING")) {
            throw ApiException.invalid("order must be ASCENDING or DESCENDING");
        }
        String prefix = scope + "|" + order + "|";
        String bookmark = query.get("bookmark");
        int from = bookmark == null ? 0 : offset(bookmark, prefix);
        List<T> ordered = ascending;
        if (order.equals("DESCENDING")) {
            ordered = new ArrayList<>(ascending);
            Collections.reverse(ordered);
        }
        from = Math.min(from, ordered.size());
        int to = Math.min(ordered.size(), from + pageSize);
        String next = to < ordered.size() ? encode(prefix + to) : null;
        return new Slice<>(List.copyOf(ordered.subList(from, to)), next);
    }

    private static int pageSize(String raw) {
        if (raw == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(raw);
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // falls through to the same answer as an out-of-range number
        }
        throw ApiException.invalid("page_size must be an integer from 1 to " + MAX_PAGE_SIZE);
    }

    private static int offset(String bookmark, String prefix) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(bookmark), StandardCharsets.UTF_8);
            if (decoded.startsWith(prefix)) {
                int offset = Integer.parseInt(decoded.substring(prefix.length()));
                if (offset > 0) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // not base64 or not a number (NumberFormatException is an IllegalArgumentException)
        }
        throw ApiException.invalid("bookmark is not one this endpoint issued for this ad account and order");
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
