-- Monitoring: checkpoints of the per-window traffic profiles (feature and output sketches, schema violations, group
-- selection counts). Outcomes (performance, fairness confusion cells) are rebuilt from the event log at start.
-- One row per replica: replicas profile their own traffic and never overwrite each other's windows.
CREATE TABLE monitoring_windows (
    replica      TEXT NOT NULL,
    model        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    state        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (replica, model, version, window_start)
);
