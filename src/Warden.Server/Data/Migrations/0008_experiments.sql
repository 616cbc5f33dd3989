-- Experiments: A/B tests and bandits between approved versions of a model (docs/experimentation.md).
CREATE TABLE experiments (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    model_id          TEXT NOT NULL REFERENCES models (id),
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    definition        TEXT NOT NULL,
    phase             INTEGER NOT NULL,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL,
    created_by_name   TEXT NOT NULL,
    created_by_person TEXT NOT NULL,
    started_at        BIGINT,
    stopped_at        BIGINT,
    stop_reason       TEXT,
    concluded_at      BIGINT,
    conclusion        TEXT,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX experiments_model ON experiments (model_id, status);

-- Phases: arms, weights, coverage and seed; a new phase never moves assigned units unless it is reseeded (new epoch).
CREATE TABLE experiment_phases (
    experiment_id TEXT NOT NULL REFERENCES experiments (id),
    phase         INTEGER NOT NULL,
    epoch         INTEGER NOT NULL,
    started_at    BIGINT NOT NULL,
    seed          TEXT NOT NULL,
    coverage      DOUBLE PRECISION NOT NULL,
    arms          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    PRIMARY KEY (experiment_id, phase)
);

-- First exposure of a unit within an epoch (sticky assignment): the arm it got, in which phase and bandit period.
CREATE TABLE experiment_exposures (
    experiment_id TEXT NOT NULL,
    epoch         INTEGER NOT NULL,
    unit_id       TEXT NOT NULL,
    phase         INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    arm           INTEGER NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, epoch, unit_id)
);
CREATE INDEX experiment_exposures_phase ON experiment_exposures (experiment_id, phase);

-- Outcomes of units (feedback values named by the experiment's metrics), one row per feedback event and value name.
CREATE TABLE experiment_observations (
    experiment_id TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    at            BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, event_id, name)
);
CREATE INDEX experiment_observations_unit ON experiment_observations (experiment_id, unit_id);

-- Bandit allocation history: the weights of each period.
CREATE TABLE experiment_allocations (
    experiment_id    TEXT NOT NULL REFERENCES experiments (id),
    period           INTEGER NOT NULL,
    at               BIGINT NOT NULL,
    weights          TEXT NOT NULL,
    probability_best TEXT,
    reason           TEXT NOT NULL,
    PRIMARY KEY (experiment_id, period)
);

-- Promotion proposals from experiments, decided by an approver who is not the proposer.
CREATE TABLE promotion_proposals (
    id                  TEXT PRIMARY KEY,
    experiment_id       TEXT NOT NULL REFERENCES experiments (id),
    version             INTEGER NOT NULL,
    alias               TEXT NOT NULL,
    status              TEXT NOT NULL,
    evidence            TEXT NOT NULL,
    proposed_at         BIGINT NOT NULL,
    proposed_by_name    TEXT NOT NULL,
    proposed_by_person  TEXT NOT NULL,
    decided_at          BIGINT,
    decided_by_name     TEXT,
    decided_by_person   TEXT,
    comment             TEXT
);
