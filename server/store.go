package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" database/sql driver

	"github.com/podplay/podplay/migrations"
)

// ErrNotFound reports that a session does not exist. Store methods wrap it;
// test with errors.Is.
var ErrNotFound = errors.New("not found")

// errBadSeq reports an AppendInput whose Seq is not the session's next one.
var errBadSeq = errors.New("input out of sequence")

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction, so stored
// times round-trip to the nanosecond and sort correctly as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// maxReaders bounds the reader pool.
const maxReaders = 4

// Store keeps podplay's data in SQLite: one writer connection, a pool of readers.
//
// The database runs in WAL mode with synchronous=NORMAL: a commit that has
// returned survives a crash of the process (not necessarily a power loss).
// All writes go through the single writer connection, whose transactions
// start with BEGIN IMMEDIATE, so writers queue in Go rather than failing
// with SQLITE_BUSY; readers never block the writer.
type Store struct {
	w *sql.DB // writer: exactly one connection
	r *sql.DB // readers: query_only connections
}

// SessionRecord is a session's row: enough, with its inputs, to replay it.
type SessionRecord struct {
	ID                     string
	Seed                   uint64
	Lesson, Preset, Script string
	Created, Updated       time.Time     // wall times; loaded back in UTC
	Virtual                time.Duration // virtual time elapsed since the session's start
}

// Input is one entry of a session's input log.
type Input struct {
	Seq        int64         // 1, 2, 3… per session
	At         time.Duration // virtual time elapsed when the input was applied
	Kind, Body string        // Kind is "exec"
}

// OpenStore opens (creating it and its directory if need be) the SQLite
// database at path and applies any pending migrations.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open %q: need a plain file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("store: create directory for %q: %w", path, err)
	}
	// A file: URI with an escaped path, so that no character of the path
	// (such as '?' or '#') is taken for part of the query.
	uri := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()

	w, err := sql.Open("sqlite3", uri+"?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=NORMAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open writer %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w}

	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	if mode != "wal" {
		s.Close()
		return nil, fmt.Errorf("store: open %q: journal_mode is %q, want wal (does the file system support it?)", path, mode)
	}
	if err := migrate(ctx, w, migrations.FS); err != nil {
		s.Close()
		return nil, err
	}

	// Readers are opened read-write but with query_only set: a mode=ro
	// connection cannot create the WAL index (-shm) file if it is missing.
	r, err := sql.Open("sqlite3", uri+"?_foreign_keys=on&_busy_timeout=5000&_synchronous=NORMAL&_query_only=on")
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open readers %q: %w", path, err)
	}
	r.SetMaxOpenConns(maxReaders)
	r.SetMaxIdleConns(maxReaders)
	s.r = r
	if err := r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open readers %q: %w", path, err)
	}
	return s, nil
}

// Close closes the database. Any checkpoint of the WAL happens here.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		if err := s.r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close readers: %w", err))
		}
	}
	if err := s.w.Close(); err != nil {
		errs = append(errs, fmt.Errorf("store: close writer: %w", err))
	}
	return errors.Join(errs...)
}

// Ping checks that the writer and a reader can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping reader: %w", err)
	}
	return nil
}

// CreateSession inserts a new session. It is an error if the ID exists.
// Zero Created or Updated times are set to now.
func (s *Store) CreateSession(ctx context.Context, r SessionRecord) error {
	if r.ID == "" {
		return errors.New("store: create session: empty id")
	}
	if r.Virtual < 0 {
		return fmt.Errorf("store: create session %q: negative virtual time %v", r.ID, r.Virtual)
	}
	now := time.Now()
	if r.Created.IsZero() {
		r.Created = now
	}
	if r.Updated.IsZero() {
		r.Updated = r.Created
	}
	_, err := s.w.ExecContext(ctx,
		`INSERT INTO sessions (id, seed, lesson, preset, script, created_at, updated_at, virtual_ns)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, int64(r.Seed), r.Lesson, r.Preset, r.Script, fmtTime(r.Created), fmtTime(r.Updated), int64(r.Virtual))
	if err != nil {
		return fmt.Errorf("store: create session %q: %w", r.ID, err)
	}
	return nil
}

// AppendInput appends in to the session's input log. in.Seq must be the
// next sequence number (1 for the first input); any other is an error. It
// returns an error wrapping ErrNotFound if the session does not exist.
// When it returns nil, the input is durable.
func (s *Store) AppendInput(ctx context.Context, sessionID string, in Input) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: append input %d to session %q: %w", in.Seq, sessionID, err)
		}
	}()
	if in.At < 0 {
		return fmt.Errorf("negative virtual time %v", in.At)
	}
	// One statement, so one implicit transaction: the insert happens only
	// if in.Seq is the session's next seq, and the primary key (session_id,
	// seq) backs that check.
	res, err := s.w.ExecContext(ctx,
		`INSERT INTO session_inputs (session_id, seq, at_ns, kind, body)
		 SELECT ?1, ?2, ?3, ?4, ?5
		 WHERE ?2 = (SELECT coalesce(max(seq), 0) + 1 FROM session_inputs WHERE session_id = ?1)`,
		sessionID, in.Seq, int64(in.At), in.Kind, in.Body)
	var serr sqlite3.Error
	if errors.As(err, &serr) && serr.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	// Nothing inserted: say why.
	var exists bool
	var last int64
	err = s.w.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1),
		        (SELECT coalesce(max(seq), 0) FROM session_inputs WHERE session_id = ?1)`,
		sessionID).Scan(&exists, &last)
	switch {
	case err != nil:
		return err
	case !exists:
		return ErrNotFound
	default:
		return fmt.Errorf("%w: want seq %d", errBadSeq, last+1)
	}
}

