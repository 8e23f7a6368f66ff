package io.tailaudit.server.rollup;

/**
 * How far ingest is behind, as the compactor needs to know: while a backlog is consumed it folds less often,
 * since a fold would slow the catching up. Ingest implements it, so rollup does not depend on ingest.
 */
public interface IngestBacklog {

    /** Records produced to the trace topic and not consumed yet; -1 when unknown. */
    long lagRecords();
}
