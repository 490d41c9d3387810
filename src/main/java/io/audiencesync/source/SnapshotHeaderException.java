package io.audiencesync.source;

import io.audiencesync.config.ConfigException;

/**
 * A CSV file that these settings cannot read at all: its header lacks a mapped column, names one twice, or is
 * written with another delimiter. Found before any row is read, so the run stops before it calls Pinterest; the
 * message says which setting or which part of the export to change.
 */
public final class SnapshotHeaderException extends ConfigException {

    SnapshotHeaderException(String message) {
        super("sync.identifiers", message, true);
    }
}
