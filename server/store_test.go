package server

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
)

func openTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "podplay.db")
	s, err := OpenStore(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s, path
}

func appliedMigrations(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int
		var name, at string
		require.NoError(t, rows.Scan(&v, &name, &at))
		out = append(out, fmt.Sprintf("%d %s %s", v, name, at))
	}
	require.NoError(t, rows.Err())
	return out
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n))
	return n == 1
}

func TestOpenStoreCreatesAndMigrates(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.True(t, fi.Mode().IsRegular())
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	require.Zero(t, di.Mode().Perm()&^0o750, "directory mode %v", di.Mode()) // umask may only remove bits

	require.NoError(t, s.Ping(ctx))
	require.True(t, tableExists(t, s.w, "sessions"))
	require.True(t, tableExists(t, s.w, "session_inputs"))
	require.True(t, tableExists(t, s.w, "progress"))
	applied := appliedMigrations(t, s.w)
	require.Len(t, applied, 2)
	require.Contains(t, applied[0], "1 0001_sessions.sql ")
	require.Contains(t, applied[1], "2 0002_lessons.sql ")

	ids, err := s.SessionIDs(ctx)
	require.NoError(t, err)
	require.Empty(t, ids)
}

func TestReopenDoesNotReapply(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "podplay.db")
	s, err := OpenStore(ctx, path)
	require.NoError(t, err)
	before := appliedMigrations(t, s.w)
	require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: "a", Seed: 1}))
	require.NoError(t, s.Close())

	s, err = OpenStore(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, before, appliedMigrations(t, s.w)) // same rows, same applied_at
	ids, err := s.SessionIDs(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids)
}

func TestPragmas(t *testing.T) {
	s, _ := openTestStore(t)
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		var mode string
		require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode), name)
		require.Equal(t, "wal", mode, name)
		var fk, sync, busy int
		require.NoError(t, db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk), name)
		require.Equal(t, 1, fk, name)
		require.NoError(t, db.QueryRow(`PRAGMA synchronous`).Scan(&sync), name)
		require.Equal(t, 1, sync, name) // NORMAL
		require.NoError(t, db.QueryRow(`PRAGMA busy_timeout`).Scan(&busy), name)
		require.Equal(t, 5000, busy, name)
	}
	// Readers cannot write.
	_, err := s.r.Exec(`INSERT INTO sessions (id, seed, created_at, updated_at) VALUES ('x', 0, '', '')`)
	require.Error(t, err)
}

func TestSessionRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)

	created := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
	rec := SessionRecord{
		ID:      "s1",
		Seed:    math.MaxUint64 - 7, // does not fit in int64
		Lesson:  "pods",
		Script:  "kubectl get pods\n",
		Created: created,
		Updated: created.Add(time.Second),
		Virtual: 0,
	}
	require.NoError(t, s.CreateSession(ctx, rec))
	require.Error(t, s.CreateSession(ctx, rec), "duplicate id")

	inputs := []Input{
		{Seq: 1, At: 0, Kind: "exec", Body: "kubectl run web --image=nginx"},
		{Seq: 2, At: 1500 * time.Millisecond, Kind: "exec", Body: "kubectl get pods -o wide"},
		{Seq: 3, At: 3*time.Hour + 7*time.Nanosecond, Kind: "exec", Body: "échec 'quoted' \"double\"\n\t"},
	}
	for _, in := range inputs {
		require.NoError(t, s.AppendInput(ctx, "s1", in))
	}
	updated := time.Date(2026, 3, 1, 10, 0, 0, 1, time.UTC)
	require.NoError(t, s.SaveClock(ctx, "s1", 3*time.Hour+time.Nanosecond*11, updated))

	got, gotIn, err := s.LoadSession(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, rec.ID, got.ID)
	require.Equal(t, rec.Seed, got.Seed)
	require.Equal(t, rec.Lesson, got.Lesson)
	require.Equal(t, rec.Script, got.Script)
	require.True(t, created.Equal(got.Created), "created %v != %v", got.Created, created)
	require.Equal(t, created.UTC(), got.Created)
	require.Equal(t, updated, got.Updated)
	require.Equal(t, 3*time.Hour+11*time.Nanosecond, got.Virtual)
	require.Equal(t, inputs, gotIn)

	// A session without inputs loads with none.
	require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: "s0", Seed: 42, Created: created, Updated: created}))
	got, gotIn, err = s.LoadSession(ctx, "s0")
	require.NoError(t, err)
	require.Equal(t, uint64(42), got.Seed)
	require.Empty(t, gotIn)

	ids, err := s.SessionIDs(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"s0", "s1"}, ids)
}

