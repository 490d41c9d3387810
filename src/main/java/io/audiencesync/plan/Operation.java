package io.audiencesync.plan;

/** The two customer list updates, named as on the wire ({@code operation_type}). */
public enum Operation {
    ADD,
    REMOVE
}
