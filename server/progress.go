package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Progress is one learner's progress through one lesson.
type Progress struct {
	Learner, Lesson string
	// SessionID is the lesson's cluster ("" once that session is gone).
	SessionID        string
	Step, StepsDone  int
	Steps            int
	Complete         bool
	HintsUsed        int
	Spent            time.Duration
	Started, Updated time.Time
}

// StartLesson records that a learner starts (or starts over) a lesson on
// a new session: the counters go back to zero.
func (s *Store) StartLesson(ctx context.Context, learner, lesson, sessionID string, steps int, now time.Time) error {
	_, err := s.w.ExecContext(ctx,
		`INSERT INTO progress (learner, lesson, session_id, steps, started_at, updated_at)
		 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
		 ON CONFLICT (learner, lesson) DO UPDATE SET session_id = ?3, steps = ?4, step = 0, steps_done = 0,
		   complete = 0, hints_used = 0, spent_ns = 0, started_at = ?5, updated_at = ?5`,
		learner, lesson, sessionID, steps, fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: start lesson %q for %q: %w", lesson, learner, err)
	}
	return nil
}

// ProgressUpdate is what a lesson's session reports as the learner works.
type ProgressUpdate struct {
	Step, StepsDone int
	Complete        bool
	// Hints and Spent are added to the totals.
	Hints int
	Spent time.Duration
}

// SaveProgress updates the progress kept for a lesson's session. Steps
// done never go down (a replayed tracker may lag behind what was seen
// live); a session that is nobody's lesson changes nothing.
func (s *Store) SaveProgress(ctx context.Context, sessionID string, u ProgressUpdate, now time.Time) error {
	_, err := s.w.ExecContext(ctx,
		`UPDATE progress SET step = max(step, ?2), steps_done = max(steps_done, ?3), complete = max(complete, ?4),
		   hints_used = hints_used + ?5, spent_ns = spent_ns + ?6, updated_at = ?7
		 WHERE session_id = ?1`,
		sessionID, u.Step, u.StepsDone, u.Complete, u.Hints, int64(u.Spent), fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: save progress of session %q: %w", sessionID, err)
	}
	return nil
}

const progressColumns = `learner, lesson, coalesce(session_id, ''), step, steps_done, steps, complete, hints_used, spent_ns, started_at, updated_at`

func scanProgress(row interface{ Scan(...any) error }) (Progress, error) {
	var p Progress
	var spent int64
	var started, updated string
	if err := row.Scan(&p.Learner, &p.Lesson, &p.SessionID, &p.Step, &p.StepsDone, &p.Steps, &p.Complete,
		&p.HintsUsed, &spent, &started, &updated); err != nil {
		return p, err
	}
	p.Spent = time.Duration(spent)
	var err error
	if p.Started, err = parseTime(started); err != nil {
		return p, err
	}
	p.Updated, err = parseTime(updated)
	return p, err
}

// LessonProgress returns a learner's progress through one lesson, or an
// error wrapping ErrNotFound if they have not started it.
func (s *Store) LessonProgress(ctx context.Context, learner, lesson string) (Progress, error) {
	p, err := scanProgress(s.r.QueryRowContext(ctx,
		`SELECT `+progressColumns+` FROM progress WHERE learner = ? AND lesson = ?`, learner, lesson))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Progress{}, fmt.Errorf("store: progress of %q in %q: %w", learner, lesson, err)
	}
	return p, nil
}

// LearnerProgress returns a learner's progress in every lesson begun, by
// lesson id.
func (s *Store) LearnerProgress(ctx context.Context, learner string) (map[string]Progress, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+progressColumns+` FROM progress WHERE learner = ?`, learner)
	if err != nil {
		return nil, fmt.Errorf("store: progress of %q: %w", learner, err)
	}
	defer rows.Close()
	out := map[string]Progress{}
	for rows.Next() {
		p, err := scanProgress(rows)
		if err != nil {
			return nil, fmt.Errorf("store: progress of %q: %w", learner, err)
		}
		out[p.Lesson] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: progress of %q: %w", learner, err)
	}
	return out, nil
}