func TestCreateSessionDefaultsTimes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	before := time.Now()
	require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: "z"}))
	got, _, err := s.LoadSession(ctx, "z")
	require.NoError(t, err)
	require.False(t, got.Created.Before(before.Truncate(0).UTC()))
	require.Equal(t, got.Created, got.Updated)
}

func TestAppendInputWrongSeq(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: "s", Seed: 1}))

	require.ErrorIs(t, s.AppendInput(ctx, "s", Input{Seq: 0, Kind: "exec"}), errBadSeq)
	require.ErrorIs(t, s.AppendInput(ctx, "s", Input{Seq: 2, Kind: "exec"}), errBadSeq)
	require.NoError(t, s.AppendInput(ctx, "s", Input{Seq: 1, Kind: "exec", Body: "a"}))
	require.ErrorIs(t, s.AppendInput(ctx, "s", Input{Seq: 1, Kind: "exec", Body: "dup"}), errBadSeq)
	require.ErrorIs(t, s.AppendInput(ctx, "s", Input{Seq: 3, Kind: "exec"}), errBadSeq)
	require.Error(t, s.AppendInput(ctx, "s", Input{Seq: 2, Kind: "bogus"}), "kind is checked")
	require.Error(t, s.AppendInput(ctx, "s", Input{Seq: 2, At: -1, Kind: "exec"}), "negative time")
	require.NoError(t, s.AppendInput(ctx, "s", Input{Seq: 2, Kind: "exec", Body: "b"}))

	_, ins, err := s.LoadSession(ctx, "s")
	require.NoError(t, err)
	require.Equal(t, []Input{{Seq: 1, Kind: "exec", Body: "a"}, {Seq: 2, Kind: "exec", Body: "b"}}, ins)

	// The primary key backs the application-level check.
	_, err = s.w.Exec(`INSERT INTO session_inputs (session_id, seq, at_ns, kind, body) VALUES ('s', 2, 0, 'exec', '')`)
	require.ErrorContains(t, err, "UNIQUE constraint failed")
}

func TestUnknownSession(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	require.ErrorIs(t, s.AppendInput(ctx, "nope", Input{Seq: 1, Kind: "exec"}), ErrNotFound)
	require.ErrorIs(t, s.AppendInput(ctx, "nope", Input{Seq: 2, Kind: "exec"}), ErrNotFound)
	require.ErrorIs(t, s.SaveClock(ctx, "nope", time.Second, time.Now()), ErrNotFound)
	require.ErrorIs(t, s.DeleteSession(ctx, "nope"), ErrNotFound)
	rec, ins, err := s.LoadSession(ctx, "nope")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, `store: load session "nope"`)
	require.Zero(t, rec)
	require.Nil(t, ins)

	// The foreign key refuses orphan inputs even bypassing the check.
	_, err = s.w.Exec(`INSERT INTO session_inputs (session_id, seq, at_ns, kind, body) VALUES ('nope', 1, 0, 'exec', '')`)
	require.ErrorContains(t, err, "FOREIGN KEY constraint failed")
}

