-- Traffic policy per model: weighted routes between aliases (canary) and shadow aliases.
CREATE TABLE traffic_policies (
    model_id   TEXT PRIMARY KEY REFERENCES models (id),
    policy     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
