-- Monitoring: the reference profile of a version (computed once from its training or validation data).
CREATE TABLE reference_profiles (
    version_id TEXT PRIMARY KEY REFERENCES model_versions (id),
    row_count  BIGINT NOT NULL,
    profiles   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