func TestDeleteSessionCascades(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	for _, id := range []string{"a", "b"} {
		require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: id}))
		for i := int64(1); i <= 3; i++ {
			require.NoError(t, s.AppendInput(ctx, id, Input{Seq: i, Kind: "exec", Body: id}))
		}
	}
	require.NoError(t, s.DeleteSession(ctx, "a"))
	_, _, err := s.LoadSession(ctx, "a")
	require.ErrorIs(t, err, ErrNotFound)
	var n int
	require.NoError(t, s.r.QueryRow(`SELECT count(*) FROM session_inputs WHERE session_id = 'a'`).Scan(&n))
	require.Zero(t, n)
	_, ins, err := s.LoadSession(ctx, "b")
	require.NoError(t, err)
	require.Len(t, ins, 3)
}

func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	const sessions, perSession = 8, 50
	for i := range sessions {
		require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: fmt.Sprint("c", i)}))
	}
	var wg sync.WaitGroup
	errs := make(chan error, sessions*perSession*2)
	for i := range sessions {
		id := fmt.Sprint("c", i)
		wg.Go(func() {
			for j := int64(1); j <= perSession; j++ {
				if err := s.AppendInput(ctx, id, Input{Seq: j, At: time.Duration(j) * time.Millisecond, Kind: "exec", Body: id}); err != nil {
					errs <- err
				}
				if err := s.SaveClock(ctx, id, time.Duration(j)*time.Millisecond, time.Now()); err != nil {
					errs <- err
				}
			}
		})
		// Readers run alongside the writers.
		wg.Go(func() {
			for range perSession {
				if _, _, err := s.LoadSession(ctx, id); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i := range sessions {
		rec, ins, err := s.LoadSession(ctx, fmt.Sprint("c", i))
		require.NoError(t, err)
		require.Len(t, ins, perSession)
		require.Equal(t, perSession*time.Millisecond, rec.Virtual)
		for j, in := range ins {
			require.Equal(t, int64(j+1), in.Seq)
		}
	}
}

// TestConcurrentStores opens two stores on one file, as two processes
// would, and checks that busy_timeout absorbs the lock contention.
func TestConcurrentStores(t *testing.T) {
	ctx := context.Background()
	s1, path := openTestStore(t)
	s2, err := OpenStore(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i, s := range []*Store{s1, s2} {
		id := fmt.Sprint("p", i)
		require.NoError(t, s.CreateSession(ctx, SessionRecord{ID: id}))
		wg.Go(func() {
			for j := int64(1); j <= 100; j++ {
				if err := s.AppendInput(ctx, id, Input{Seq: j, Kind: "exec"}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, ins, err := s1.LoadSession(ctx, "p1")
	require.NoError(t, err)
	require.Len(t, ins, 100)
}

func TestFailingMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	fsys := fstest.MapFS{
		"0001_one.sql": {Data: []byte(`CREATE TABLE one (x INTEGER);`)},
		"0002_two.sql": {Data: []byte(`
			CREATE TABLE partial (x INTEGER);
			INSERT INTO partial VALUES (1);
			INSERT INTO no_such_table VALUES (1);
		`)},
		"0003_three.sql": {Data: []byte(`CREATE TABLE three (x INTEGER);`)},
	}
	// A fresh database on the writer's file would already hold the real
	// migrations; use a separate file for this set.
	db := openRawWriter(t)
	err := migrate(ctx, db, fsys)
	require.ErrorContains(t, err, `store: apply migration "0002_two.sql"`)
	require.ErrorContains(t, err, "no such table: no_such_table")
	require.True(t, tableExists(t, db, "one"))
	require.False(t, tableExists(t, db, "partial"))
	require.False(t, tableExists(t, db, "three"))
	applied := appliedMigrations(t, db)
	require.Len(t, applied, 1)
	require.Contains(t, applied[0], "1 0001_one.sql ")

	// Fixed, it applies 2 and 3 and keeps 1.
	fsys["0002_two.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE partial (x INTEGER);`)}
	require.NoError(t, migrate(ctx, db, fsys))
	require.True(t, tableExists(t, db, "partial"))
	require.True(t, tableExists(t, db, "three"))
	require.Len(t, appliedMigrations(t, db), 3)
	require.Equal(t, applied[0], appliedMigrations(t, db)[0])

	// The store's own database refuses to be taken back by an older set.
	require.ErrorContains(t, migrate(ctx, s.w, fstest.MapFS{}), "knows only up to 0000")
	// Or to have a migration renamed.
	require.ErrorContains(t, migrate(ctx, s.w, fstest.MapFS{"0001_renamed.sql": {}, "0002_lessons.sql": {}}), `was applied as "0001_sessions.sql"`)
}

func openRawWriter(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "raw.db")+"?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_txlock=immediate")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBadMigrationNames(t *testing.T) {
	ok := []byte(`SELECT 1;`)
	for name, tc := range map[string]struct {
		fsys fstest.MapFS
		want string
	}{
		"no number":     {fstest.MapFS{"sessions.sql": {Data: ok}}, `"sessions.sql": name does not match`},
		"short number":  {fstest.MapFS{"001_a.sql": {Data: ok}}, `"001_a.sql": name does not match`},
		"wrong ext":     {fstest.MapFS{"0001_a.sq": {Data: ok}}, `"0001_a.sq": name does not match`},
		"upper case":    {fstest.MapFS{"0001_Sessions.sql": {Data: ok}}, `"0001_Sessions.sql": name does not match`},
		"no name":       {fstest.MapFS{"0001.sql": {Data: ok}}, `"0001.sql": name does not match`},
		"stray file":    {fstest.MapFS{"0001_a.sql": {Data: ok}, "README": {Data: ok}}, `"README": name does not match`},
		"directory":     {fstest.MapFS{"0001_a.sql/x": {Data: ok}}, `"0001_a.sql": name does not match`},
		"gap":           {fstest.MapFS{"0001_a.sql": {Data: ok}, "0003_c.sql": {Data: ok}}, `"0003_c.sql": number 0002 is missing`},
		"starts at two": {fstest.MapFS{"0002_b.sql": {Data: ok}}, `"0002_b.sql": number 0001 is missing`},
		"zero":          {fstest.MapFS{"0000_z.sql": {Data: ok}, "0001_a.sql": {Data: ok}}, `"0000_z.sql": numbers start at 0001`},
		"duplicate":     {fstest.MapFS{"0001_a.sql": {Data: ok}, "0001_b.sql": {Data: ok}}, `"0001_a.sql" and "0001_b.sql" have the same number`},
	} {
		t.Run(name, func(t *testing.T) {
			db := openRawWriter(t)
			err := migrate(context.Background(), db, tc.fsys)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "store: ")
			require.False(t, tableExists(t, db, "schema_migrations"), "nothing done before names are checked")
		})
	}
}

func TestOpenStoreRejectsNonFilePaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		_, err := OpenStore(context.Background(), p)
		require.ErrorContains(t, err, "need a plain file path", p)
	}
	// A path with URI-special characters is taken literally.
	dir := t.TempDir()
	p := filepath.Join(dir, "we?ird #name%20.db")
	s, err := OpenStore(context.Background(), p)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = os.Stat(p)
	require.NoError(t, err)
}

// BenchmarkAppendInput measures one acknowledged append: when AppendInput
// returns, the input is committed.
func BenchmarkAppendInput(b *testing.B) {
	ctx := context.Background()
	s, _ := openTestStore(b)
	require.NoError(b, s.CreateSession(ctx, SessionRecord{ID: "bench", Seed: 1}))
	body := "kubectl get pods -n default -o wide"
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		seq++
		if err := s.AppendInput(ctx, "bench", Input{Seq: seq, At: time.Duration(seq) * time.Millisecond, Kind: "exec", Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
