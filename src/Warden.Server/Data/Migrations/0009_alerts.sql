-- Alerts: rules on monitoring metrics, the alerts they raise (firing → acknowledged → resolved), and per-feature
-- importance of a version (permutation importance on its reference data) for root-cause ranking.
ALTER TABLE reference_profiles ADD COLUMN importance TEXT;
-- A sample of the reference's numeric rows (up to 5,000), to fit the multivariate (PCA reconstruction) drift detector.
ALTER TABLE reference_profiles ADD COLUMN numeric_sample TEXT;

CREATE TABLE alert_rules (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    model          TEXT NOT NULL,
    metric         TEXT NOT NULL,
    comparison     TEXT NOT NULL,
    threshold      DOUBLE PRECISION NOT NULL,
    feature        TEXT,
    version        INTEGER,
    alias          TEXT NOT NULL,
    consecutive    INTEGER NOT NULL,
    minimum_sample BIGINT NOT NULL,
    action         TEXT NOT NULL,
    webhook        TEXT,
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    deleted_at     BIGINT
);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    rule_id         TEXT NOT NULL REFERENCES alert_rules (id),
    model           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    metric          TEXT NOT NULL,
    feature         TEXT,
    value           DOUBLE PRECISION NOT NULL,
    threshold       DOUBLE PRECISION NOT NULL,
    comparison      TEXT NOT NULL,
    state           TEXT NOT NULL,
    fired_at        BIGINT NOT NULL,
    window_start    BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    resolved_at     BIGINT,
    action          TEXT,
    action_result   TEXT,
    root_cause      TEXT NOT NULL
);

CREATE INDEX alerts_by_state ON alerts (state, fired_at);
CREATE INDEX alerts_by_rule ON alerts (rule_id, version, state);
