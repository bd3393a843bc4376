-- One schema for SQLite and PostgreSQL: types both know, keys both name.
CREATE TABLE links (
    slug TEXT NOT NULL,
    target TEXT NOT NULL,
    visits BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    -- The client's key of the request that made the link, so that a retry
    -- finds the link it made instead of making another.
    idempotency_key TEXT,
    CONSTRAINT links_slug PRIMARY KEY (slug),
    CONSTRAINT links_idempotency_key UNIQUE (idempotency_key)
);

CREATE INDEX links_created ON links (created_ms);

CREATE TABLE tags (
    slug TEXT NOT NULL REFERENCES links (slug) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (slug, tag)
);

CREATE INDEX tags_tag ON tags (tag, slug);
