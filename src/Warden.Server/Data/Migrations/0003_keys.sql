-- Envelope encryption: data keys wrapped by a key-encryption key (KEK). Rotating the KEK rewraps these rows;
-- the data they protect is never re-encrypted. Destroying a row's key (crypto-shredding) makes its data unreadable.
CREATE TABLE data_keys (
    id           TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    kek_version  BIGINT NOT NULL,
    wrapped      TEXT,
    created_at   BIGINT NOT NULL,
    destroyed_at BIGINT
);
CREATE INDEX ix_data_keys_kek ON data_keys (kek_version);
