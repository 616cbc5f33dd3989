-- Native experiment metrics measured on the serving path (docs/experimentation.md): per experiment, phase and arm, each
-- process's cumulative requests, failures and KLL latency sketch (a NumericProfile as JSON); results merge the replicas' rows.
CREATE TABLE experiment_serving (
    experiment_id TEXT NOT NULL,
    phase         INTEGER NOT NULL,
    arm           INTEGER NOT NULL,
    replica       TEXT NOT NULL,
    requests      BIGINT NOT NULL,
    failures      BIGINT NOT NULL,
    latency       TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, phase, arm, replica)
);
