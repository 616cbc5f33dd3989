-- Foundation schema: API keys and the hash-chained audit log.
-- Times are Unix epoch milliseconds (UTC) in BIGINT columns on both engines, so one query text serves both.

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    secret_hash   TEXT NOT NULL UNIQUE,
    roles         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT,
    expires_at    BIGINT,
    revoked_at    BIGINT,
    revoked_by    TEXT,
    revoke_reason TEXT
);
CREATE UNIQUE INDEX ux_api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_key_id   TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    actor_roles    TEXT NOT NULL,
    action         TEXT NOT NULL,
    target         TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    details        TEXT NOT NULL,
    details_digest TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX ix_audit_actor ON audit_log (actor_key_id, seq);
CREATE INDEX ix_audit_action ON audit_log (action, seq);
CREATE INDEX ix_audit_target ON audit_log (target, seq);
CREATE INDEX ix_audit_at ON audit_log (at, seq);

-- Append-only: the application never updates or deletes audit rows. This trigger stops accidents;
-- the hash chain catches anyone who drops it first.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
