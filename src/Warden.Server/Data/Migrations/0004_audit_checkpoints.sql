-- Signed checkpoints of the audit log's RFC 6962 Merkle tree (leaf i = the hash of audit record i).
CREATE TABLE audit_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root      TEXT NOT NULL,
    note      TEXT NOT NULL,
    at        BIGINT NOT NULL
);
