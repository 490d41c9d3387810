package io.audiencesync.routes;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

import java.util.Set;

/**
 * The headers a Pinterest request may carry: only those {@link PinterestCalls#request} sets. No Camel header, no
 * header a source route or a caller put on the exchange (a CSV file name, a JDBC row count) reaches the wire.
 * Every answer header is read (the request id, Retry-After).
 */
public final class PinterestHeaders implements HeaderFilterStrategy {

    private static final Set<String> SENT = Set.of("authorization", "accept", "user-agent");

    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return !SENT.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return false;
    }
}