// SaveClock records the session's elapsed virtual time and its wall-clock
// update time. It returns an error wrapping ErrNotFound if the session does
// not exist.
func (s *Store) SaveClock(ctx context.Context, sessionID string, virtual time.Duration, updated time.Time) error {
	if virtual < 0 {
		return fmt.Errorf("store: save clock of session %q: negative virtual time %v", sessionID, virtual)
	}
	res, err := s.w.ExecContext(ctx,
		`UPDATE sessions SET virtual_ns = ?, updated_at = ? WHERE id = ?`,
		int64(virtual), fmtTime(updated), sessionID)
	if err != nil {
		return fmt.Errorf("store: save clock of session %q: %w", sessionID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: save clock of session %q: %w", sessionID, err)
	} else if n == 0 {
		return fmt.Errorf("store: save clock of session %q: %w", sessionID, ErrNotFound)
	}
	return nil
}

// DeleteSession deletes a session and, by cascade, its inputs. It returns
// an error wrapping ErrNotFound if the session does not exist.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete session %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: delete session %q: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("store: delete session %q: %w", id, ErrNotFound)
	}
	return nil
}

// LoadSession returns a session and its inputs ordered by seq, read from
// one consistent snapshot. It returns an error wrapping ErrNotFound if the
// session does not exist.
func (s *Store) LoadSession(ctx context.Context, id string) (rec SessionRecord, ins []Input, err error) {
	defer func() {
		if err != nil {
			rec, ins = SessionRecord{}, nil
			err = fmt.Errorf("store: load session %q: %w", id, err)
		}
	}()
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return rec, nil, err
	}
	defer tx.Rollback()

	var seed, virtual int64
	var created, updated string
	err = tx.QueryRowContext(ctx,
		`SELECT id, seed, lesson, preset, script, created_at, updated_at, virtual_ns FROM sessions WHERE id = ?`, id).
		Scan(&rec.ID, &seed, &rec.Lesson, &rec.Preset, &rec.Script, &created, &updated, &virtual)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, nil, ErrNotFound
	}
	if err != nil {
		return rec, nil, err
	}
	rec.Seed, rec.Virtual = uint64(seed), time.Duration(virtual)
	if rec.Created, err = parseTime(created); err != nil {
		return rec, nil, fmt.Errorf("created_at: %w", err)
	}
	if rec.Updated, err = parseTime(updated); err != nil {
		return rec, nil, fmt.Errorf("updated_at: %w", err)
	}

	rows, err := tx.QueryContext(ctx,
		`SELECT seq, at_ns, kind, body FROM session_inputs WHERE session_id = ? ORDER BY seq`, id)
	if err != nil {
		return rec, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var in Input
		var at int64
		if err := rows.Scan(&in.Seq, &at, &in.Kind, &in.Body); err != nil {
			return rec, nil, err
		}
		in.At = time.Duration(at)
		ins = append(ins, in)
	}
	if err := rows.Err(); err != nil {
		return rec, nil, err
	}
	return rec, ins, nil
}

// SessionIDs returns the IDs of all sessions, sorted.
func (s *Store) SessionIDs(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM sessions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return ids, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// migrationName is the pattern every migration file name must match.
var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9][a-z0-9_]*)\.sql$`)

type migration struct {
	version int
	name    string // file name
	sql     string
}

// readMigrations lists and checks the migrations in fsys's root: every
// entry must be a file named NNNN_name.sql, numbered 1, 2, 3… without gaps
// or duplicates.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("store: migration %q: name does not match NNNN_name.sql (four digits, lower-case name)", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: read migration %q: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		switch want := i + 1; {
		case m.version == 0:
			return nil, fmt.Errorf("store: migration %q: numbers start at 0001", m.name)
		case m.version < want:
			return nil, fmt.Errorf("store: migrations %q and %q have the same number", ms[i-1].name, m.name)
		case m.version > want:
			return nil, fmt.Errorf("store: migration %q: number %04d is missing before it", m.name, want)
		}
	}
	return ms, nil
}

// migrate applies the migrations in fsys that db has not recorded in
// schema_migrations, in order, each in its own transaction together with
// its record. A database that records a migration under another name, or
// one this fsys lacks, is an error.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := readMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("store: read schema_migrations: %w", err)
	}
	if newest > len(ms) {
		return fmt.Errorf("store: database has migration %04d applied but this program knows only up to %04d; refusing to run an older program on a newer database", newest, len(ms))
	}
	for _, m := range ms {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %q: %w", m.name, err)
	}
	defer tx.Rollback()
	// Checked inside the transaction, so that two processes starting at once
	// do not both apply it.
	var applied string
	switch err := tx.QueryRowContext(ctx, `SELECT name FROM schema_migrations WHERE version = ?`, m.version).Scan(&applied); {
	case err == nil:
		if applied != m.name {
			return fmt.Errorf("store: migration %04d was applied as %q but is now named %q", m.version, applied, m.name)
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: migration %q: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("store: apply migration %q: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, fmtTime(time.Now())); err != nil {
		return fmt.Errorf("store: record migration %q: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit migration %q: %w", m.name, err)
	}
	return nil
}
