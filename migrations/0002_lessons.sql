-- Sandboxes may start from a preset; learners' progress through lessons.

ALTER TABLE sessions ADD COLUMN preset TEXT NOT NULL DEFAULT '';

-- One row per learner and lesson. A learner is the random id in the
-- browser's podplay-learner cookie (no account needed). The session is
-- the lesson's cluster; resetting the lesson points the row at a new one.
CREATE TABLE progress (
  learner    TEXT NOT NULL,
  lesson     TEXT NOT NULL,
  session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
  step       INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),        -- index of the current step
  steps_done INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
  steps      INTEGER NOT NULL CHECK (steps >= 1),
  complete   INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  hints_used INTEGER NOT NULL DEFAULT 0 CHECK (hints_used >= 0),
  spent_ns   INTEGER NOT NULL DEFAULT 0 CHECK (spent_ns >= 0),    -- active time on the lesson
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (learner, lesson)
) STRICT;

CREATE INDEX progress_by_session ON progress (session_id);
