-- Sessions persist by deterministic replay: a session is its seed plus the
-- list of inputs applied at given virtual times.

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY NOT NULL,
  seed       INTEGER NOT NULL,                         -- uint64 stored bit-for-bit as int64
  lesson     TEXT NOT NULL DEFAULT '',
  script     TEXT NOT NULL DEFAULT '',                 -- terminal script the session started from
  created_at TEXT NOT NULL,                            -- RFC 3339 UTC wall time, fixed 9-digit fraction
  updated_at TEXT NOT NULL,
  virtual_ns INTEGER NOT NULL DEFAULT 0 CHECK (virtual_ns >= 0) -- virtual time elapsed since the session's start
) STRICT;

CREATE TABLE session_inputs (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL CHECK (seq >= 1),        -- 1, 2, 3… per session
  at_ns      INTEGER NOT NULL CHECK (at_ns >= 0),      -- virtual time elapsed when the input was applied
  kind       TEXT NOT NULL CHECK (kind IN ('exec')),
  body       TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)
) STRICT, WITHOUT ROWID;
